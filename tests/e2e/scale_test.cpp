// Past the select() limit: one card-termsim serving 1,100 TCP terminals, so
// cardd drives more terminals than a process can hold descriptors below
// FD_SETSIZE for. Every terminal is registered, level, and refuses a lost
// card pushed to all, while cardd stays within its connection budget and
// alive.

#include <sys/resource.h>

#include <atomic>
#include <filesystem>
#include <string>
#include <thread>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

constexpr int terminals = 1100;
// The budget by default, and what cardd holds besides: store, sockets, log,
// the encoder and the io loop's own.
constexpr int connection_budget = 512;
constexpr int other_descriptors = 64;

int open_descriptors(pid_t pid) {
    int count = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
        ++count;
    }
    return count;
}

class Scale : public E2e {
protected:
    void before_first_start() override {
        // Registering 1,100 terminals starts a sync of each; a push to all
        // may queue behind them.
        settings_["push_timeout_ms"] = "120000";
        // card-termsim holds a listener and a connection per terminal: it
        // inherits the hard limit as its soft one.
        rlimit limit{};
        ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &limit), 0);
        ASSERT_GE(limit.rlim_max, static_cast<rlim_t>(2 * terminals + 64)) << "the hard limit on open files is too low";
        limit.rlim_cur = limit.rlim_max;
        ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &limit), 0);
    }
};

TEST_P(Scale, moreTerminalsThanSelectCanWatchAreDrivenWithinTheBudget) {
    Sim& sims = tcp_sims("many", terminals);
    for (int n = 0; n < terminals; ++n) {
        const json arguments = {{"name", "pos-" + std::to_string(n)},
                                {"tcp", "127.0.0.1:" + std::to_string(sims.port() + n)}};
        const json answer = ask({{"command", "device-add-terminal"}, {"arguments", arguments}});
        ASSERT_EQ(answer.at("result"), 0) << answer.dump();
    }
    ASSERT_TRUE(eventually([&] { return ctl_ok({"status"}).at("terminal_states").at("level") == terminals; }, 120s))
        << ctl_ok({"status"}).at("terminal_states").dump();
    issue("E001", 1001, 5000);

    std::atomic<bool> pushing = true;
    std::atomic<int> peak = 0;
    const pid_t pid = cardd().pid();
    std::thread watcher([&] {
        while (pushing) {
            peak = std::max(peak.load(), open_descriptors(pid));
            std::this_thread::sleep_for(5ms);
        }
    });
    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    pushing = false;
    watcher.join();

    EXPECT_EQ(loss.at("pushed").size(), static_cast<std::size_t>(terminals)) << loss.at("failed").dump();
    EXPECT_TRUE(loss.at("failed").empty()) << loss.at("failed").dump();
    EXPECT_LE(peak.load(), connection_budget + other_descriptors);
    for (int n = 0; n < terminals; ++n) {
        const Cards listed = sims.list(n);
        ASSERT_EQ(listed, Cards{1001}) << "terminal " << n;
    }
    EXPECT_TRUE(cardd().running());
    EXPECT_EQ(ctl_ok({"status"}).at("terminal_states").at("level"), terminals);
}

CARDD_E2E_BACKENDS(Scale);

}  // namespace
}  // namespace cardd::e2e
