// The bound on open TCP connections: the idle one opened last makes room, so
// a round of more terminals than the budget keeps most connections; a busy
// one is never closed under its request, and against real
// card-termsim processes the daemon's own descriptors stay within the budget
// while every terminal is still served.

#include "daemon/terminal/connection_budget.hpp"

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/terminal/modbus_link.hpp"
#include "daemon/terminal/terminal_client.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::daemon::test {
namespace {

using namespace std::chrono_literals;

struct FakeHolder final : ConnectionBudget::Holder {
    bool busy = false;
    bool open = false;
    int closes = 0;
    bool close_if_idle() noexcept override {
        if (busy) return false;
        ++closes;
        open = false;
        return true;
    }
};

TEST(ConnectionBudget, idleConnectionOpenedLastMakesRoom) {
    ConnectionBudget budget(2);
    FakeHolder a, b, c;
    budget.opening(a);
    budget.opening(b);
    budget.opening(c);
    EXPECT_EQ(budget.open(), 2u);
    EXPECT_EQ(b.closes, 1);
    EXPECT_EQ(a.closes, 0);
    EXPECT_EQ(budget.evicted(), 1u);
}

// Rounds over 5 terminals with room for 3, as pushes to all go: after the
// first round the 2 opened first stay, and only 3 connect each round (LRU
// would connect all 5 every round).
TEST(ConnectionBudget, roundsOverMoreTerminalsThanTheBudgetKeepMostConnections) {
    ConnectionBudget budget(3);
    std::vector<FakeHolder> terminals(5);
    for (int round = 0; round < 4; ++round) {
        int connects = 0;
        for (FakeHolder& terminal : terminals) {
            if (terminal.open) continue;
            budget.opening(terminal);
            terminal.open = true;
            ++connects;
        }
        EXPECT_EQ(connects, round == 0 ? 5 : 3) << "round " << round;
        EXPECT_EQ(budget.open(), 3u);
    }
    EXPECT_EQ(terminals[0].closes, 0);
    EXPECT_EQ(terminals[1].closes, 0);
}

TEST(ConnectionBudget, busyConnectionIsPassedOverAndAllBusyGoesOverTheLimit) {
    ConnectionBudget budget(2);
    FakeHolder a, b, c, d;
    budget.opening(a);
    budget.opening(b);
    b.busy = true;
    budget.opening(c);  // b is newer but busy: a goes
    EXPECT_EQ(a.closes, 1);
    EXPECT_EQ(b.closes, 0);
    c.busy = true;
    budget.opening(d);  // b and c both busy: d may not wait, so it goes over
    EXPECT_EQ(budget.open(), 3u);
    budget.closed(d);
    budget.closed(c);
    EXPECT_EQ(budget.open(), 1u);
}

TEST(ConnectionBudget, closedHolderIsForgotten) {
    ConnectionBudget budget(1);
    FakeHolder a, b;
    budget.opening(a);
    budget.closed(a);
    budget.opening(b);
    EXPECT_EQ(a.closes, 0);
    EXPECT_EQ(budget.open(), 1u);
}

// The sockets this process holds, from /proc/self/fd.
int open_sockets() {
    int sockets = 0;
    for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
        std::error_code ec;
        const auto target = std::filesystem::read_symlink(entry.path(), ec);
        if (!ec && target.string().starts_with("socket:")) ++sockets;
    }
    return sockets;
}

// Three card-termsim terminals, two connections allowed: each read is
// answered, and this process never holds more than two terminal sockets.
TEST(ConnectionBudgetOverTcp, threeTerminalsAreServedWithinTwoConnections) {
    cardd::test::TempDir dir;
    std::vector<std::unique_ptr<cardd::test::Termsim>> terminals;
    for (int n = 0; n < 3; ++n) {
        const std::vector<std::string> flags{"--tcp", "127.0.0.1:0", "--serial", std::to_string(4100 + n)};
        terminals.push_back(std::make_unique<cardd::test::Termsim>(CARD_TERMSIM_PATH, flags, dir.path()));
    }
    LinkFactory factory(LinkOptions{.response_timeout = 1000ms, .serial_quiet_time = 50ms}, 2);
    std::vector<std::shared_ptr<TerminalLink>> links;
    for (int n = 0; n < 3; ++n) {
        auto link = factory.link_for({"pos-" + std::to_string(n), TcpAddress{"127.0.0.1", terminals[n]->port()}, 1});
        ASSERT_TRUE(link.has_value()) << link.error().message;
        links.push_back(*link);
    }
    const int before = open_sockets();
    for (int round = 0; round < 3; ++round) {
        for (int n = 0; n < 3; ++n) {
            TerminalClient client(*links[n]);
            const auto info = client.read_info();
            ASSERT_TRUE(info.has_value()) << info.error().message;
            EXPECT_EQ(info->state.serial, static_cast<std::uint32_t>(4100 + n));
            EXPECT_LE(open_sockets() - before, 2);
        }
    }
    EXPECT_EQ(factory.budget()->open(), 2u);
    // Round robin over three with room for two: the first terminal keeps its
    // connection, the other two take turns in the second place, one close
    // in the first round and two in each after it (LRU: seven).
    EXPECT_EQ(factory.budget()->evicted(), 5u);
    links.clear();
    EXPECT_EQ(factory.budget()->open(), 0u);
    EXPECT_EQ(open_sockets(), before);
}

}  // namespace
}  // namespace cardd::daemon::test
