// MariadbConnection across a restart of the server under it: the call that
// finds the session lost fails, saying the database is unreachable and that
// cardd reconnects by itself; the same connection object connects again at
// the next call outside a transaction, with its session set up as before;
// and a transaction the restart cut is not half-applied.

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "store/mariadb_connection.hpp"
#include "tests/support/mariadb_server.hpp"

namespace cardd::store {
namespace {

using test::MariadbServer;

// The connections under test log in with a password, so every message can
// be checked for it.
constexpr const char* user = "cardd_app";
constexpr const char* password = "Pw-reconnect-7Qz";
constexpr const char* database = "reconnect_test";

class MariadbReconnect : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        try {
            server_ = std::make_unique<MariadbServer>();
        } catch (const std::exception& e) {
            start_error_ = e.what();
        }
    }
    static void TearDownTestSuite() { server_.reset(); }

    void SetUp() override {
        // Every test fails, loudly, when there is no server; none is skipped.
        ASSERT_TRUE(server_) << start_error_;
        // A test that failed with the server down leaves it for the next one up.
        server_->start();
        server_->drop_database(database);
        server_->create_database(database);
        auto root = open_mariadb(server_->params(""));
        ASSERT_TRUE(root) << root.error().message;
        for (const std::string& sql :
             {std::string("CREATE USER IF NOT EXISTS '") + user + "'@'localhost' IDENTIFIED BY '" + password + "'",
              std::string("GRANT ALL ON ") + database + ".* TO '" + user + "'@'localhost'"}) {
            auto done = (*root)->execute(sql);
            ASSERT_TRUE(done) << sql << ": " << done.error().message;
        }
        MariadbParams params = server_->params(database);
        params.user = user;
        params.password = password;
        auto connected = MariadbConnection::connect(params);
        ASSERT_TRUE(connected) << connected.error().message;
        db_ = std::move(*connected);
        db_->observe_link([this](LinkEvent event, const std::string& detail) { events_.emplace_back(event, detail); });
        ASSERT_TRUE(db_->execute("CREATE TABLE t (k INT PRIMARY KEY) ENGINE=InnoDB"));
    }

    void TearDown() override {
        if (server_) server_->start();
    }

    std::int64_t count() {
        auto rows = db_->query("SELECT COUNT(*) FROM t");
        EXPECT_TRUE(rows) << rows.error().message;
        return rows ? as_int(rows->at(0).at(0)) : -1;
    }

    /// A server-lost error as the caller sees it: storage, saying what to expect, no password.
    static void expect_unreachable(const Result<void>& result, const std::string& call) {
        ASSERT_FALSE(result) << call << " succeeded";
        EXPECT_EQ(result.error().code, Errc::storage) << call;
        const std::string& message = result.error().message;
        EXPECT_NE(message.find("unreachable"), std::string::npos) << call << ": " << message;
        EXPECT_NE(message.find("cardd reconnects by itself"), std::string::npos) << call << ": " << message;
        EXPECT_EQ(message.find(password), std::string::npos) << call << ": " << message;
    }

    template <class T>
    static Result<void> outcome(const Result<T>& result) {
        if (result) return {};
        return std::unexpected(result.error());
    }

    static inline std::unique_ptr<MariadbServer> server_;
    static inline std::string start_error_;
    std::unique_ptr<MariadbConnection> db_;
    std::vector<std::pair<LinkEvent, std::string>> events_;
};

