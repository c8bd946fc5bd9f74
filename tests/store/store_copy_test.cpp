// copy_store, the core of `cardd --migrate-store`: a store holding every kind
// of row is copied from SQLite to a real MariaDB and back, and every table
// compares equal row by row, ids and id counters kept; a target that is not
// empty is refused and left as it was; a target that refuses a row midway is
// left empty. The cardd binary itself runs the flag, with a password that
// never appears in what it prints. StoreCopySqlite needs no server (label
// store); StoreCopyMariadb starts a private mariadbd (label mariadb).

#include <atomic>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "store/card_store.hpp"
#include "store/mariadb_connection.hpp"
#include "store/migrations.hpp"
#include "store/sqlite_connection.hpp"
#include "store/store_copy.hpp"
#include "tests/store/store_copy_fixture.hpp"
#include "tests/store/store_fixture.hpp"
#include "tests/support/mariadb_server.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::test {
namespace {

using namespace std::chrono_literals;
using store::SqlConnection;

std::unique_ptr<SqlConnection> sqlite_at(const std::filesystem::path& path) { return must(store::open_sqlite(path)); }

/// A store filled with every kind of row; the connection stays open for reading.
std::unique_ptr<SqlConnection> filled(std::unique_ptr<SqlConnection> connection,
                                      std::unique_ptr<SqlConnection> reader) {
    auto filling = must(store::CardStore::open(std::move(connection), fixed_clock));
    fill_every_table(*filling);
    return reader;
}

/// The id the next device gets: the copy keeps the counters, so an id once
/// used (a removed terminal, whose records still name it) is never reused.
std::int64_t next_device_id(std::unique_ptr<SqlConnection> connection) {
    auto store = must(store::CardStore::open(std::move(connection), fixed_clock));
    return must(store->add_terminal(store::Actor{0}, {"T9", store::TcpAddress{"127.0.0.1", 1509}, 1})).id;
}

/// "1002 lost, 1003 damaged": each loss's card and reason, as the copy reads them back.
std::string loss_reasons(store::CardStore& store) {
    std::string out;
    for (const auto& loss : must(store.losses({}))) {
        out += (out.empty() ? "" : ", ") + std::to_string(loss.card_no) + " " + std::string(to_string(loss.reason));
    }
    return out;
}

std::set<std::string> tables_of_sqlite(SqlConnection& db) {
    std::set<std::string> names;
    for (const auto& row : must(db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                         "'sqlite_%'"))) {
        names.insert(store::as_text(row[0]));
    }
    return names;
}

class StoreCopySqlite : public ::testing::Test {
protected:
    TempDir dir_;
    std::filesystem::path from_ = dir_.path() / "from.sqlite";
    std::filesystem::path to_ = dir_.path() / "to.sqlite";
};

// The copy knows every table the migrations make: a new table without its place in the list fails here.
TEST_F(StoreCopySqlite, theTableListIsTheSchema) {
    auto db = sqlite_at(":memory:");
    must(store::migrate(*db));
    const auto listed = store::schema_tables();
    EXPECT_EQ(tables_of_sqlite(*db), std::set<std::string>(listed.begin(), listed.end()));
}

// SQLite to SQLite: the same rows in every table, the same id counters, the invariants hold.
TEST_F(StoreCopySqlite, everyRowIsCopied) {
    auto from = filled(sqlite_at(from_), sqlite_at(from_));
    auto to = sqlite_at(to_);
    const store::CopySummary summary = must(store::copy_store(*from, *to));
    EXPECT_EQ(dump_tables(*to), dump_tables(*from));
    EXPECT_EQ(ledger_sums(*to), ledger_sums(*from));
    EXPECT_EQ(summary.cards, 4u);
    EXPECT_EQ(summary.schema_version, store::latest_schema_version());
    auto copied = must(store::CardStore::open(sqlite_at(to_), fixed_clock));
    EXPECT_EQ(must(copied->check_invariants()), std::vector<std::string>{});
    EXPECT_EQ(loss_reasons(*copied), "1002 lost, 1003 damaged");
    EXPECT_EQ(next_device_id(sqlite_at(to_)), next_device_id(sqlite_at(from_)));
}

