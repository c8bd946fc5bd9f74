// async::fan_out: jobs side by side, progress as each finishes, a return at
// the deadline with the unfinished ones reported by their placeholder while
// they go on.

#include "daemon/async/fan_out.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::daemon::async {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

asio::awaitable<std::string> after(std::chrono::milliseconds delay, std::string result, int* finished = nullptr) {
    asio::steady_timer timer(co_await asio::this_coro::executor, delay);
    co_await timer.async_wait(asio::use_awaitable);
    if (finished) ++*finished;
    co_return result;
}

Job<std::string> job(std::chrono::milliseconds delay, std::string result, int* finished = nullptr) {
    return [delay, result, finished] { return after(delay, result, finished); };
}

template <class Lambda>
void spawn(asio::io_context& io, Lambda lambda) {
    asio::co_spawn(io, std::move(lambda), asio::detached);
}

// The jobs run side by side: three of 30 ms take about 30 ms, not 90, and each result lands in its place.
TEST(FanOutTest, jobsRunSideBySide) {
    asio::io_context io;
    std::vector<std::string> results;
    const auto start = Clock::now();
    spawn(io, [&]() -> asio::awaitable<void> {
        // Arguments built first: GCC 12 miscompiles braced lists inside a co_await.
        std::vector<Job<std::string>> jobs{job(30ms, "a"), job(30ms, "b"), job(30ms, "c")};
        std::vector<std::string> unfinished(3, "-");
        results = co_await fan_out(std::move(jobs), std::move(unfinished), 5s);
    });
    io.run();
    EXPECT_EQ(results, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_LT(Clock::now() - start, 80ms);
}

// on_finish hears of each job as it finishes, in the order they finish, counting 1, 2, 3.
TEST(FanOutTest, progressAsEachFinishes) {
    asio::io_context io;
    std::vector<std::string> heard;
    spawn(io, [&]() -> asio::awaitable<void> {
        FinishSink<std::string> sink = [&](std::size_t finished, const std::string& result) -> asio::awaitable<void> {
            heard.push_back(std::to_string(finished) + ":" + result);
            co_return;
        };
        std::vector<Job<std::string>> jobs{job(20ms, "slow"), job(1ms, "fast"), job(10ms, "middle")};
        std::vector<std::string> unfinished(3, "-");
        co_await fan_out(std::move(jobs), std::move(unfinished), 5s, sink);
    });
    io.run();
    EXPECT_EQ(heard, (std::vector<std::string>{"1:fast", "2:middle", "3:slow"}));
}

// At the deadline the unfinished job is reported by its placeholder; it goes on and finishes in the background.
TEST(FanOutTest, deadlineReportsUnfinishedAndTheyGoOn) {
    asio::io_context io;
    std::vector<std::string> results;
    int finished = 0;
    Clock::duration waited{};
    spawn(io, [&]() -> asio::awaitable<void> {
        const auto start = Clock::now();
        std::vector<Job<std::string>> jobs{job(1ms, "quick", &finished), job(100ms, "late", &finished)};
        std::vector<std::string> unfinished(2, "still working");
        results = co_await fan_out(std::move(jobs), std::move(unfinished), 20ms);
        waited = Clock::now() - start;
        EXPECT_EQ(finished, 1);
    });
    io.run();
    EXPECT_EQ(results, (std::vector<std::string>{"quick", "still working"}));
    EXPECT_GE(waited, 20ms);
    EXPECT_LT(waited, 100ms);
    EXPECT_EQ(finished, 2);  // the late one finished after all
}

// A job that finishes while on_finish is still busy with another is reported too, without waiting for the deadline.
TEST(FanOutTest, finishDuringProgressIsNotMissed) {
    asio::io_context io;
    std::vector<std::string> heard;
    Clock::duration waited{};
    spawn(io, [&]() -> asio::awaitable<void> {
        FinishSink<std::string> slow_sink = [&](std::size_t, const std::string& result) -> asio::awaitable<void> {
            heard.push_back(result);
            asio::steady_timer timer(co_await asio::this_coro::executor, 20ms);
            co_await timer.async_wait(asio::use_awaitable);
        };
        const auto start = Clock::now();
        std::vector<Job<std::string>> jobs{job(1ms, "first"), job(5ms, "second")};
        std::vector<std::string> unfinished(2, "-");
        co_await fan_out(std::move(jobs), std::move(unfinished), 5s, slow_sink);
        waited = Clock::now() - start;
    });
    io.run();
    EXPECT_EQ(heard, (std::vector<std::string>{"first", "second"}));
    EXPECT_LT(waited, 1s);
}

// With no jobs it returns at once with nothing.
TEST(FanOutTest, noJobsReturnsEmpty) {
    asio::io_context io;
    bool done = false;
    spawn(io, [&]() -> asio::awaitable<void> {
        auto results = co_await fan_out(std::vector<Job<std::string>>(), std::vector<std::string>(), 5s);
        EXPECT_TRUE(results.empty());
        done = true;
    });
    io.run();
    EXPECT_TRUE(done);
}

}  // namespace
}  // namespace cardd::daemon::async
