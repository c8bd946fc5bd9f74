// Transaction records: purchases tapped on terminals are collected into the
// ledger once each, across a kill -9 of cardd at any moment.

#include <signal.h>

#include <algorithm>
#include <numeric>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

using cardd::test::ChildProcess;

constexpr std::int64_t opening = 100'00;

class Records : public E2e {
protected:
    void SetUp() override {
        E2e::SetUp();
        tcp_ = &tcp_sim("a");
        // 8N1: cardd is killed -9 here, which leaves the daemon's pty at its
        // line settings; a pseudo-terminal cannot hold PARENB, so with 8E1
        // glibc's tcsetattr then finds nothing it could change and fails
        // (EINVAL), and libmodbus cannot reopen the bus. A real UART has no
        // such trouble; the distribution tests cover 8E1.
        bus_ = &rtu_sim("bus", {1}, {}, 'N');
        add_tcp_terminal("tcp-1", *tcp_);
        add_rtu_terminal("rtu-1", 1, 'N');
        issue("E001", 1001, opening);
    }

    /// Taps purchases of `amounts` on `sim`, the balance running down from `balance`.
    std::int64_t tap(Sim& sim, const std::vector<std::int64_t>& amounts, std::int64_t balance) {
        for (const std::int64_t amount : amounts) {
            balance -= amount;
            sim.purchase(1001, amount, balance);
        }
        return balance;
    }

    /// The amounts of the card's purchase lines in the ledger, sorted.
    std::vector<std::int64_t> purchases() {
        std::vector<std::int64_t> amounts;
        const json info = ctl_ok({"card", "info", "1001"});
        for (const json& line : info.at("ledger")) {
            if (line.at("kind") == "purchase") amounts.push_back(-line.at("amount").get<std::int64_t>());
        }
        std::ranges::sort(amounts);
        return amounts;
    }

    std::int64_t balance() { return ctl_ok({"card", "info", "1001"}).at("card").at("balance"); }

    /// `cardctl collect` to the end: the number of new records it stored.
    std::size_t collect() {
        std::size_t stored = 0;
        const json answer = ctl_ok({"collect"});
        for (const json& entry : answer.at("collected")) stored += entry.at("stored").get<std::size_t>();
        return stored;
    }

    static std::vector<std::int64_t> sorted(std::vector<std::int64_t> amounts) {
        std::ranges::sort(amounts);
        return amounts;
    }

    Sim* tcp_ = nullptr;
    Sim* bus_ = nullptr;
};

// Purchases tapped on a TCP and an RTU terminal lower the balance by exactly their amounts once collected.
TEST_P(Records, collectedPurchasesLowerTheBalanceByTheirAmounts) {
    tap(*tcp_, {250, 1200}, opening);
    tap(*bus_, {75}, opening);
    EXPECT_EQ(balance(), opening);
    const json answer = ask({{"command", "collect"}, {"arguments", {{"devices", "all"}}}, {"id", 1}});
    EXPECT_EQ(answer.at("result"), 0) << answer.dump();
    EXPECT_EQ(answer.at("text"), "3 new records from 2 of 2 terminals");
    EXPECT_EQ(balance(), opening - 250 - 1200 - 75);
    EXPECT_EQ(purchases(), (std::vector<std::int64_t>{75, 250, 1200}));
    EXPECT_EQ(tcp_->state().at("records_held"), 0) << "acknowledged records stay on the terminal";
    EXPECT_EQ(collect(), 0u);
    EXPECT_EQ(balance(), opening - 250 - 1200 - 75);
}

// Tap, collect, kill -9 cardd, restart, collect again, tap more: each record is in the ledger once.
TEST_P(Records, recordsCountOnceAcrossKillAndRestart) {
    std::int64_t left = tap(*tcp_, {101, 102, 103}, opening);
    EXPECT_EQ(collect(), 3u);
    left = tap(*tcp_, {104}, left);
    kill_cardd();
    start_cardd();
    EXPECT_EQ(collect(), 1u);
    EXPECT_EQ(collect(), 0u);
    left = tap(*tcp_, {105, 106}, left);
    EXPECT_EQ(collect(), 2u);
    EXPECT_EQ(purchases(), (std::vector<std::int64_t>{101, 102, 103, 104, 105, 106}));
    EXPECT_EQ(balance(), left);
}

// cardd killed -9 in the middle of a slow collection: after a restart each record is still counted once.
TEST_P(Records, recordsCountOnceWhenKilledMidCollection) {
    std::vector<std::int64_t> amounts(20);
    std::iota(amounts.begin(), amounts.end(), 201);
    const std::int64_t left = tap(*tcp_, amounts, opening);
    // Slow answers stretch the collection (read, store, acknowledge) over
    // about half a second; the kill lands somewhere inside it.
    ASSERT_EQ(tcp_->control("fault delay 100"), "ok");
    ChildProcess collecting({CARDCTL_PATH, "--socket", socket().string(), "--json", "collect"},
                            dir_.path() / "collect.err");
    std::this_thread::sleep_for(250ms);
    kill_cardd();
    collecting.wait(10s);
    ASSERT_EQ(tcp_->control("fault none"), "ok");
    start_cardd();
    collect();
    collect();
    EXPECT_EQ(purchases(), sorted(amounts));
    EXPECT_EQ(balance(), left);
    EXPECT_EQ(tcp_->state().at("records_held"), 0);
}

CARDD_E2E_BACKENDS(Records);

}  // namespace
}  // namespace cardd::e2e
