// async::KeyedLock: one holder per key, FIFO hand-over, keys independent.

#include "daemon/async/keyed_lock.hpp"

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/async/event.hpp"

namespace cardd::daemon::async {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// co_spawn keeps the lambda, and so what it captured, alive while it runs.
template <class Lambda>
void spawn(asio::io_context& io, Lambda lambda) {
    asio::co_spawn(io, std::move(lambda), asio::detached);
}

asio::awaitable<void> pause(std::chrono::milliseconds duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
}

// Holders of one key take turns, in the order they asked, and never overlap.
TEST(KeyedLockTest, holdersOfOneKeyTakeTurnsInOrder) {
    asio::io_context io;
    KeyedLock<int> lock;
    std::vector<std::string> log;
    int inside = 0;
    for (int i = 0; i < 4; ++i) {
        spawn(io, [&, i]() -> asio::awaitable<void> {
            auto held = co_await lock.lock(7);
            ++inside;
            EXPECT_EQ(inside, 1);
            log.push_back("in " + std::to_string(i));
            co_await pause(2ms);
            log.push_back("out " + std::to_string(i));
            --inside;
        });
    }
    io.run();
    EXPECT_EQ(log, (std::vector<std::string>{"in 0", "out 0", "in 1", "out 1", "in 2", "out 2", "in 3", "out 3"}));
    EXPECT_FALSE(lock.locked(7));
}

// Different keys do not wait for each other.
TEST(KeyedLockTest, differentKeysAreIndependent) {
    asio::io_context io;
    KeyedLock<std::string> lock;
    Event release(io.get_executor());
    bool second_in = false;
    spawn(io, [&]() -> asio::awaitable<void> {
        auto held = co_await lock.lock("a");
        co_await release.wait();
    });
    spawn(io, [&]() -> asio::awaitable<void> {
        auto held = co_await lock.lock("b");
        second_in = true;
        EXPECT_TRUE(lock.locked("a"));
        release.set();
    });
    io.run();
    EXPECT_TRUE(second_in);
    EXPECT_FALSE(lock.locked("a"));
    EXPECT_FALSE(lock.locked("b"));
}

// A newcomer asking while the key is being handed over waits behind the waiter already queued.
TEST(KeyedLockTest, newcomerDoesNotOvertakeWaiter) {
    asio::io_context io;
    KeyedLock<int> lock;
    std::vector<std::string> order;
    spawn(io, [&]() -> asio::awaitable<void> {
        {
            auto held = co_await lock.lock(1);
            spawn(io, [&]() -> asio::awaitable<void> {
                auto waiter = co_await lock.lock(1);
                order.push_back("waiter");
            });
            co_await pause(2ms);
        }
        // Freed: the queued waiter owns the key now, even before it runs.
        EXPECT_TRUE(lock.locked(1));
        auto again = co_await lock.lock(1);
        order.push_back("newcomer");
    });
    io.run();
    EXPECT_EQ(order, (std::vector<std::string>{"waiter", "newcomer"}));
}

// The guard frees the key however the holder leaves, an exception included.
TEST(KeyedLockTest, guardFreesKeyOnException) {
    asio::io_context io;
    KeyedLock<int> lock;
    bool caught = false;
    spawn(io, [&]() -> asio::awaitable<void> {
        try {
            auto held = co_await lock.lock(3);
            throw std::runtime_error("boom");
        } catch (const std::runtime_error&) {
            caught = true;
        }
        EXPECT_FALSE(lock.locked(3));
        auto again = co_await lock.lock(3);
        EXPECT_TRUE(lock.locked(3));
    });
    io.run();
    EXPECT_TRUE(caught);
    EXPECT_FALSE(lock.locked(3));
}

}  // namespace
}  // namespace cardd::daemon::async
