// MariadbConnection against a real mariadbd started for this test program.

#include <chrono>
#include <cstdint>
#include <iostream>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/mariadb_connection.hpp"
#include "tests/support/mariadb_server.hpp"

namespace cardd::store {
namespace {

using test::MariadbServer;

class MariadbConnectionTest : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        const auto start = std::chrono::steady_clock::now();
        try {
            server_ = std::make_unique<MariadbServer>();
        } catch (const std::exception& e) {
            start_error_ = e.what();
            return;
        }
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
        std::cout << "mariadbd started in " << ms.count() << " ms\n";
    }
    static void TearDownTestSuite() { server_.reset(); }

    void SetUp() override {
        // Every test fails, loudly, when there is no server; none is skipped.
        ASSERT_TRUE(server_) << start_error_;
        server_->drop_database("conn_test");
        server_->create_database("conn_test");
        db_ = connect();
    }

    static std::unique_ptr<SqlConnection> connect() {
        auto conn = open_mariadb(server_->params("conn_test"));
        if (!conn) throw std::runtime_error(conn.error().message);
        return std::move(*conn);
    }

    void exec(const std::string& sql, const std::vector<Value>& params = {}) {
        auto r = db_->execute(sql, params);
        ASSERT_TRUE(r) << sql << ": " << r.error().message;
    }

    std::vector<Row> rows(const std::string& sql, const std::vector<Value>& params = {}) {
        auto r = db_->query(sql, params);
        EXPECT_TRUE(r) << sql << ": " << r.error().message;
        return r ? std::move(*r) : std::vector<Row>{};
    }

    static inline std::unique_ptr<MariadbServer> server_;
    static inline std::string start_error_;
    std::unique_ptr<SqlConnection> db_;
};

// The extremes of int64 survive a round trip as parameters and as results.
TEST_F(MariadbConnectionTest, int64RoundTrip) {
    exec("CREATE TABLE t (k INT PRIMARY KEY, v BIGINT NOT NULL)");
    const std::int64_t values[] = {std::numeric_limits<std::int64_t>::min(), -1, 0, 1,
                                   std::numeric_limits<std::int64_t>::max()};
    for (int k = 0; k < 5; ++k) exec("INSERT INTO t VALUES (?, ?)", {std::int64_t{k}, values[k]});
    const auto r = rows("SELECT k, v FROM t ORDER BY k");
    ASSERT_EQ(r.size(), 5u);
    for (int k = 0; k < 5; ++k) {
        EXPECT_EQ(r[k][0], Value{std::int64_t{k}});
        EXPECT_EQ(r[k][1], Value{values[k]});
    }
    EXPECT_EQ(rows("SELECT ? + 0", {values[4]}), std::vector<Row>{{values[4]}});
}

// Every integer column type comes back as int64; other types as text.
TEST_F(MariadbConnectionTest, columnTypesMapToIntOrText) {
    exec(
        "CREATE TABLE t (a TINYINT, b SMALLINT, c MEDIUMINT, d INT, e BIGINT UNSIGNED, f YEAR,"
        " g DECIMAL(10,2), h VARCHAR(10), i DATETIME, j BOOL)");
    exec(
        "INSERT INTO t VALUES (-128, -32768, 8388607, 2147483647, 42, 2024, 12.50, 'x',"
        " '2024-02-29 23:59:58', TRUE)");
    const auto r = rows("SELECT * FROM t");
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0], (Row{std::int64_t{-128}, std::int64_t{-32768}, std::int64_t{8388607}, std::int64_t{2147483647},
                         std::int64_t{42}, std::int64_t{2024}, std::string("12.50"), std::string("x"),
                         std::string("2024-02-29 23:59:58"), std::int64_t{1}}));
}

// An unsigned BIGINT beyond int64 is refused rather than wrapped to a negative number.
TEST_F(MariadbConnectionTest, unsignedBeyondInt64IsAnError) {
    auto r = db_->query("SELECT CAST(18446744073709551615 AS UNSIGNED)");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::storage);
}

