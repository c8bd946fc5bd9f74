// async::WorkerPool: blocking work runs on the pool, off the io thread, and
// the coroutine resumes on its own thread with the result; one bus's work
// runs one at a time.

#include "daemon/async/worker_pool.hpp"

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace cardd::daemon::async {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

// The work runs on a pool thread; the coroutine carries on on the io thread with its result.
TEST(WorkerPoolTest, runsOnPoolAndResumesHome) {
    asio::io_context io;
    WorkerPool pool(2);
    const auto io_thread = std::this_thread::get_id();
    std::thread::id work_thread;
    std::thread::id resumed_on;
    std::string result;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            result = co_await WorkerPool::run(pool.executor(), [&] {
                work_thread = std::this_thread::get_id();
                return std::string("done");
            });
            resumed_on = std::this_thread::get_id();
        },
        asio::detached);
    io.run();
    EXPECT_EQ(result, "done");
    EXPECT_NE(work_thread, io_thread);
    EXPECT_EQ(resumed_on, io_thread);
}

// Work for one bus never overlaps, though the pool has threads to spare.
TEST(WorkerPoolTest, oneBusOneAtATime) {
    asio::io_context io;
    WorkerPool pool(4);
    std::atomic<int> inside{0};
    std::atomic<int> most{0};
    int done = 0;
    for (int i = 0; i < 4; ++i) {
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                co_await WorkerPool::run(pool.bus("/dev/ttyTEST"), [&] {
                    const int now = ++inside;
                    int seen = most.load();
                    while (now > seen && !most.compare_exchange_weak(seen, now)) {}
                    std::this_thread::sleep_for(5ms);
                    --inside;
                    return 0;
                });
                ++done;
            },
            asio::detached);
    }
    io.run();
    EXPECT_EQ(done, 4);
    EXPECT_EQ(most.load(), 1);
}

}  // namespace
}  // namespace cardd::daemon::async
