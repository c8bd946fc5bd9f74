#pragma once
// Blocking work (in cardd, libmodbus calls) runs on a bounded pool of threads
// and its result is posted back to the executor of the coroutine that asked
// (cardd's one io thread). Terminals on
// one RS-485 bus share a strand, so the bus carries one request at a time
// without holding a pool thread while it waits.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "daemon/async/asio.hpp"
#include "daemon/async/event.hpp"

namespace cardd::daemon::async {

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
    /// throw: errors are values. The work and its result are owned by the
    /// posted handlers, never by a suspended frame, so nothing they hold can
    /// dangle while the coroutine waits.
    template <class Executor, class Work>
    static boost::asio::awaitable<std::invoke_result_t<Work&>> run(Executor executor, Work work) {
        using R = std::invoke_result_t<Work&>;
        struct Waiter {
            explicit Waiter(const boost::asio::any_io_executor& home) : arrived(home) {}
            Event arrived;
            std::optional<R> result;
        };
        const auto home = co_await boost::asio::this_coro::executor;
        auto waiter = std::make_shared<Waiter>(home);
        // Held by a shared_ptr and captured by plain copy: GCC 12 copies bytes
        // for an init-capture that moves a coroutine parameter.
        auto shared_work = std::make_shared<Work>(std::move(work));
        boost::asio::post(executor, [waiter, home, shared_work]() {
            R result = (*shared_work)();
            boost::asio::post(home, [waiter, result = std::move(result)]() mutable {
                waiter->result.emplace(std::move(result));
                waiter->arrived.set();
            });
        });
        co_await waiter->arrived.wait();
        co_return std::move(*waiter->result);
    }

private:
    boost::asio::thread_pool pool_;
    std::map<std::string, Strand> buses_;  // touched on the io thread only
};

}  // namespace cardd::daemon::async
