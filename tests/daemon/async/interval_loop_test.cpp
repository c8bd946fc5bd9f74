// async::IntervalLoop: a run every interval, the first one interval after
// start, none after stop, and stop ends the wait at once.

#include "daemon/async/interval_loop.hpp"

#include <chrono>

#include <gtest/gtest.h>

namespace cardd::daemon::async {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Runs come one interval apart, the first one interval after start.
TEST(IntervalLoopTest, runsEveryInterval) {
    asio::io_context io;
    IntervalLoop loop;
    std::vector<Clock::time_point> runs;
    const auto start = Clock::now();
    loop.start(io.get_executor(), 10ms, [&]() -> asio::awaitable<void> {
        runs.push_back(Clock::now());
        if (runs.size() == 3) loop.stop();
        co_return;
    });
    io.run();
    ASSERT_EQ(runs.size(), 3u);
    EXPECT_GE(runs[0] - start, 10ms);
    EXPECT_GE(runs[1] - runs[0], 10ms);
    EXPECT_GE(runs[2] - runs[1], 10ms);
    EXPECT_FALSE(loop.running());
}

// stop() during the wait ends the loop at once, with no run.
TEST(IntervalLoopTest, stopEndsTheWaitAtOnce) {
    asio::io_context io;
    IntervalLoop loop;
    int runs = 0;
    loop.start(io.get_executor(), 1h, [&]() -> asio::awaitable<void> {
        ++runs;
        co_return;
    });
    asio::steady_timer soon(io, 5ms);
    soon.async_wait([&](const boost::system::error_code&) { loop.stop(); });
    const auto start = Clock::now();
    io.run();  // returns only once the loop's coroutine has ended
    EXPECT_EQ(runs, 0);
    EXPECT_LT(Clock::now() - start, 1s);
}

// A run in progress when stop() comes finishes, and no run follows it.
TEST(IntervalLoopTest, runInProgressFinishesAndNoneFollows) {
    asio::io_context io;
    IntervalLoop loop;
    int started = 0;
    int finished = 0;
    loop.start(io.get_executor(), 1ms, [&]() -> asio::awaitable<void> {
        ++started;
        loop.stop();
        asio::steady_timer timer(co_await asio::this_coro::executor, 5ms);
        co_await timer.async_wait(asio::use_awaitable);
        ++finished;
    });
    io.run();
    EXPECT_EQ(started, 1);
    EXPECT_EQ(finished, 1);
}

// Destroying the loop stops it.
TEST(IntervalLoopTest, destructionStops) {
    asio::io_context io;
    int runs = 0;
    {
        IntervalLoop loop;
        loop.start(io.get_executor(), 1ms, [&]() -> asio::awaitable<void> {
            ++runs;
            co_return;
        });
    }
    io.run_for(50ms);
    EXPECT_EQ(runs, 0);
    EXPECT_TRUE(io.stopped());
}

}  // namespace
}  // namespace cardd::daemon::async
