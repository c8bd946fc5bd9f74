#pragma once
// Brings terminals level with the store and collects their records: plans
// come from the store on the io thread, the Modbus conversation runs on the
// worker pool, the outcome is written back on the io thread. A terminal that
// cannot be reached goes into the store's retry queue.

#include <chrono>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "daemon/async/asio.hpp"
#include "daemon/async/worker_pool.hpp"
#include "daemon/control/command_registry.hpp"
#include "daemon/config.hpp"
#include "daemon/terminal/modbus_link.hpp"
#include "daemon/terminal/terminal_client.hpp"
#include "protocol/state_block.hpp"
#include "store/card_store.hpp"

namespace cardd::daemon {

struct TerminalResult {
    std::string device;
    bool ok = false;
    std::string text;  ///< why it failed, or what was done
};

struct CollectResult {
    std::string device;
    bool ok = false;
    std::string text;
    std::size_t stored = 0;
    std::size_t duplicates = 0;
};

class Distributor {
public:
    Distributor(boost::asio::io_context& io, store::CardStore& store, const Config& config);
    ~Distributor();

    /// Starts the retry queue, the periodic audit and collection.
    void start();
    void stop();

    /// Brings each terminal level now, in parallel (one at a time per bus),
    /// waiting at most `timeout`; a terminal still working then is reported
    /// so and finishes in the background.
    /// `progress`, when given, hears of each terminal as it finishes.
    boost::asio::awaitable<std::vector<TerminalResult>> push(std::vector<store::DeviceId> terminals,
                                                             std::chrono::milliseconds timeout,
                                                             ProgressSink progress = {});

    /// Collects, stores, then acknowledges records from each terminal.
    boost::asio::awaitable<std::vector<CollectResult>> collect(std::vector<store::DeviceId> terminals,
                                                               std::chrono::milliseconds timeout,
                                                               ProgressSink progress = {});

    /// Reads a terminal's state block now.
    boost::asio::awaitable<LinkResult<TerminalInfo>> read_params(store::DeviceId terminal);

    /// Every terminal id, for "all".
    std::vector<store::DeviceId> all_terminals();

private:
    boost::asio::awaitable<TerminalResult> sync_one(store::DeviceId terminal);
    boost::asio::awaitable<CollectResult> collect_one(store::DeviceId terminal);
    boost::asio::awaitable<void> lock(store::DeviceId terminal);
    void unlock(store::DeviceId terminal);
    boost::asio::awaitable<void> retry_loop();
    boost::asio::awaitable<void> periodic(std::chrono::seconds interval, bool collect_records);
    void schedule_retry(const store::Device& device, const std::string& error);

    template <class Work>
    auto on_worker(const store::Device& device, Work work);
    LinkResult<std::shared_ptr<TerminalLink>> link_of(const store::Device& device);

    struct Slot {
        bool busy = false;
        std::shared_ptr<boost::asio::steady_timer> released;
    };

    boost::asio::io_context& io_;
    store::CardStore& store_;
    const Config& config_;
    LinkFactory links_;
    async::WorkerPool workers_;
    std::map<store::DeviceId, Slot> slots_;
    std::map<store::DeviceId, std::pair<std::string, std::shared_ptr<TerminalLink>>> link_cache_;
    std::mt19937_64 random_;
    bool running_ = false;
    std::vector<std::shared_ptr<boost::asio::steady_timer>> timers_;
};

}  // namespace cardd::daemon