// A target holding a person is refused, and keeps exactly what it held.
TEST_F(StoreCopySqlite, aTargetThatIsNotEmptyIsRefusedAndUnchanged) {
    auto from = filled(sqlite_at(from_), sqlite_at(from_));
    {
        auto used = must(store::CardStore::open(sqlite_at(to_), fixed_clock));
        must(used->add_person(store::Actor{0}, {"X1", "Someone", "Else"}));
    }
    auto to = sqlite_at(to_);
    const std::string before = dump_tables(*to);
    const auto copied = store::copy_store(*from, *to);
    ASSERT_FALSE(copied.has_value());
    EXPECT_EQ(copied.error().code, store::Errc::conflict);
    EXPECT_NE(copied.error().message.find("not empty"), std::string::npos) << copied.error().message;
    EXPECT_EQ(dump_tables(*to), before);
}

// A target that refuses a row midway (a trigger on the audit log, copied near the end) is left empty.
TEST_F(StoreCopySqlite, aFailureMidwayLeavesTheTargetEmpty) {
    auto from = filled(sqlite_at(from_), sqlite_at(from_));
    auto to = sqlite_at(to_);
    must(store::migrate(*to));
    must(to->execute("CREATE TRIGGER refuse BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'refused'); END"));
    const std::string empty = dump_tables(*to);
    const auto copied = store::copy_store(*from, *to);
    ASSERT_FALSE(copied.has_value());
    EXPECT_NE(copied.error().message.find("audit_log"), std::string::npos) << copied.error().message;
    EXPECT_EQ(dump_tables(*to), empty);
    EXPECT_EQ(must(to->query("SELECT COUNT(*) FROM people")).front()[0], store::Value{std::int64_t{0}});
}

// A source that holds no store is refused before the target is touched.
TEST_F(StoreCopySqlite, anEmptySourceIsRefused) {
    auto from = sqlite_at(from_);
    auto to = sqlite_at(to_);
    const auto copied = store::copy_store(*from, *to);
    ASSERT_FALSE(copied.has_value());
    EXPECT_NE(copied.error().message.find("holds no store"), std::string::npos) << copied.error().message;
    EXPECT_TRUE(tables_of_sqlite(*to).empty());
}

class StoreCopyMariadb : public ::testing::Test {
protected:
    static MariadbServer& server() {
        static MariadbServer instance;
        return instance;
    }
    void SetUp() override {
        static std::atomic<int> counter{0};
        database_ = "copy_test_" + std::to_string(++counter);
        server().create_database(database_);
    }
    void TearDown() override { server().drop_database(database_); }

    std::unique_ptr<SqlConnection> mariadb() { return must(store::open_mariadb(server().params(database_))); }

    TempDir dir_;
    std::filesystem::path sqlite_ = dir_.path() / "cardd.sqlite";
    std::filesystem::path back_ = dir_.path() / "back.sqlite";
    std::string database_;
};

// SQLite → MariaDB → SQLite: every table equal row by row at each step, ids
// and id counters kept, balances and invariants as in the source.
TEST_F(StoreCopyMariadb, sqliteToMariadbAndBack) {
    auto from = filled(sqlite_at(sqlite_), sqlite_at(sqlite_));
    const std::string source = dump_tables(*from);
    auto to = mariadb();
    const store::CopySummary summary = must(store::copy_store(*from, *to));
    EXPECT_EQ(dump_tables(*to), source);
    EXPECT_EQ(ledger_sums(*to), ledger_sums(*from));
    for (const auto& table : summary.tables) {
        EXPECT_EQ(must(to->query("SELECT COUNT(*) FROM " + table.name)).front()[0], store::Value{table.rows})
            << table.name;
    }
    auto on_mariadb = must(store::CardStore::open(mariadb(), fixed_clock));
    EXPECT_EQ(must(on_mariadb->check_invariants()), std::vector<std::string>{});
    EXPECT_EQ(loss_reasons(*on_mariadb), "1002 lost, 1003 damaged");
    on_mariadb.reset();

    auto back = sqlite_at(back_);
    must(store::copy_store(*to, *back));
    EXPECT_EQ(dump_tables(*back), source);
    EXPECT_EQ(ledger_sums(*back), ledger_sums(*from));

    // The removed terminal's id is not handed out again on either side.
    const std::int64_t expected = next_device_id(sqlite_at(sqlite_));
    EXPECT_EQ(next_device_id(mariadb()), expected);
    EXPECT_EQ(next_device_id(sqlite_at(back_)), expected);
}

