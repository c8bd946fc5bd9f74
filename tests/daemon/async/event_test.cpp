// async::Event: set wakes every waiter, stays set until reset, and a wait
// with a deadline tells a set from a timeout.

#include "daemon/async/event.hpp"

#include <chrono>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::daemon::async {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// co_spawn keeps the lambda, and so what it captured, alive while it runs.
template <class Lambda>
void spawn(asio::io_context& io, Lambda lambda) {
    asio::co_spawn(io, std::move(lambda), asio::detached);
}

// set() wakes every coroutine waiting, and each wait says it was set.
TEST(EventTest, setWakesEveryWaiter) {
    asio::io_context io;
    Event event(io.get_executor());
    std::vector<bool> woken;
    for (int i = 0; i < 3; ++i) {
        spawn(io, [&]() -> asio::awaitable<void> {
            const bool set = co_await event.wait_until(Clock::now() + 5s);
            woken.push_back(set);
        });
    }
    spawn(io, [&]() -> asio::awaitable<void> {
        co_await event.wait_for(1ms);
        event.set();
    });
    const auto start = Clock::now();
    io.run();
    EXPECT_EQ(woken, (std::vector<bool>{true, true, true}));
    EXPECT_LT(Clock::now() - start, 2s);
}

// A wait that starts after set() returns at once, until reset().
TEST(EventTest, staysSetUntilReset) {
    asio::io_context io;
    Event event(io.get_executor());
    event.set();
    bool first = false;
    bool second = true;
    spawn(io, [&]() -> asio::awaitable<void> {
        first = co_await event.wait_until(Clock::now() + 5s);
        event.reset();
        second = co_await event.wait_for(10ms);
    });
    io.run();
    EXPECT_TRUE(first);
    EXPECT_FALSE(second);
    EXPECT_FALSE(event.is_set());
}

// A wait with a deadline and no set() returns false at the deadline, not before.
TEST(EventTest, deadlineWithoutSetReturnsFalse) {
    asio::io_context io;
    Event event(io.get_executor());
    bool result = true;
    const auto start = Clock::now();
    spawn(io, [&]() -> asio::awaitable<void> { result = co_await event.wait_for(30ms); });
    io.run();
    EXPECT_FALSE(result);
    EXPECT_GE(Clock::now() - start, 30ms);
}

// A set() followed by reset() before the waiter runs still counts as set for that wait.
TEST(EventTest, setThenResetStillWakesWaiter) {
    asio::io_context io;
    Event event(io.get_executor());
    bool result = false;
    spawn(io, [&]() -> asio::awaitable<void> { result = co_await event.wait_until(Clock::now() + 5s); });
    spawn(io, [&]() -> asio::awaitable<void> {
        event.set();
        event.reset();
        co_return;
    });
    io.run();
    EXPECT_TRUE(result);
}

// Destroying the io_context with a wait in progress frees it cleanly (no leak, no crash).
TEST(EventTest, pendingWaitDiesWithIoContext) {
    auto io = std::make_unique<asio::io_context>();
    Event event(io->get_executor());
    bool finished = false;
    spawn(*io, [&]() -> asio::awaitable<void> {
        co_await event.wait();
        finished = true;
    });
    io->run_for(5ms);
    io.reset();
    event.set();
    EXPECT_FALSE(finished);
}

}  // namespace
}  // namespace cardd::daemon::async
