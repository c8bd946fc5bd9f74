#pragma once
// Brings terminals level with the store and collects their records: plans
// come from the store on the io thread, the Modbus conversation runs on the
// worker pool, the outcome is written back on the io thread. A terminal that
// cannot be reached goes into the store's retry queue. One terminal has one
// conversation at a time (a per-terminal lock); links come from the injected
// LinkSource, one per terminal (link_cache.hpp).

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "daemon/async/asio.hpp"
#include "daemon/async/interval_loop.hpp"
#include "daemon/async/keyed_lock.hpp"
#include "daemon/async/worker_pool.hpp"
#include "daemon/config.hpp"
#include "daemon/control/command_registry.hpp"
#include "daemon/events.hpp"
#include "daemon/group_commit.hpp"
#include "daemon/link_cache.hpp"
#include "daemon/terminal/blacklist_sync.hpp"
#include "daemon/terminal/terminal_client.hpp"
#include "daemon/terminal_translation.hpp"
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

/// What a push asks of terminals whose store state says they are level.
enum class PushMode {
    contact,       ///< every terminal is read (resync now, an audit)
    changes_only,  ///< a terminal the store knows level, with no failure, is level without a word on the wire
};

/// A collection that follows a push: a terminal whose sync, begun at or
/// after `began`, ended level with an answer showing no record the store
/// lacks is not read. That answer came after the sync's commands took
/// effect, so every card the terminal took before then is in the store.
struct AfterPush {
    std::chrono::steady_clock::time_point began;
};

class Distributor {
public:
    /// `links` makes the link to a terminal (modbus_links() in cardd).
    Distributor(boost::asio::io_context& io, store::CardStore& store, const Config& config, LinkSource links);
    ~Distributor();

    /// Who hears of confirmations, failures and collections (the metrics);
    /// `events` outlives the distributor. None by default.
    void set_events(const Events& events) { events_ = &events; }

    /// Starts the retry queue, the periodic audit and collection.
    void start();
    void stop();

    /// Brings each terminal level now, in parallel (one at a time per bus),
    /// waiting at most `timeout`; a terminal still working then is reported
    /// so and finishes in the background.
    /// `progress`, when given, hears of each terminal as it finishes.
    /// With PushMode::changes_only, a terminal a sync brought level while this
    /// one waited its turn (a storm of losses) is not contacted again.
    boost::asio::awaitable<std::vector<TerminalResult>> push(std::vector<store::DeviceId> terminals,
                                                             std::chrono::milliseconds timeout,
                                                             ProgressSink progress = {},
                                                             PushMode mode = PushMode::contact);

    /// Collects, stores, then acknowledges records from each terminal. A
    /// terminal already being collected is not collected twice: the caller
    /// shares the collection in flight. After a push, a terminal that has
    /// nothing waiting is collected without a word on the wire (AfterPush).
    boost::asio::awaitable<std::vector<CollectResult>> collect(std::vector<store::DeviceId> terminals,
                                                               std::chrono::milliseconds timeout,
                                                               ProgressSink progress = {},
                                                               std::optional<AfterPush> after_push = std::nullopt);

    /// Reads a terminal's state block now.
    boost::asio::awaitable<LinkResult<TerminalInfo>> read_params(store::DeviceId terminal);

    /// `changed` is called on the io thread after each terminal's sync
    /// (a push, a retry, an audit), so the service status can follow it.
    void on_sync_done(std::function<void()> changed) { sync_done_ = std::move(changed); }

    /// Why a unit on an RS-485 bus is left to the retry queue for now: it
    /// failed and is not due again, and asking it on every loss would cost
    /// each unit on its line that unit's timeout and retries. nullopt for a
    /// TCP terminal (asked in parallel, costing no one else) or one not failing.
    std::optional<std::string> resting_on_bus(const store::Device& device) const;

    /// Every terminal id, for "all".
    std::vector<store::DeviceId> all_terminals();

    /// With several instances on one store, which terminals this one drives
    /// (LeaseKeeper::drives); unset, it drives them all. A push waits for a
    /// terminal it does not drive to be confirmed by the instance that does;
    /// the retry queue, audits and collections leave it to that instance.
    void drive_only(std::function<bool(store::DeviceId)> drives) { drives_ = std::move(drives); }
    bool drives(store::DeviceId terminal) const { return !drives_ || drives_(terminal); }
    /// Terminals this instance drives that have batches not yet confirmed,
    /// brought level in the background: what a loss reported on another
    /// instance planned. Cheap when nothing changed (one counter read).
    void sync_planned_elsewhere();

