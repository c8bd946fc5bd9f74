// A real three-node MariaDB Galera cluster on loopback (tests/support/
// galera_cluster.hpp): what cardd relies on of it, and money kept right
// when two card-centre instances change the same cards on two nodes.

#include <atomic>
#include <chrono>
#include <iostream>
#include <memory>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/card_store.hpp"
#include "store/mariadb_connection.hpp"
#include "tests/support/galera_cluster.hpp"

namespace cardd::test {
namespace {

using namespace std::chrono_literals;

template <class T>
T must(store::Result<T> result) {
    if (!result) throw std::runtime_error(result.error().message);
    return std::move(*result);
}

class Galera : public ::testing::Test {
protected:
    // One cluster for the test program, made by the first test: each test
    // fails, saying why, when it cannot be made.
    static void TearDownTestSuite() {
        delete cluster_;
        cluster_ = nullptr;
    }

    void SetUp() override {
        if (cluster_ == nullptr) cluster_ = new GaleraCluster(3);
        static int made = 0;
        database_ = "galera_" + std::to_string(++made);
        cluster_->create_database(database_);
    }

    /// A CardStore on `node`, as a cardd instance connected to that node opens it.
    std::unique_ptr<store::CardStore> store_on(int node) {
        auto conn = must(store::open_mariadb(cluster_->params(node, database_)));
        return must(store::CardStore::open(std::move(conn), [] { return store::system_clock_now(); }));
    }

    /// The sum of the card's ledger, read on `node`.
    store::Cents ledger_sum(int node, store::CardNo card) {
        auto conn = must(store::open_mariadb(cluster_->params(node, database_)));
        const auto rows =
            must(conn->query("SELECT CAST(COALESCE(SUM(amount), 0) AS SIGNED) FROM ledger WHERE card_no = ?",
                             std::vector<store::Value>{card}));
        return std::get<std::int64_t>(rows.at(0).at(0));
    }

