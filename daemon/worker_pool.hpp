#pragma once
// Blocking work (libmodbus calls) runs on a bounded pool of threads and its
// result is posted back to the io_context that owns the store. Terminals on
// one RS-485 bus share a strand, so the bus carries one request at a time
// without holding a pool thread while it waits.

#include <utility>

#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <map>
#include <string>

namespace cardd::daemon {

class WorkerPool {
public:
    using Strand = boost::asio::strand<boost::asio::thread_pool::executor_type>;

    explicit WorkerPool(unsigned threads) : pool_(threads) {}
    ~WorkerPool() { stop(); }

    void stop() {
        pool_.stop();
        pool_.join();
    }

    /// The strand of one serial bus, made on first use.
    Strand& bus(const std::string& device) {
        auto found = buses_.find(device);
        if (found == buses_.end()) found = buses_.emplace(device, boost::asio::make_strand(pool_.get_executor())).first;
        return found->second;
    }

    boost::asio::thread_pool::executor_type executor() { return pool_.get_executor(); }

    /// Runs `work` on `executor` (the pool or a bus strand) and resumes the
    /// calling coroutine on its own executor with the result. `work` must not
    /// throw: errors are values.
    template <class Executor, class Work>
    static boost::asio::awaitable<std::invoke_result_t<Work&>> run(Executor executor, Work work) {
        using R = std::invoke_result_t<Work&>;
        return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(R)>(
            [executor, work = std::move(work)](auto handler) mutable {
                auto home = boost::asio::get_associated_executor(handler);
                boost::asio::post(executor, [work = std::move(work), handler = std::move(handler), home]() mutable {
                    R result = work();
                    boost::asio::post(home, [handler = std::move(handler), result = std::move(result)]() mutable {
                        std::move(handler)(std::move(result));
                    });
                });
            },
            boost::asio::use_awaitable);
    }

private:
    boost::asio::thread_pool pool_;
    std::map<std::string, Strand> buses_;  // touched on the io thread only
};

}  // namespace cardd::daemon
