#pragma once
// A CardStore on a fresh database of either backend, with a clock the test
// moves by hand. Shared by the conformance suite.

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store/card_store.hpp"
#include "store/sql_connection.hpp"

namespace cardd::test {

enum class Backend { sqlite, mariadb };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

/// Rows as text, a line each, `|` after every value, strings quoted: two
/// equal texts mean equal rows.
std::string render_rows(const std::vector<store::Row>& rows);

class StoreTest : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override;
    void TearDown() override;

    /// A second CardStore on the same database, as a restarted daemon would open it.
    std::unique_ptr<store::CardStore> reopen();
    std::unique_ptr<store::SqlConnection> connect();

    /// Everything the store holds, as text: two equal snapshots mean nothing changed.
    std::string snapshot();

    // Short-hands that fail the test on an error value.
    store::Person add_person(const std::string& staff_no, const std::string& name = "Person");
    store::Card issue(const std::string& staff_no, store::CardNo card_no, store::Cents opening = 0);
    store::Device add_tcp_terminal(const std::string& name, int port);

    store::UnixTime now = 1'764'000'000;  // 2025-11-24, moved by tests
    store::Actor clerk{1000};
    std::unique_ptr<store::CardStore> store;

private:
    struct Database;
    std::shared_ptr<Database> database_;
};

/// Unwraps a Result or fails the test with its message.
template <class T>
T must(store::Result<T> result) {
    if (!result) {
        ADD_FAILURE() << "unexpected error: " << result.error().message;
        throw std::runtime_error(result.error().message);
    }
    if constexpr (!std::is_void_v<T>) return std::move(*result);
}

#define INSTANTIATE_FOR_BOTH_BACKENDS(Suite)                                                                     \
    INSTANTIATE_TEST_SUITE_P(Backends, Suite,                                                                    \
                             ::testing::Values(::cardd::test::Backend::sqlite, ::cardd::test::Backend::mariadb), \
                             ::cardd::test::backend_name)

}  // namespace cardd::test