    static GaleraCluster* cluster_;
    std::string database_;
    store::Actor clerk_{1000};
};

GaleraCluster* Galera::cluster_ = nullptr;

// The cluster as the harness starts it: three members, each Synced and in
// the primary component, durable and reading what the cluster committed.
TEST_F(Galera, threeNodesAreSyncedAndDurable) {
    for (int node = 0; node < 3; ++node) {
        EXPECT_EQ(cluster_->status(node, "wsrep_cluster_size"), "3") << node;
        EXPECT_EQ(cluster_->status(node, "wsrep_local_state_comment"), "Synced") << node;
        auto conn = must(store::open_mariadb(cluster_->params(node, "")));
        const auto rows = must(conn->query("SELECT @@innodb_flush_log_at_trx_commit, @@wsrep_sync_wait"));
        EXPECT_EQ(std::get<std::int64_t>(rows.at(0).at(0)), 1) << node;
        EXPECT_EQ(std::get<std::int64_t>(rows.at(0).at(1)), 1) << node;
    }
}

// A card issued through one node is read at once through the others
// (wsrep_sync_wait), and a node killed and started again rejoins with the
// changes it missed.
TEST_F(Galera, aNodeKilledRejoinsWithWhatItMissed) {
    auto first = store_on(0);
    must(first->add_person(clerk_, {"E1", "Wang", "Canteen"}));
    must(first->issue_card(clerk_, "E1", 10, {1000, 0, std::nullopt}));
    EXPECT_EQ(must(store_on(2)->card(10)).balance, 1000);

    cluster_->kill(1);
    for (int i = 0; i < 5; ++i) must(first->top_up(clerk_, 10, 100));
    EXPECT_EQ(must(store_on(2)->card(10)).balance, 1500);
    cluster_->start(1);
    EXPECT_EQ(cluster_->status(1, "wsrep_cluster_size"), "3");
    EXPECT_EQ(must(store_on(1)->card(10)).balance, 1500);
    EXPECT_EQ(ledger_sum(1, 10), 1500);
}

// A store connected through a URL naming two nodes: with its node killed,
// the request that finds the connection gone fails with a clear error, and
// the next one is served by the other node, the money as it was.
TEST_F(Galera, aStoreFailsOverToTheNextNode) {
    store::MariadbParams params = cluster_->params(0, database_);
    params.others.push_back({"", cluster_->socket(1).string(), 0});
    auto store =
        must(store::CardStore::open(must(store::open_mariadb(params)), [] { return store::system_clock_now(); }));
    must(store->add_person(clerk_, {"E1", "Wang", "Canteen"}));
    must(store->issue_card(clerk_, "E1", 10, {1000, 0, std::nullopt}));
    cluster_->kill(0);
    const auto cut = store->top_up(clerk_, 10, 100);
    ASSERT_FALSE(cut.has_value());
    EXPECT_EQ(cut.error().code, store::Errc::storage);
    EXPECT_NE(cut.error().message.find("unreachable"), std::string::npos) << cut.error().message;
    const auto served = store->top_up(clerk_, 10, 100);
    ASSERT_TRUE(served.has_value()) << served.error().message;
    EXPECT_EQ(served->balance, 1100);
    EXPECT_EQ(ledger_sum(1, 10), 1100);
    cluster_->start(0);
    EXPECT_EQ(must(store_on(0)->card(10)).balance, 1100);
}

// Top-ups and refunds of the same card from two instances on two nodes at
// once: the losers of a certification conflict are run again, every
// balance equals its ledger on every node, and refunds never take a
// balance below zero (20 refunds of 1.00 against 10.00: at most 10 pass).
TEST_F(Galera, moneyStaysRightWhenTwoNodesChangeOneCard) {
    auto setup = store_on(0);
    must(setup->add_person(clerk_, {"E1", "Wang", "Canteen"}));
    must(setup->issue_card(clerk_, "E1", 10, {1000, 0, std::nullopt}));
    must(setup->add_person(clerk_, {"E2", "Zhao", "Canteen"}));
    must(setup->issue_card(clerk_, "E2", 20, {0, 0, std::nullopt}));

    struct Tally {
        std::atomic<int> refunds{0}, topups{0}, refused{0}, contention{0}, other{0};
        std::string other_error;
    } tally;
    auto counter = [&](int node) {
        auto store = store_on(node);
        for (int i = 0; i < 10; ++i) {
            const auto refund = store->refund(clerk_, 10, 100);
            if (refund) {
                ++tally.refunds;
            } else if (refund.error().code == store::Errc::invalid_argument) {
                ++tally.refused;  // more than the balance
            } else if (refund.error().code == store::Errc::contention) {
                ++tally.contention;
            } else {
                ++tally.other;
                tally.other_error = refund.error().message;
            }
            const auto topup = store->top_up(clerk_, 20, 50);
            if (topup) {
                ++tally.topups;
            } else if (topup.error().code == store::Errc::contention) {
                ++tally.contention;
            } else {
                ++tally.other;
                tally.other_error = topup.error().message;
            }
        }
    };
    auto conflicts = [&] {
        long total = 0;
        for (int node = 0; node < 2; ++node) {
            for (const char* name : {"wsrep_local_cert_failures", "wsrep_local_bf_aborts"}) {
                total += std::stol(cluster_->status(node, name).value_or("0"));
            }
        }
        return total;
    };
    const long conflicts_before = conflicts();
    std::thread a(counter, 0);
    std::thread b(counter, 1);
    a.join();
    b.join();

    EXPECT_EQ(tally.other.load(), 0) << tally.other_error;
    EXPECT_LE(tally.refunds.load(), 10);
    EXPECT_EQ(tally.refunds + tally.refused + tally.topups + tally.contention + tally.other, 40)
        << "every call answered once";
    for (int node = 0; node < 3; ++node) {
        auto store = store_on(node);
        const store::Cents refunded_balance = must(store->card(10)).balance;
        EXPECT_EQ(refunded_balance, 1000 - 100 * tally.refunds) << node;
        EXPECT_GE(refunded_balance, 0) << node;
        EXPECT_EQ(ledger_sum(node, 10), refunded_balance) << node;
        const store::Cents topped_balance = must(store->card(20)).balance;
        EXPECT_EQ(topped_balance, 50 * tally.topups) << node;
        EXPECT_EQ(ledger_sum(node, 20), topped_balance) << node;
    }
    const long conflicted = conflicts() - conflicts_before;
    std::cout << "galera: " << conflicted << " certification conflicts and brute-force aborts; " << tally.refunds
              << " refunds, " << tally.refused << " refused, " << tally.topups << " top-ups, " << tally.contention
              << " lost after retries\n";
}

// Leases across nodes: an instance on node 0 whose lease lapsed goes on
// writing about its terminal while its successor on node 1 claims it. A
// stale write either sees the claim or is ordered after it at
// certification (it changes the lease row too) and is run again, refused:
// once the claim is committed, nothing the stale owner writes lands.
TEST_F(Galera, aStaleOwnerOnAnotherNodeCannotOverwriteItsSuccessor) {
    auto stale = store_on(0);
    const auto terminal = must(stale->add_terminal(clerk_, {"pos-1", store::TcpAddress{"127.0.0.1", 5020}, 1}));
    ASSERT_EQ(must(stale->lease_round({"a", 500, {}})).held.size(), 1u);
    std::atomic<bool> stop{false};
    std::atomic<bool> claimed{false};
    std::atomic<int> landed_after_claim{0};
    std::atomic<int> landed{0};
    std::atomic<int> fenced{0};
    std::thread writer([&] {
        for (std::uint32_t serial = 1; !stop; ++serial) {
            const bool after_claim = claimed.load();
            const auto wrote = stale->set_terminal_serial(terminal.id, serial);
            if (wrote) {
                ++landed;
                if (after_claim) ++landed_after_claim;
            } else if (wrote.error().code == store::Errc::fenced) {
                ++fenced;
            }
            std::this_thread::sleep_for(2ms);
        }
    });
    auto successor = store_on(1);
    std::this_thread::sleep_for(800ms);  // the lease lapses while its owner writes
    std::optional<store::LeaseRound> round;
    for (int attempt = 0; attempt < 20 && (!round || round->held.empty()); ++attempt) {
        auto tried = successor->lease_round({"b", 60'000, {}});
        if (tried) round = std::move(*tried);
    }
    ASSERT_TRUE(round && round->held.size() == 1u) << "the successor never claimed the lease";
    EXPECT_EQ(round->held.front().generation, 2);
    claimed = true;
    ASSERT_TRUE(successor->set_terminal_serial(terminal.id, 1'000'000).has_value());
    std::this_thread::sleep_for(500ms);
    stop = true;
    writer.join();
    EXPECT_GT(landed.load(), 0) << "the stale owner wrote before the claim";
    EXPECT_GT(fenced.load(), 0) << "the stale owner was refused after it";
    EXPECT_EQ(landed_after_claim.load(), 0);
    EXPECT_EQ(must(store_on(2)->device(terminal.id)).terminal_serial, 1'000'000u);
    std::cout << "stale writes: " << landed << " before the claim, " << fenced << " refused after it\n";
}

// A node paused (SIGSTOP) is left behind by the others, who go on; resumed,
// it rejoins with the changes made meanwhile.
TEST_F(Galera, aPausedNodeIsLeftBehindAndRejoins) {
    auto first = store_on(0);
    must(first->add_person(clerk_, {"E1", "Wang", "Canteen"}));
    must(first->issue_card(clerk_, "E1", 10, {1000, 0, std::nullopt}));
    cluster_->pause(2);
    // The others evict it once it is inactive (4 s here) and go on without it.
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (cluster_->status(0, "wsrep_cluster_size") != "2" && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(100ms);
    }
    ASSERT_EQ(cluster_->status(0, "wsrep_cluster_size"), "2");
    cluster_->wait_synced(0, 2);
    cluster_->wait_synced(1, 2);
    must(first->top_up(clerk_, 10, 300));
    must(store_on(1)->top_up(clerk_, 10, 200));
    cluster_->resume(2);
    // Until it has caught up, the node it refuses reads (wsrep_sync_wait)
    // rather than answer with the balance it had when it froze.
    const auto rejoin_by = std::chrono::steady_clock::now() + 90s;
    std::optional<store::Cents> seen;
    int refused = 0;
    while (!seen && std::chrono::steady_clock::now() < rejoin_by) {
        auto conn = store::open_mariadb(cluster_->params(2, database_));
        auto store = conn ? store::CardStore::open(std::move(*conn), [] { return store::system_clock_now(); })
                          : std::unexpected(conn.error());
        auto card = store ? (*store)->card(10) : std::unexpected(store.error());
        if (card) {
            seen = card->balance;
        } else {
            ++refused;
            std::this_thread::sleep_for(200ms);
        }
    }
    ASSERT_TRUE(seen.has_value()) << "node 2 never answered after it was resumed";
    EXPECT_EQ(*seen, 1500) << "the first answer of the resumed node, after " << refused << " refusals";
    cluster_->wait_synced(2, 3);
    EXPECT_EQ(ledger_sum(2, 10), 1500);
}

}  // namespace
}  // namespace cardd::test