// NULL goes in as a parameter and comes back as monostate, for int and text columns.
TEST_F(MariadbConnectionTest, nullRoundTrip) {
    exec("CREATE TABLE t (k INT PRIMARY KEY, n BIGINT NULL, s TEXT NULL)");
    exec("INSERT INTO t VALUES (1, ?, ?)", {Value{}, Value{}});
    EXPECT_EQ(rows("SELECT n, s, NULL FROM t"), (std::vector<Row>{{Value{}, Value{}, Value{}}}));
    EXPECT_EQ(rows("SELECT COUNT(*) FROM t WHERE n IS NULL AND s IS NULL"), std::vector<Row>{{std::int64_t{1}}});
}

// Quotes, semicolons and 4-byte UTF-8 are data, never SQL, and the server sees characters, not bytes.
TEST_F(MariadbConnectionTest, textWithQuotesAndChinese) {
    const std::string name = "张三; O'Brien \"x\" 𠮷 -- '); DROP TABLE t; --";
    exec("CREATE TABLE t (k INT PRIMARY KEY, s VARCHAR(64) NOT NULL)");
    exec("INSERT INTO t VALUES (1, ?)", {name});
    EXPECT_EQ(rows("SELECT s, CHAR_LENGTH(s) FROM t WHERE s = ?", {name}),
              (std::vector<Row>{{name, std::int64_t{41}}}));
    EXPECT_EQ(rows("SELECT COUNT(*) FROM t"), std::vector<Row>{{std::int64_t{1}}});
}

// Text longer than the first fetch buffer is re-fetched whole, row after row.
TEST_F(MariadbConnectionTest, longTextRoundTrip) {
    std::string big;
    for (int i = 0; big.size() < 100 * 1024; ++i) big += "卡" + std::to_string(i) + ";";
    exec("CREATE TABLE t (k INT PRIMARY KEY, s MEDIUMTEXT NOT NULL)");
    exec("INSERT INTO t VALUES (1, ?), (2, 'short'), (3, ?)", {big, big + "!"});
    const auto r = rows("SELECT s FROM t ORDER BY k");
    ASSERT_EQ(r.size(), 3u);
    EXPECT_EQ(as_text(r[0][0]), big);
    EXPECT_EQ(as_text(r[1][0]), "short");
    EXPECT_EQ(as_text(r[2][0]), big + "!");
}

// A duplicate key is a conflict the caller can report, not a storage failure.
TEST_F(MariadbConnectionTest, duplicateKeyIsConflict) {
    exec("CREATE TABLE t (k INT PRIMARY KEY)");
    exec("INSERT INTO t VALUES (7)");
    auto r = db_->execute("INSERT INTO t VALUES (?)", std::vector<Value>{std::int64_t{7}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::conflict);
    EXPECT_NE(r.error().message.find("(1062)"), std::string::npos) << r.error().message;
}

// A row that references a missing parent is a conflict too.
TEST_F(MariadbConnectionTest, foreignKeyViolationIsConflict) {
    exec("CREATE TABLE p (k INT PRIMARY KEY) ENGINE=InnoDB");
    exec("CREATE TABLE c (k INT PRIMARY KEY, p INT NOT NULL, FOREIGN KEY (p) REFERENCES p (k)) ENGINE=InnoDB");
    auto r = db_->execute("INSERT INTO c VALUES (1, 99)");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::conflict);
}

// A syntax error is a storage error whose message names the backend, the problem and the code.
TEST_F(MariadbConnectionTest, syntaxErrorIsStorage) {
    auto r = db_->query("SELEC 1");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::storage);
    EXPECT_EQ(r.error().message.rfind("mariadb: ", 0), 0u) << r.error().message;
    EXPECT_NE(r.error().message.find("SQL syntax"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("(1064)"), std::string::npos) << r.error().message;
}

// Strict mode: a value that does not fit is refused instead of silently truncated.
TEST_F(MariadbConnectionTest, strictModeRefusesTruncation) {
    exec("CREATE TABLE t (s VARCHAR(3))");
    auto r = db_->execute("INSERT INTO t VALUES (?)", std::vector<Value>{std::string("abcd")});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::storage);
    EXPECT_EQ(rows("SELECT @@session.time_zone"), std::vector<Row>{{std::string("+00:00")}});
}

// A wrong number of parameters is an error, not a read past the end of the span.
TEST_F(MariadbConnectionTest, parameterCountMismatchIsAnError) {
    auto r = db_->query("SELECT ?, ?", std::vector<Value>{std::int64_t{1}});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::storage);
}