// Killed and started again: the first call fails, a call while the server
// is down fails the same way, and once it is back the same object goes on
// in a new session set up as the first was.
TEST_F(MariadbReconnect, theCallThatFindsTheServerGoneFailsThenTheSameConnectionGoesOn) {
    ASSERT_TRUE(db_->execute("INSERT INTO t VALUES (1)"));
    const std::int64_t first_session = as_int(db_->query("SELECT CONNECTION_ID()").value().at(0).at(0));
    // A session changed by hand would survive only in the old session.
    ASSERT_TRUE(db_->execute("SET SESSION time_zone = '+05:00'"));

    server_->kill();
    expect_unreachable(outcome(db_->query("SELECT COUNT(*) FROM t")), "the first query after the kill");
    expect_unreachable(outcome(db_->query("SELECT COUNT(*) FROM t")), "a query while the server is down");
    expect_unreachable(db_->begin(), "a begin while the server is down");

    server_->start();
    EXPECT_EQ(count(), 1);
    const auto session = db_->query(
        "SELECT CONNECTION_ID(), @@session.time_zone, @@session.sql_mode, @@session.autocommit, "
        "@@session.character_set_client");
    ASSERT_TRUE(session) << session.error().message;
    const Row& row = session->at(0);
    EXPECT_NE(as_int(row[0]), first_session);
    EXPECT_EQ(as_text(row[1]), "+00:00");
    EXPECT_NE(as_text(row[2]).find("STRICT_ALL_TABLES"), std::string::npos) << as_text(row[2]);
    EXPECT_EQ(as_int(row[3]), 1);
    EXPECT_EQ(as_text(row[4]), "utf8mb4");

    ASSERT_EQ(events_.size(), 2u) << "one loss and one restoration, not one per failed attempt";
    EXPECT_EQ(events_[0].first, LinkEvent::lost);
    EXPECT_EQ(events_[1].first, LinkEvent::restored);
    for (const auto& [event, detail] : events_) {
        EXPECT_EQ(detail.find(password), std::string::npos) << detail;
        EXPECT_NE(detail.find(user), std::string::npos) << detail;
    }
}

// A transaction the restart cut: the server is back before its next
// statement, which still fails, as does every statement after it until
// rollback; a silent new session would have run them in autocommit. Nothing
// of the transaction is kept, and the next one works whole.
TEST_F(MariadbReconnect, aTransactionCutByARestartIsNotHalfApplied) {
    ASSERT_TRUE(db_->begin());
    ASSERT_TRUE(db_->execute("INSERT INTO t VALUES (1)"));
    server_->kill();
    server_->start();

    const auto second = db_->execute("INSERT INTO t VALUES (2)");
    expect_unreachable(outcome(second), "the statement that found the session lost");
    EXPECT_NE(second.error().message.find("nothing of it was kept"), std::string::npos) << second.error().message;
    const auto third = db_->execute("INSERT INTO t VALUES (3)");
    ASSERT_FALSE(third) << "a statement of the lost transaction ran in a new session";
    EXPECT_NE(third.error().message.find("in the middle of a transaction"), std::string::npos) << third.error().message;
    EXPECT_FALSE(db_->commit()) << "a commit of the lost transaction said yes";
    EXPECT_FALSE(db_->begin()) << "a transaction was begun over the lost one";
    ASSERT_TRUE(db_->rollback());

    EXPECT_EQ(count(), 0);
    ASSERT_TRUE(db_->begin());
    ASSERT_TRUE(db_->execute("INSERT INTO t VALUES (4)"));
    ASSERT_TRUE(db_->commit());
    EXPECT_EQ(count(), 1);
}

// A COMMIT that finds the session lost cannot know whether the server
// committed before it went: the message says so.
TEST_F(MariadbReconnect, aCommitThatFindsTheSessionLostSaysTheChangeMayHaveBeenKept) {
    ASSERT_TRUE(db_->begin());
    ASSERT_TRUE(db_->execute("INSERT INTO t VALUES (1)"));
    server_->kill();
    const auto committed = db_->commit();
    expect_unreachable(committed, "the commit");
    EXPECT_NE(committed.error().message.find("may or may not have been kept"), std::string::npos)
        << committed.error().message;
    ASSERT_TRUE(db_->rollback());
    server_->start();
    // The server died before the COMMIT reached it: InnoDB rolled the row back.
    EXPECT_EQ(count(), 0);
}

// After an orderly shutdown and start, begin() is a point with no
// transaction open: once the loss is known, it connects again.
TEST_F(MariadbReconnect, aBeginAfterTheLossConnectsAgain) {
    server_->stop();
    server_->start();
    expect_unreachable(outcome(db_->query("SELECT 1")), "the query that found the session lost");
    ASSERT_TRUE(db_->begin());
    ASSERT_TRUE(db_->execute("INSERT INTO t VALUES (7)"));
    ASSERT_TRUE(db_->commit());
    EXPECT_EQ(count(), 1);
}

}  // namespace
}  // namespace cardd::store
