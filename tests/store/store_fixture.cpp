#include "tests/store/store_fixture.hpp"

#include <atomic>
#include <optional>

#include "store/mariadb_connection.hpp"
#include "store/sqlite_connection.hpp"
#include "tests/support/mariadb_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::test {

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::sqlite ? "sqlite" : "mariadb";
}

namespace {

// One server per test program: starting mariadbd takes seconds, a database a millisecond.
MariadbServer& shared_server() {
    static MariadbServer server;
    return server;
}

// Each table with an order that makes its dump deterministic.
constexpr std::pair<const char*, const char*> tables[] = {{"card_format", "1"},
                                                          {"counters", "1"},
                                                          {"people", "1"},
                                                          {"cards", "1"},
                                                          {"ledger", "1"},
                                                          {"devices", "1"},
                                                          {"losses", "1"},
                                                          {"loss_terminals", "1, 2, 3"},
                                                          {"blacklist_all", "1"},
                                                          {"terminal_exceptions", "1, 2"},
                                                          {"blacklist_batches", "1"},
                                                          {"transactions", "1, 2"},
                                                          {"audit_log", "1"},
                                                          {"card_writes", "1"},
                                                          {"accounts", "1"}};

}  // namespace

struct StoreTest::Database {
    Backend backend;
    std::optional<TempDir> dir;
    std::string mariadb_name;

    ~Database() {
        if (!mariadb_name.empty()) shared_server().drop_database(mariadb_name);
    }
};

std::unique_ptr<store::SqlConnection> StoreTest::connect() {
    if (database_->backend == Backend::sqlite) {
        return must(store::open_sqlite(database_->dir->path() / "cardd.sqlite"));
    }
    return must(store::open_mariadb(shared_server().params(database_->mariadb_name)));
}

void StoreTest::SetUp() {
    database_ = std::make_shared<Database>();
    database_->backend = GetParam();
    if (GetParam() == Backend::sqlite) {
        database_->dir.emplace();
    } else {
        static std::atomic<int> counter{0};
        database_->mariadb_name = "cardd_test_" + std::to_string(++counter);
        shared_server().create_database(database_->mariadb_name);
    }
    store = reopen();
}

void StoreTest::TearDown() {
    store.reset();
    database_.reset();
}

std::unique_ptr<store::CardStore> StoreTest::reopen() {
    return must(store::CardStore::open(connect(), [this] { return now; }));
}

std::string render_rows(const std::vector<store::Row>& rows) {
    std::string out;
    for (const store::Row& row : rows) {
        for (const store::Value& value : row) {
            if (const auto* n = std::get_if<std::int64_t>(&value)) {
                out += std::to_string(*n);
            } else if (const auto* s = std::get_if<std::string>(&value)) {
                out += '"' + *s + '"';
            } else {
                out += "NULL";
            }
            out += '|';
        }
        out += '\n';
    }
    return out;
}

std::string StoreTest::snapshot() {
    auto db = connect();
    std::string out;
    for (const auto& [table, order] : tables) {
        out += std::string("[") + table + "]\n";
        auto rows = db->query(std::string("SELECT * FROM ") + table + " ORDER BY " + order);
        if (!rows) {
            ADD_FAILURE() << rows.error().message;
            return out;
        }
        out += render_rows(*rows);
    }
    return out;
}

store::Person StoreTest::add_person(const std::string& staff_no, const std::string& name) {
    return must(store->add_person(clerk, {staff_no, name, "Canteen"}));
}

store::Card StoreTest::issue(const std::string& staff_no, store::CardNo card_no, store::Cents opening) {
    return must(store->issue_card(clerk, staff_no, card_no, {opening, 0, std::nullopt}));
}

store::Device StoreTest::add_tcp_terminal(const std::string& name, int port) {
    return must(store->add_terminal(clerk, {name, store::TcpAddress{"127.0.0.1", port}, 1}));
}

}  // namespace cardd::test