// Rollback undoes an insert made inside the transaction.
TEST_F(MariadbConnectionTest, rollbackUndoesInsert) {
    exec("CREATE TABLE t (k INT PRIMARY KEY) ENGINE=InnoDB");
    ASSERT_TRUE(db_->begin());
    exec("INSERT INTO t VALUES (1)");
    ASSERT_TRUE(db_->rollback());
    EXPECT_EQ(rows("SELECT COUNT(*) FROM t"), std::vector<Row>{{std::int64_t{0}}});
}

// Commit makes an insert visible to another connection, which could not see it before.
TEST_F(MariadbConnectionTest, commitKeepsInsert) {
    exec("CREATE TABLE t (k INT PRIMARY KEY) ENGINE=InnoDB");
    auto other = connect();
    ASSERT_TRUE(db_->begin());
    exec("INSERT INTO t VALUES (1)");
    EXPECT_EQ(other->query("SELECT COUNT(*) FROM t").value(), std::vector<Row>{{std::int64_t{0}}});
    ASSERT_TRUE(db_->commit());
    EXPECT_EQ(other->query("SELECT COUNT(*) FROM t").value(), std::vector<Row>{{std::int64_t{1}}});
}

// Outside begin()/commit() every statement commits on its own.
TEST_F(MariadbConnectionTest, autocommitOutsideTransactions) {
    exec("CREATE TABLE t (k INT PRIMARY KEY) ENGINE=InnoDB");
    exec("INSERT INTO t VALUES (1)");
    EXPECT_EQ(connect()->query("SELECT COUNT(*) FROM t").value(), std::vector<Row>{{std::int64_t{1}}});
}

// last_insert_id is the id of the last INSERT, and a later SELECT does not reset it.
TEST_F(MariadbConnectionTest, lastInsertId) {
    exec("CREATE TABLE t (id BIGINT AUTO_INCREMENT PRIMARY KEY, s TEXT)");
    exec("INSERT INTO t (s) VALUES ('a')");
    EXPECT_EQ(db_->last_insert_id(), 1);
    exec("INSERT INTO t (s) VALUES ('b')");
    EXPECT_EQ(db_->last_insert_id(), 2);
    rows("SELECT * FROM t");
    EXPECT_EQ(db_->last_insert_id(), 2);
}

// execute() counts the rows an UPDATE matched, even where the value was already right (as SQLite does).
TEST_F(MariadbConnectionTest, executeReturnsMatchedRows) {
    exec("CREATE TABLE t (k INT PRIMARY KEY, v INT)");
    EXPECT_EQ(db_->execute("INSERT INTO t VALUES (1, 0), (2, 0), (3, 5)").value(), 3u);
    EXPECT_EQ(db_->execute("UPDATE t SET v = 5").value(), 3u);
    EXPECT_EQ(db_->execute("DELETE FROM t WHERE k = ?", std::vector<Value>{std::int64_t{9}}).value(), 0u);
}

// A failed login is a storage error whose message does not contain the password.
TEST_F(MariadbConnectionTest, wrongPasswordKeepsPasswordSecret) {
    auto p = server_->params("conn_test");
    p.password = "s3cret-Pa55";
    auto r = open_mariadb(p);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::storage);
    EXPECT_EQ(r.error().message.find("s3cret-Pa55"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("(1045)"), std::string::npos) << r.error().message;
}

// A connection the server dropped fails the call that finds it, saying so,
// then connects again by itself (tests/store/mariadb_reconnect_test.cpp
// restarts the whole server).
TEST_F(MariadbConnectionTest, lostConnectionFailsOnceThenConnectsAgain) {
    const auto id = as_int(rows("SELECT CONNECTION_ID()").at(0).at(0));
    auto killer = connect();
    ASSERT_TRUE(killer->execute("KILL CONNECTION " + std::to_string(id)));
    auto r = db_->query("SELECT 1");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, Errc::storage);
    EXPECT_NE(r.error().message.find("unreachable"), std::string::npos) << r.error().message;
    const auto again = db_->query("SELECT CONNECTION_ID()");
    ASSERT_TRUE(again) << again.error().message;
    EXPECT_NE(as_int(again->at(0).at(0)), id);
}

}  // namespace
}  // namespace cardd::store
