#include "daemon/distributor.hpp"

#include <algorithm>

#include "daemon/async/event.hpp"
#include "daemon/async/fan_out.hpp"
#include "daemon/json_view.hpp"
#include "daemon/log.hpp"
#include "daemon/retry_backoff.hpp"
#include "daemon/terminal/blacklist_sync.hpp"
#include "daemon/terminal/record_collection.hpp"
#include "daemon/terminal_translation.hpp"

namespace cardd::daemon {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace {

// The group commits' writes: the store's answer as one outcome per item.
GroupCommit<store::LevelReport>::Outcomes record_levels(store::CardStore& store,
                                                        std::span<const store::LevelReport> reports) {
    GroupCommit<store::LevelReport>::Outcomes outcomes(reports.size());
    auto recorded = store.record_levels(reports);
    for (std::size_t i = 0; i < reports.size(); ++i) {
        if (!recorded) {
            outcomes[i] = recorded.error().message;
        } else if ((*recorded)[i]) {
            outcomes[i] = (*recorded)[i]->message;
        }
    }
    return outcomes;
}

GroupCommit<store::DeviceId>::Outcomes mark_collected(store::CardStore& store,
                                                      std::span<const store::DeviceId> terminals) {
    GroupCommit<store::DeviceId>::Outcomes outcomes(terminals.size());
    if (auto marked = store.mark_collected(terminals); !marked) {
        for (auto& outcome : outcomes) outcome = marked.error().message;
    }
    return outcomes;
}

// Where a collection of `device` starts. A terminal that is not the one on
// record (replaced, or reset) is read from its start.
std::int64_t records_from(const store::Device& device) {
    return device.terminal_serial && *device.terminal_serial != 0 ? device.records_next_seq : 0;
}

// The placeholders of a fan-out carry no name: one is read only for a
// terminal left unfinished, not for every terminal of every push.
template <class Result>
void name_unfinished(store::CardStore& store, const std::vector<store::DeviceId>& terminals,
                     std::vector<Result>& results) {
    for (std::size_t i = 0; i < results.size() && i < terminals.size(); ++i) {
        if (!results[i].device.empty()) continue;
        auto device = store.device(terminals[i]);
        results[i].device = device ? device->name : std::to_string(terminals[i]);
    }
}

// One progress line: how many of `total` have finished, and how this one went.
awaitable<void> report(ProgressSink progress, std::size_t done, std::size_t total, std::string text) {
    nlohmann::json line = {{"done", done}, {"total", total}, {"text", std::move(text)}};
    co_await progress(std::move(line));
}

}  // namespace

const Events Distributor::no_events{};

struct Distributor::Collection {
    explicit Collection(asio::any_io_executor executor) : done(std::move(executor)) {}
    async::Event done;
    CollectResult result;
};

Distributor::Distributor(asio::io_context& io, store::CardStore& store, const Config& config, LinkSource links)
    : io_(io),
      store_(store),
      config_(config),
      links_(std::move(links)),
      workers_(std::max(1u, config.worker_threads)),
      levels_(io.get_executor(),
              [&store](std::span<const store::LevelReport> reports) { return record_levels(store, reports); }),
      collected_(io.get_executor(),
                 [&store](std::span<const store::DeviceId> terminals) { return mark_collected(store, terminals); }),
      random_(std::random_device{}()) {}

Distributor::~Distributor() { workers_.stop(); }

template <class Work>
auto Distributor::on_worker(const store::Device& device, Work work) {
    // A worker must not throw: an exception would end the pool thread. A
    // throw here is a bug in our code, so it becomes a failed outcome.
    auto guarded = [work = std::move(work)]() mutable -> std::invoke_result_t<Work&> {
        try {
            return work();
        } catch (const std::exception& error) {
            using R = std::invoke_result_t<Work&>;
            if constexpr (std::is_same_v<R, SyncOutcome>) {
                SyncOutcome outcome;
                outcome.kind = SyncOutcome::Kind::failed;
                outcome.reason = std::string("internal error: ") + error.what();
                return outcome;
            } else {
                return R(link_fail(LinkError::Kind::protocol, std::string("internal error: ") + error.what()));
            }
        }
    };
    if (device.terminal && std::holds_alternative<store::RtuAddress>(device.terminal->address)) {
        return async::WorkerPool::run(workers_.bus(std::get<store::RtuAddress>(device.terminal->address).device),
                                      std::move(guarded));
    }
    return async::WorkerPool::run(workers_.executor(), std::move(guarded));
}

LinkResult<std::shared_ptr<TerminalLink>> Distributor::link_of(const store::Device& device) {
    if (!device.terminal) return link_fail(LinkError::Kind::protocol, "'" + device.name + "' is not a terminal");
    return links_.link_for(device.id, terminal_address(*device.terminal));
}

std::vector<store::DeviceId> Distributor::all_terminals() {
    std::vector<store::DeviceId> ids;
    if (auto devices = store_.devices()) {
        for (const auto& device : *devices) {
            if (device.kind == store::DeviceKind::terminal) ids.push_back(device.id);
        }
    }
    return ids;
}

std::vector<store::DeviceId> Distributor::driven_terminals() {
    std::vector<store::DeviceId> ids = all_terminals();
    std::erase_if(ids, [this](store::DeviceId id) { return !drives(id); });
    return ids;
}

void Distributor::schedule_retry(const store::Device& device, const std::string& error) {
    const std::int64_t jittered = retry_delay(device.sync_attempts, config_.retry_initial, config_.retry_cap,
                                              std::uniform_real_distribution<double>(0.0, 1.0)(random_))
                                      .count();
    const store::UnixTime next = store::system_clock_now() + jittered;
    if (auto recorded = store_.record_sync_failure(device.id, error, next); !recorded) {
        log_event(msg::push_not_recorded,
                  {{"device", device.name}, {"what", "failure"}, {"error", recorded.error().message}});
    }
    log_event(msg::push_failed, {{"device", device.name}, {"attempt", device.sync_attempts + 1}, {"error", error}});
    log_event(msg::retry_scheduled, {{"device", device.name}, {"retry_in_s", jittered}});
    events().health_changed();
}

awaitable<TerminalResult> Distributor::sync_one(store::DeviceId terminal, PushMode mode) {
    TerminalResult result = co_await sync_terminal(terminal, mode);
    if (sync_done_) sync_done_();
    co_return result;
}

awaitable<TerminalResult> Distributor::sync_terminal(store::DeviceId terminal, PushMode mode) {
    const auto held = co_await busy_.lock(terminal);
    const auto began = std::chrono::steady_clock::now();
    TerminalResult result;
    bool full_sync_sent = false;
    // When the oldest batch this sync brings to the terminal was written:
    // the push latency runs from there to the confirmation.
    std::optional<store::UnixTime> oldest_pending;
    // What a round that ended asking for a full sync saw: the full sync
    // of the next round starts from it instead of reading it again.
    std::optional<protocol::TerminalState> known_state;
    for (int round = 0; round < 3; ++round) {
        auto device = store_.device(terminal);
        if (!device) {
            result.text = device.error().message;
            co_return result;
        }
        result.device = device->name;
        if (mode == PushMode::changes_only && round == 0 && device->planned_version == device->confirmed_version &&
            device->sync_attempts == 0 && device->terminal_serial && *device->terminal_serial != 0) {
            // Confirmed at the planned version since this push was asked for
            // (by the sync ahead of it in the queue): nothing left to send.
            result.ok = true;
            result.text = "level";
            co_return result;
        }
        if (mode == PushMode::changes_only && round == 0) {
            if (auto resting = resting_on_bus(*device)) {
                result.text = std::move(*resting);
                co_return result;
            }
        }
        auto link = link_of(*device);
        if (!link) {
            result.text = link.error().message;
            schedule_retry(*device, result.text);
            co_return result;
        }
        SyncPlan plan;
        // The list everywhere is shared by every terminal and read again
        // only when it changed; a terminal adds its own few exceptions.
        auto pending = store_.pending_batches(terminal);
        auto everywhere = store_.everywhere();
        auto own = store_.exceptions(terminal);
        if (!pending || !everywhere || !own) {
            result.text = "store: " + (!pending      ? pending.error().message
                                       : !everywhere ? everywhere.error().message
                                                     : own.error().message);
            co_return result;
        }
        if (!oldest_pending && !pending->empty()) oldest_pending = pending->front().created_at;
        plan.planned_version = device->planned_version;
        plan.confirmed_version = device->confirmed_version;
        plan.pending = sync_batches(*pending);
        plan.desired = desired_set(shared_lists_.of(*everywhere), *own);
        // A terminal that took its last sync and has been seen is trusted to
        // be where it was left: its deltas go out without a read first.
        if (round == 0 && device->sync_attempts == 0 && device->terminal_serial && *device->terminal_serial != 0 &&
            serial_seen_.contains(terminal)) {
            plan.expected_version = device->confirmed_version;
        }
        if (device->terminal_serial && *device->terminal_serial != 0) plan.expected_serial = device->terminal_serial;
        plan.transport = std::holds_alternative<store::RtuAddress>(device->terminal->address)
                             ? protocol::Transport::rtu
                             : protocol::Transport::tcp;
        plan.known_state = known_state;
        plan.session_id = std::uniform_int_distribution<std::uint32_t>(1, 0xFFFFFFFFu)(random_);
        full_sync_sent = full_sync_sent || (!plan.pending.empty() && plan.pending.front().op == BatchOp::full);

        // Captures are plain copies of named values: GCC 12 mishandles
        // init-captures (`x = std::move(y)`) of coroutine locals, copying
        // bytes where it should move, which frees the same buffer twice.
        const std::shared_ptr<TerminalLink> terminal_link = *link;
        const auto shared_plan = std::make_shared<const SyncPlan>(std::move(plan));
        auto job = [terminal_link, shared_plan]() {
            TerminalClient client(*terminal_link);
            return synchronise(client, *shared_plan);
        };
        SyncOutcome outcome = co_await on_worker(*device, std::move(job));
        if (outcome.error == LinkError::Kind::wrong_terminal) {
            (void)note_serial(*device, std::nullopt, true);
            report_wrong_terminal(*device, outcome.reason);
            result.text = outcome.reason;
            co_return result;
        }
        (void)note_serial(*device, outcome.state ? std::optional(outcome.state->serial) : std::nullopt,
                          outcome.kind == SyncOutcome::Kind::failed);
        // Kept until a later sync ends level: a push whose changes this sync
        // brought still needs it while the next sync runs (AfterPush). A
        // terminal seen for the first time has all of its records still to
        // collect (records_from is 0).
        if (outcome.kind == SyncOutcome::Kind::level && outcome.held_records) {
            held_records_[terminal] = {*outcome.held_records, began, device->name, records_from(*device)};
        }
        if (outcome.kind == SyncOutcome::Kind::level) {
            const store::LevelReport report{terminal, outcome.confirmed_version};
            const std::optional<std::string> refused = co_await levels_.record(report);
            if (refused) {
                log_event(msg::push_not_recorded, {{"device", device->name},
                                                   {"what", "confirmation"},
                                                   {"version", outcome.confirmed_version.value_or(0)},
                                                   {"error", *refused}});
            }
        } else if (outcome.confirmed_version) {
            if (auto confirmed = store_.confirm_version(terminal, *outcome.confirmed_version); !confirmed) {
                log_event(msg::push_not_recorded, {{"device", device->name},
                                                   {"what", "confirmation"},
                                                   {"version", *outcome.confirmed_version},
                                                   {"error", confirmed.error().message}});
            }
        }
        switch (outcome.kind) {
            case SyncOutcome::Kind::level:
                // Level is the planned version, whether a state block was read or not.
                log_event(msg::push_ok, {{"device", device->name}, {"version", device->planned_version}});
                if (oldest_pending) {
                    const double now =
                        std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
                    events().push_confirmed_after(now - static_cast<double>(*oldest_pending));
                }
                events().health_changed();
                result.ok = true;
                result.text = "level";
                co_return result;
            case SyncOutcome::Kind::needs_full_sync: {
                log_event(msg::full_sync, {{"device", device->name}, {"reason", outcome.reason}});
                if (full_sync_sent) {
                    result.text = "a full sync did not bring the terminal level: " + outcome.reason;
                    schedule_retry(*device, result.text);
                    co_return result;
                }
                auto planned = store_.plan_full_sync(terminal);
                if (!planned) {
                    result.text = "store: " + planned.error().message;
                    co_return result;
                }
                known_state = outcome.state;
                continue;
            }
            case SyncOutcome::Kind::failed:
                result.text = outcome.reason;
                schedule_retry(*device, outcome.reason);
                co_return result;
        }
    }
    result.text = "the terminal did not become level after a full sync";
    co_return result;
}

awaitable<TerminalResult> Distributor::watch_level(store::DeviceId terminal, std::chrono::milliseconds timeout) {
    TerminalResult result;
    auto device = store_.device(terminal);
    if (!device) {
        result.text = device.error().message;
        co_return result;
    }
    result.device = device->name;
    const std::int64_t planned = device->planned_version;
    // Each look is one row read. It ends with the push's timeout: fan_out
    // leaves what runs past it to finish in the background, and a terminal
    // no one drives for a day must not be watched for a day.
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    asio::steady_timer wait(io_);
    for (;;) {
        auto now = store_.device(terminal);
        if (!now) {
            result.text = now.error().message;
            co_return result;
        }
        if (now->confirmed_version >= planned) {
            result.ok = true;
            result.text = "level, confirmed by the instance that drives it";
            co_return result;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            result.text = "not confirmed yet by the instance that drives it";
            co_return result;
        }
        wait.expires_after(std::chrono::milliseconds(100));
        co_await wait.async_wait(asio::use_awaitable);
    }
}

void Distributor::sync_planned_elsewhere() {
    auto newest = store_.newest_version();
    if (!newest || *newest == newest_version_seen_) return;
    // Not seen until the store answered: looked at again at the next tick.
    if (sync_unconfirmed()) newest_version_seen_ = *newest;
}

awaitable<CollectResult> Distributor::collect_shared(store::DeviceId terminal) {
    if (!drives(terminal)) {
        auto device = store_.device(terminal);
        co_return CollectResult{device ? device->name : std::to_string(terminal), false,
                                "driven by another instance, which collects its records"};
    }
    if (auto found = collecting_.find(terminal); found != collecting_.end()) {
        // A storm of losses asks for the same terminal's records again and
        // again: the collection in flight answers all of them.
        const std::shared_ptr<Collection> running = found->second;
        co_await running->done.wait();
        co_return running->result;
    }
    const auto running = std::make_shared<Collection>(io_.get_executor());
    collecting_.emplace(terminal, running);
    running->result = co_await collect_one(terminal);
    collecting_.erase(terminal);
    running->done.set();
    co_return running->result;
}

awaitable<CollectResult> Distributor::collect_if_waiting(store::DeviceId terminal, AfterPush after_push) {
    const auto held = held_records_.find(terminal);
    // A sync begun before the push planned without its changes.
    if (held == held_records_.end() || held->second.began < after_push.began) {
        co_return co_await collect_shared(terminal);
    }
    const HeldAfterSync seen = held->second;
    if (holds_new_records(seen.records_from, seen.records.oldest_seq, seen.records.next_seq)) {
        co_return co_await collect_shared(terminal);
    }
    // The collection time is still written: the store holds every record
    // the terminal had when it last answered.
    const std::optional<std::string> refused = co_await collected_.record(terminal);
    CollectResult result{seen.device, !refused, refused ? "records not stored: " + *refused : "0 new records"};
    if (refused) log_event(msg::collect_not_stored, {{"device", seen.device}, {"error", result.text}});
    co_return result;
}

awaitable<CollectResult> Distributor::collect_one(store::DeviceId terminal) {
    const auto held = co_await busy_.lock(terminal);
    CollectResult result;
    for (;;) {
        auto device = store_.device(terminal);
        if (!device) {
            result.text = device.error().message;
            co_return result;
        }
        result.device = device->name;
        auto link = link_of(*device);
        if (!link) {
            result.text = link.error().message;
            co_return result;
        }
        constexpr std::size_t batch = 1000;
        const std::shared_ptr<TerminalLink> terminal_link = *link;
        const std::int64_t from = records_from(*device);
        const std::optional<std::uint32_t> from_serial = device->terminal_serial;
        auto read_job = [terminal_link, from, from_serial]() {
            TerminalClient client(*terminal_link);
            return read_new_records(client, from, batch, from_serial);
        };
        auto read = co_await on_worker(*device, std::move(read_job));
        if (!read) {
            result.text = read.error().message;
            (void)note_serial(*device, std::nullopt, true);
            if (read.error().kind == LinkError::Kind::wrong_terminal) {
                report_wrong_terminal(*device, result.text);
            } else {
                log_event(msg::collect_failed, {{"device", device->name}, {"error", result.text}});
            }
            co_return result;
        }
        if (auto noted = note_serial(*device, read->serial, false); !noted) {
            result.text = noted.error().message;
            co_return result;
        }
        if (read->records.empty()) {
            // Nothing new, the common case before a loss: only the collection
            // time is written, in one commit with the other terminals'.
            const std::optional<std::string> refused = co_await collected_.record(terminal);
            if (refused) {
                result.text = "records not stored: " + *refused;
                log_event(msg::collect_not_stored, {{"device", device->name}, {"error", result.text}});
                co_return result;
            }
            break;
        }
        std::vector<store::TransactionRecord> records;
        records.reserve(read->records.size());
        for (const auto& record : read->records) records.push_back(to_store(record));
        // Stored durably first; only then may the terminal drop them.
        auto stored = store_.store_records(terminal, records);
        if (!stored) {
            result.text = "records not stored: " + stored.error().message;
            log_event(msg::collect_not_stored, {{"device", device->name}, {"error", result.text}});
            co_return result;
        }
        result.stored += stored->stored;
        result.duplicates += stored->duplicates;
        for (const store::WriteIntent& settled : stored->settled) {
            log_event(msg::card_write_settled, {{"write", settled.id},
                                                {"kind", to_string(settled.kind)},
                                                {"card_no", settled.card_no},
                                                {"uid", settled.uid},
                                                {"outcome", to_string(settled.state)},
                                                {"by", "record"}});
            events().card_write_ended("settled");
        }
        if (!read->records.empty()) {
            const std::uint32_t next = read->next_seq;
            auto ack_job = [terminal_link, next]() {
                TerminalClient client(*terminal_link);
                return acknowledge_records(client, next);
            };
            auto acked = co_await on_worker(*device, std::move(ack_job));
            if (!acked) {
                // The records are safe; the next collection reads them again
                // and (serial, seq) keeps them from counting twice.
                result.ok = true;
                result.text = "stored, but the acknowledgement failed: " + acked.error().message;
                co_return result;
            }
        }
        if (read->records.size() < batch) break;
    }
    log_event(msg::collect_ok,
              {{"device", result.device}, {"stored", result.stored}, {"duplicates", result.duplicates}});
    events().health_changed();
    result.ok = true;
    result.text = std::to_string(result.stored) + " new records";
    co_return result;
}

awaitable<std::vector<TerminalResult>> Distributor::push(std::vector<store::DeviceId> terminals,
                                                         std::chrono::milliseconds timeout, ProgressSink progress,
                                                         PushMode mode) {
    std::vector<TerminalResult> unfinished;
    std::vector<async::Job<TerminalResult>> jobs;
    const std::string still_working =
        "still working after " + std::to_string(timeout.count()) + " ms; it finishes in the background";
    for (store::DeviceId id : terminals) {
        unfinished.push_back({"", false, still_working});
        if (drives(id)) {
            jobs.push_back([this, id, mode] { return sync_one(id, mode); });
        } else {
            jobs.push_back([this, id, timeout] { return watch_level(id, timeout); });
        }
    }
    async::FinishSink<TerminalResult> on_finish;
    const std::size_t total = terminals.size();
    if (progress) {
        on_finish = [progress, total](std::size_t done, const TerminalResult& result) {
            return report(progress, done, total, result.device + ": " + (result.ok ? "ok" : result.text));
        };
    }
    auto results = co_await async::fan_out(std::move(jobs), std::move(unfinished), timeout, std::move(on_finish));
    if (timeout.count() == 0) co_return std::vector<TerminalResult>{};
    name_unfinished(store_, terminals, results);
    if (total > 0) {
        const auto ok = static_cast<std::size_t>(
            std::count_if(results.begin(), results.end(), [](const TerminalResult& result) { return result.ok; }));
        log_event(msg::push_done, {{"ok", ok}, {"failed", total - ok}, {"total", total}});
    }
    co_return results;
}

awaitable<std::vector<CollectResult>> Distributor::collect(std::vector<store::DeviceId> terminals,
                                                           std::chrono::milliseconds timeout, ProgressSink progress,
                                                           std::optional<AfterPush> after_push) {
    std::vector<CollectResult> unfinished;
    std::vector<async::Job<CollectResult>> jobs;
    const std::string no_answer = "no answer within " + std::to_string(timeout.count()) + " ms";
    for (store::DeviceId id : terminals) {
        unfinished.push_back({"", false, no_answer});
        if (after_push) {
            const AfterPush since = *after_push;
            jobs.push_back([this, id, since] { return collect_if_waiting(id, since); });
        } else {
            jobs.push_back([this, id] { return collect_shared(id); });
        }
    }
    async::FinishSink<CollectResult> on_finish;
    const std::size_t total = terminals.size();
    if (progress) {
        on_finish = [progress, total](std::size_t done, const CollectResult& result) {
            return report(progress, done, total, result.device + ": " + (result.ok ? "ok" : result.text));
        };
    }
    auto results = co_await async::fan_out(std::move(jobs), std::move(unfinished), timeout, std::move(on_finish));
    name_unfinished(store_, terminals, results);
    co_return results;
}

awaitable<LinkResult<TerminalInfo>> Distributor::read_params(store::DeviceId terminal) {
    auto device = store_.device(terminal);
    if (!device) co_return link_fail(LinkError::Kind::protocol, device.error().message);
    auto link = link_of(*device);
    if (!link) co_return std::unexpected(link.error());
    const auto held = co_await busy_.lock(terminal);
    const std::shared_ptr<TerminalLink> terminal_link = *link;
    auto job = [terminal_link]() {
        TerminalClient client(*terminal_link);
        return client.read_info();
    };
    auto info = co_await on_worker(*device, std::move(job));
    // Only read: another terminal's serial is shown as read, never recorded.
    (void)note_serial(*device, info ? std::optional(info->state.serial) : std::nullopt, !info);
    co_return info;
}

store::Result<void> Distributor::note_serial(const store::Device& device, std::optional<std::uint32_t> seen,
                                             bool failed) {
    if (failed) {
        serial_seen_.erase(device.id);
        return {};
    }
    if (!seen || *seen == 0) return {};
    if (!device.terminal_serial || *device.terminal_serial == 0) {
        // A first contact: this is the terminal at the address from now on.
        if (auto set = store_.set_terminal_serial(device.id, *seen); !set) return set;
    } else if (*device.terminal_serial != *seen) {
        serial_seen_.erase(device.id);
        return {};
    }
    serial_seen_.insert(device.id);
    return {};
}

void Distributor::report_wrong_terminal(const store::Device& device, const std::string& error) {
    log_event(msg::terminal_wrong_serial, {{"device", device.name}, {"error", error}});
    schedule_retry(device, error + " (cables swapped? if the terminal was replaced: cardctl device accept-serial " +
                               device.name + ")");
}

void Distributor::forget_serial(store::DeviceId terminal) {
    serial_seen_.erase(terminal);
    held_records_.erase(terminal);
}

void Distributor::sync_in_background(store::DeviceId terminal) {
    asio::co_spawn(
        io_, [this, terminal]() -> awaitable<void> { co_await sync_one(terminal); }, asio::detached);
}

void Distributor::sync_pending_after_restart() {
    // After a restart, terminals with changes written but never confirmed are
    // brought level without waiting for anyone to ask; with the store away,
    // the next audit brings them.
    (void)sync_unconfirmed();
}

bool Distributor::sync_unconfirmed() {
    auto unconfirmed = store_.unconfirmed_terminals();
    if (!unconfirmed) return false;
    for (store::DeviceId id : *unconfirmed) {
        if (!busy_.locked(id) && drives(id)) sync_in_background(id);
    }
    return true;
}

std::optional<std::string> Distributor::resting_on_bus(const store::Device& device) const {
    if (!device.terminal || !std::holds_alternative<store::RtuAddress>(device.terminal->address)) return std::nullopt;
    const store::UnixTime now = store::system_clock_now();
    if (device.sync_attempts == 0 || !device.sync_next_at || *device.sync_next_at <= now) return std::nullopt;
    return "not asked now: it failed on its RS-485 bus (" + device.sync_error.value_or("no answer") +
           "); the retry queue asks it again in " + std::to_string(*device.sync_next_at - now) + " s";
}

void Distributor::retry_due() {
    auto due = store_.due_retries(store::system_clock_now());
    if (!due) return;
    for (store::DeviceId id : *due) {
        if (busy_.locked(id) || !drives(id)) continue;
        sync_in_background(id);
    }
}

// Every change to every terminal is a batch row: a loss to 10,000 terminals
// writes 10,000. Once confirmed and a day old, a batch only says what a
// terminal was once told, so it goes, and the table holds about one row per
// terminal and change still on its way.
void Distributor::prune_batches() {
    constexpr std::int64_t kept_for_s = 86400;
    const store::UnixTime before = store::system_clock_now() - kept_for_s;
    // A failure leaves the rows for the next audit; the store's own outage
    // message (CARDD_STORE_UNREACHABLE) says why.
    (void)store_.prune_batches(before);
}

void Distributor::start() {
    asio::post(io_, [this] { sync_pending_after_restart(); });
    const auto executor = io_.get_executor();
    retries_.start(executor, std::chrono::seconds(1), [this]() -> awaitable<void> {
        retry_due();
        co_return;
    });
    if (!config_.instance.empty()) {
        // Another instance's loss is seen within a fifth of a second.
        planned_elsewhere_.start(executor, std::chrono::milliseconds(200), [this]() -> awaitable<void> {
            sync_planned_elsewhere();
            co_return;
        });
    }
    if (config_.audit_interval.count() > 0) {
        // The audit is a sync: it reads version and checksum and repairs
        // whatever disagrees.
        audits_.start(executor, config_.audit_interval, [this]() -> awaitable<void> {
            for (store::DeviceId id : driven_terminals()) sync_in_background(id);
            prune_batches();
            co_return;
        });
    }
    if (config_.collect_interval.count() > 0) {
        collections_.start(executor, config_.collect_interval, [this]() -> awaitable<void> {
            for (store::DeviceId id : driven_terminals()) {
                asio::co_spawn(
                    io_, [this, id]() -> awaitable<void> { co_await collect_shared(id); }, asio::detached);
            }
            co_return;
        });
    }
}

void Distributor::stop() {
    planned_elsewhere_.stop();
    retries_.stop();
    audits_.stop();
    collections_.stop();
}

}  // namespace cardd::daemon