// A MariaDB target that holds a row is refused, and keeps exactly what it held.
TEST_F(StoreCopyMariadb, aTargetThatIsNotEmptyIsRefusedAndUnchanged) {
    auto from = filled(sqlite_at(sqlite_), sqlite_at(sqlite_));
    {
        auto used = must(store::CardStore::open(mariadb(), fixed_clock));
        must(used->add_terminal(store::Actor{0}, {"T1", store::TcpAddress{"10.0.0.1", 502}, 1}));
    }
    auto to = mariadb();
    const std::string before = dump_tables(*to);
    const auto copied = store::copy_store(*from, *to);
    ASSERT_FALSE(copied.has_value());
    EXPECT_EQ(copied.error().code, store::Errc::conflict);
    EXPECT_EQ(dump_tables(*to), before);
}

// A MariaDB target that refuses a row midway is rolled back to empty.
TEST_F(StoreCopyMariadb, aFailureMidwayLeavesTheTargetEmpty) {
    auto from = filled(sqlite_at(sqlite_), sqlite_at(sqlite_));
    auto to = mariadb();
    must(store::migrate(*to));
    must(
        to->execute("CREATE TRIGGER refuse BEFORE INSERT ON audit_log FOR EACH ROW "
                    "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'refused'"));
    const std::string empty = dump_tables(*to);
    const auto copied = store::copy_store(*from, *to);
    ASSERT_FALSE(copied.has_value());
    EXPECT_NE(copied.error().message.find("audit_log"), std::string::npos) << copied.error().message;
    EXPECT_EQ(dump_tables(*to), empty);
}

// The flag itself: cardd --migrate-store exits 0 with a summary, then 1 on
// the now non-empty target; the password is in neither output.
TEST_F(StoreCopyMariadb, cardddMigratesAndSumsUp) {
    filled(sqlite_at(sqlite_), nullptr);
    const std::string password = "Mig-Pw-4Kx9";
    {
        auto admin = must(store::open_mariadb(server().params("")));
        must(admin->execute("CREATE USER IF NOT EXISTS 'cardd_mig'@'localhost' IDENTIFIED BY '" + password + "'"));
        must(admin->execute("GRANT ALL ON " + database_ + ".* TO 'cardd_mig'@'localhost'"));
    }
    const std::string url =
        "mariadb://cardd_mig:" + password + "@localhost/" + database_ + "?socket=" + server().socket().string();
    const std::vector<std::string> argv{CARDD_PATH, "--migrate-store", "sqlite:" + sqlite_.string(), url};
    const Finished first = run_program(argv, dir_.path() / "first.err", 60s);
    EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
    EXPECT_NE(first.out.find("people: 3 rows"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("accounts: 2 rows"), std::string::npos) << first.out;
    EXPECT_NE(first.out.find("verified"), std::string::npos) << first.out;
    EXPECT_EQ((first.out + first.err).find(password), std::string::npos) << first.out << first.err;
    auto from = sqlite_at(sqlite_);
    auto to = mariadb();
    EXPECT_EQ(dump_tables(*to), dump_tables(*from));

    const Finished again = run_program(argv, dir_.path() / "again.err", 60s);
    EXPECT_EQ(again.exit_code, 1) << again.out << again.err;
    EXPECT_NE(again.err.find("not empty"), std::string::npos) << again.err;
    EXPECT_EQ((again.out + again.err).find(password), std::string::npos) << again.out << again.err;
    EXPECT_EQ(dump_tables(*to), dump_tables(*from));
}

}  // namespace
}  // namespace cardd::test