    /// The terminal's serial on record was forgotten (device-accept-serial):
    /// whatever was seen of it no longer holds.
    void forget_serial(store::DeviceId terminal);
    /// Brings one terminal level in the background.
    void sync_in_background(store::DeviceId terminal);

private:
    boost::asio::awaitable<TerminalResult> sync_one(store::DeviceId terminal, PushMode mode = PushMode::contact);
    boost::asio::awaitable<TerminalResult> sync_terminal(store::DeviceId terminal, PushMode mode);
    /// A terminal another instance drives, watched in the store until it is
    /// level with what was planned for it when the watch began, for at most `timeout`.
    boost::asio::awaitable<TerminalResult> watch_level(store::DeviceId terminal, std::chrono::milliseconds timeout);
    /// The terminals this instance drives, of every terminal.
    std::vector<store::DeviceId> driven_terminals();
    boost::asio::awaitable<CollectResult> collect_shared(store::DeviceId terminal);
    boost::asio::awaitable<CollectResult> collect_one(store::DeviceId terminal);
    boost::asio::awaitable<CollectResult> collect_if_waiting(store::DeviceId terminal, AfterPush after_push);
    void sync_pending_after_restart();
    /// Brings the terminals it drives that have a batch not yet confirmed
    /// (and no retry due) level in the background; false when the store did not answer.
    bool sync_unconfirmed();
    void retry_due();
    void prune_batches();
    void schedule_retry(const store::Device& device, const std::string& error);
    /// What a conversation showed of the terminal's serial: `seen` from a
    /// state block (none when it read none), `failed` when it ended in a
    /// failure. Records the serial at a first contact; the store's refusal
    /// of that record is the error.
    store::Result<void> note_serial(const store::Device& device, std::optional<std::uint32_t> seen, bool failed);
    /// Reports a terminal that answered with another serial than the one on record.
    void report_wrong_terminal(const store::Device& device, const std::string& error);

    template <class Work>
    auto on_worker(const store::Device& device, Work work);
    LinkResult<std::shared_ptr<TerminalLink>> link_of(const store::Device& device);

    boost::asio::io_context& io_;
    store::CardStore& store_;
    const Config& config_;
    LinkCache links_;
    async::WorkerPool workers_;
    async::KeyedLock<store::DeviceId> busy_;  // one conversation per terminal
    GroupCommit<store::LevelReport> levels_;  // terminals found level
    GroupCommit<store::DeviceId> collected_;  // terminals collected with nothing new
    struct Collection;
    std::map<store::DeviceId, std::shared_ptr<Collection>> collecting_;  // collections in flight
    struct HeldAfterSync {
        HeldRecords records;  // at the sync's last answer
        std::chrono::steady_clock::time_point began;
        std::string device;
        // Where a collection started when the sync began: a collection since
        // only moved it on, so a check from here never misses a record.
        std::int64_t records_from = 0;
    };
    std::map<store::DeviceId, HeldAfterSync> held_records_;  // by the last sync that ended level
    // Terminals whose serial a state block showed to be the one on record,
    // with no failure since: only these take deltas without a state read
    // first (SyncPlan::expected_version), since only a state read shows the
    // serial. A swapped cable breaks connections and times requests out, so
    // a terminal swapped in is read before anything is written to it.
    std::set<store::DeviceId> serial_seen_;
    std::mt19937_64 random_;
    SharedListCache shared_lists_;
    async::IntervalLoop retries_;
    async::IntervalLoop audits_;
    async::IntervalLoop collections_;
    std::function<void()> sync_done_;
    std::function<bool(store::DeviceId)> drives_;
    async::IntervalLoop planned_elsewhere_;
    std::int64_t newest_version_seen_ = -1;  // the store's version counter at the last look
    const Events* events_ = nullptr;
    static const Events no_events;
    const Events& events() const noexcept { return events_ ? *events_ : no_events; }
};

}  // namespace cardd::daemon
