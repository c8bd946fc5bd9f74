#include "daemon/distributor.hpp"

#include <algorithm>

#include "daemon/terminal/blacklist_sync.hpp"
#include "daemon/json_view.hpp"
#include "daemon/log.hpp"
#include "daemon/terminal/record_collection.hpp"
#include "daemon/terminal_translation.hpp"

namespace cardd::daemon {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace {

// Results of jobs that run side by side; the waiter wakes at each finish to
// report progress, and gives up at its deadline (the jobs go on).
template <class Result>
struct Gather {
    Gather(asio::io_context& io, std::vector<Result> initial)
        : timer(io), results(std::move(initial)), done(results.size(), false), remaining(results.size()) {}

    void finish(std::size_t index, Result result) {
        results[index] = std::move(result);
        done[index] = true;
        --remaining;
        timer.cancel();
    }

    awaitable<void> wait(std::chrono::milliseconds timeout, const ProgressSink& progress) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        std::vector<bool> reported(results.size(), false);
        std::size_t finished = 0;
        for (;;) {
            for (std::size_t i = 0; i < results.size(); ++i) {
                if (!done[i] || reported[i]) continue;
                reported[i] = true;
                ++finished;
                if (progress) {
                    nlohmann::json line = {{"done", finished},
                                           {"total", results.size()},
                                           {"text", results[i].device + ": " + (results[i].ok ? "ok" : results[i].text)}};
                    co_await progress(std::move(line));
                }
            }
            if (remaining == 0 || std::chrono::steady_clock::now() >= deadline) break;
            timer.expires_at(deadline);
            boost::system::error_code ignored;
            co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
        }
    }

    asio::steady_timer timer;
    std::vector<Result> results;
    std::vector<bool> done;
    std::size_t remaining;
};

std::string link_key(const store::Device& device) {
    return address_of(device) + " unit " + std::to_string(device.terminal ? device.terminal->unit_id : 0);
}

}  // namespace

Distributor::Distributor(asio::io_context& io, store::CardStore& store, const Config& config)
    : io_(io),
      store_(store),
      config_(config),
      links_(LinkOptions{config.modbus_timeout}),
      workers_(std::max(1u, config.worker_threads)),
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
        return async::WorkerPool::run(workers_.bus(std::get<store::RtuAddress>(device.terminal->address).device), std::move(guarded));
    }
    return async::WorkerPool::run(workers_.executor(), std::move(guarded));
}

LinkResult<std::shared_ptr<TerminalLink>> Distributor::link_of(const store::Device& device) {
    if (!device.terminal) return link_fail(LinkError::Kind::protocol, "'" + device.name + "' is not a terminal");
    const std::string key = link_key(device);
    if (auto found = link_cache_.find(device.id); found != link_cache_.end() && found->second.first == key) {
        return found->second.second;
    }
    auto link = links_.link_for(terminal_address(*device.terminal));
    if (!link) return std::unexpected(link.error());
    link_cache_[device.id] = {key, *link};
    return *link;
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

awaitable<void> Distributor::lock(store::DeviceId terminal) {
    for (;;) {
        Slot& slot = slots_[terminal];
        if (!slot.busy) {
            slot.busy = true;
            co_return;
        }
        if (!slot.released) slot.released = std::make_shared<asio::steady_timer>(io_, asio::steady_timer::time_point::max());
        auto released = slot.released;
        boost::system::error_code ignored;
        co_await released->async_wait(asio::redirect_error(use_awaitable, ignored));
    }
}

void Distributor::unlock(store::DeviceId terminal) {
    Slot& slot = slots_[terminal];
    slot.busy = false;
    if (slot.released) {
        slot.released->cancel();
        slot.released.reset();
    }
}

namespace {
// Releases a terminal's slot however the coroutine leaves.
struct SlotGuard {
    std::function<void()> release;
    ~SlotGuard() { release(); }
};
}  // namespace

void Distributor::schedule_retry(const store::Device& device, const std::string& error) {
    // Exponential backoff with "equal jitter": half the delay fixed, half
    // random, so terminals that failed together do not retry together.
    const std::int64_t initial = std::max<std::int64_t>(1, config_.retry_initial.count());
    const std::int64_t cap = std::max<std::int64_t>(initial, config_.retry_cap.count());
    std::int64_t delay = initial;
    for (std::int64_t i = 0; i < device.sync_attempts && delay < cap; ++i) delay *= 2;
    delay = std::min(delay, cap);
    const std::int64_t half = delay / 2;
    const std::int64_t jittered = delay - half + std::uniform_int_distribution<std::int64_t>(0, half)(random_);
    const store::UnixTime next = store::system_clock_now() + jittered;
    if (auto recorded = store_.record_sync_failure(device.id, error, next); !recorded) {
        spdlog::error("{} device={} cannot record failure: {}", msg::push_failed.id, device.name, recorded.error().message);
    }
    log_event(msg::push_failed, "device={} attempt={} error=\"{}\"", device.name, device.sync_attempts + 1, error);
    log_event(msg::retry_scheduled, "device={} in={}s", device.name, jittered);
}

awaitable<TerminalResult> Distributor::sync_one(store::DeviceId terminal) {
    co_await lock(terminal);
    SlotGuard guard{[this, terminal] { unlock(terminal); }};
    TerminalResult result;
    bool full_sync_sent = false;
    for (int round = 0; round < 3; ++round) {
        auto device = store_.device(terminal);
        if (!device) {
            result.text = device.error().message;
            co_return result;
        }
        result.device = device->name;
        auto link = link_of(*device);
        if (!link) {
            result.text = link.error().message;
            schedule_retry(*device, result.text);
            co_return result;
        }
        SyncPlan plan;
        auto pending = store_.pending_batches(terminal);
        auto desired = store_.desired_blacklist(terminal);
        auto known = store_.known_versions(terminal);
        if (!pending || !desired || !known) {
            result.text = "store: " + (!pending ? pending.error().message
                                                : !desired ? desired.error().message : known.error().message);
            co_return result;
        }
        plan.planned_version = device->planned_version;
        plan.confirmed_version = device->confirmed_version;
        plan.pending = sync_batches(*pending);
        plan.desired = wire_cards(*desired);
        plan.known_versions = std::move(*known);
        plan.transport = std::holds_alternative<store::RtuAddress>(device->terminal->address) ? protocol::Transport::rtu
                                                                                                : protocol::Transport::tcp;
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
        if (outcome.state && device->terminal_serial != outcome.state->serial && outcome.state->serial != 0) {
            (void)store_.set_terminal_serial(terminal, outcome.state->serial);
        }
        if (outcome.confirmed_version) {
            if (auto confirmed = store_.confirm_version(terminal, *outcome.confirmed_version); !confirmed) {
                spdlog::warn("{} device={} confirm: {}", msg::push_failed.id, device->name, confirmed.error().message);
            }
        }
        switch (outcome.kind) {
            case SyncOutcome::Kind::level:
                (void)store_.record_sync_success(terminal);
                log_event(msg::push_ok, "device={} version={}", device->name,
                          outcome.state ? outcome.state->blacklist_version : 0);
                result.ok = true;
                result.text = "level";
                co_return result;
            case SyncOutcome::Kind::needs_full_sync: {
                log_event(msg::full_sync, "device={} reason=\"{}\"", device->name, outcome.reason);
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

awaitable<CollectResult> Distributor::collect_one(store::DeviceId terminal) {
    co_await lock(terminal);
    SlotGuard guard{[this, terminal] { unlock(terminal); }};
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
        // A terminal that is not the one on record (replaced, or reset) is read from its start.
        const std::int64_t from =
            device->terminal_serial && *device->terminal_serial != 0 ? device->records_next_seq : 0;
        auto read_job = [terminal_link, from]() {
            TerminalClient client(*terminal_link);
            return read_new_records(client, from, batch);
        };
        auto read = co_await on_worker(*device, std::move(read_job));
        if (!read) {
            result.text = read.error().message;
            log_event(msg::collect_failed, "device={} error=\"{}\"", device->name, result.text);
            co_return result;
        }
        if (device->terminal_serial != read->serial) {
            if (auto set = store_.set_terminal_serial(terminal, read->serial); !set) {
                result.text = set.error().message;
                co_return result;
            }
        }
        std::vector<store::TransactionRecord> records;
        records.reserve(read->records.size());
        for (const auto& record : read->records) records.push_back(to_store(record));
        // Stored durably first; only then may the terminal drop them.
        auto stored = store_.store_records(terminal, records);
        if (!stored) {
            result.text = "records not stored: " + stored.error().message;
            log_event(msg::collect_not_stored, "device={} error=\"{}\"", device->name, result.text);
            co_return result;
        }
        result.stored += stored->stored;
        result.duplicates += stored->duplicates;
        for (const store::WriteIntent& settled : stored->settled) {
            log_event(msg::card_write_settled, "write={} kind={} card_no={} uid={} outcome={} by=record",
                      settled.id, to_string(settled.kind), settled.card_no, settled.uid, to_string(settled.state));
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
    log_event(msg::collect_ok, "device={} stored={} duplicates={}", result.device, result.stored,
              result.duplicates);
    result.ok = true;
    result.text = std::to_string(result.stored) + " new records";
    co_return result;
}

awaitable<std::vector<TerminalResult>> Distributor::push(std::vector<store::DeviceId> terminals,
                                                         std::chrono::milliseconds timeout, ProgressSink progress) {
    std::vector<TerminalResult> initial;
    for (store::DeviceId id : terminals) {
        auto device = store_.device(id);
        initial.push_back({device ? device->name : std::to_string(id), false,
                           "still working after " + std::to_string(timeout.count()) +
                               " ms; it finishes in the background"});
    }
    auto gather = std::make_shared<Gather<TerminalResult>>(io_, std::move(initial));
    for (std::size_t i = 0; i < terminals.size(); ++i) {
        asio::co_spawn(
            io_,
            [this, gather, i, id = terminals[i]]() -> awaitable<void> { gather->finish(i, co_await sync_one(id)); },
            asio::detached);
    }
    if (timeout.count() == 0) co_return std::vector<TerminalResult>{};
    co_await gather->wait(timeout, progress);
    co_return gather->results;
}

awaitable<std::vector<CollectResult>> Distributor::collect(std::vector<store::DeviceId> terminals,
                                                           std::chrono::milliseconds timeout, ProgressSink progress) {
    std::vector<CollectResult> initial;
    for (store::DeviceId id : terminals) {
        auto device = store_.device(id);
        initial.push_back({device ? device->name : std::to_string(id), false,
                           "no answer within " + std::to_string(timeout.count()) + " ms"});
    }
    auto gather = std::make_shared<Gather<CollectResult>>(io_, std::move(initial));
    for (std::size_t i = 0; i < terminals.size(); ++i) {
        asio::co_spawn(
            io_,
            [this, gather, i, id = terminals[i]]() -> awaitable<void> { gather->finish(i, co_await collect_one(id)); },
            asio::detached);
    }
    co_await gather->wait(timeout, progress);
    co_return gather->results;
}

awaitable<LinkResult<TerminalInfo>> Distributor::read_params(store::DeviceId terminal) {
    auto device = store_.device(terminal);
    if (!device) co_return link_fail(LinkError::Kind::protocol, device.error().message);
    auto link = link_of(*device);
    if (!link) co_return std::unexpected(link.error());
    co_await lock(terminal);
    SlotGuard guard{[this, terminal] { unlock(terminal); }};
    const std::shared_ptr<TerminalLink> terminal_link = *link;
    auto job = [terminal_link]() {
        TerminalClient client(*terminal_link);
        return client.read_state();
    };
    auto info = co_await on_worker(*device, std::move(job));
    if (info && device->terminal_serial != info->state.serial) (void)store_.set_terminal_serial(terminal, info->state.serial);
    co_return info;
}

void Distributor::start() {
    running_ = true;
    asio::co_spawn(io_, retry_loop(), asio::detached);
    if (config_.audit_interval.count() > 0) asio::co_spawn(io_, periodic(config_.audit_interval, false), asio::detached);
    if (config_.collect_interval.count() > 0) {
        asio::co_spawn(io_, periodic(config_.collect_interval, true), asio::detached);
    }
}

void Distributor::stop() {
    running_ = false;
    for (auto& timer : timers_) timer->cancel();
}

awaitable<void> Distributor::retry_loop() {
    auto timer = std::make_shared<asio::steady_timer>(io_);
    timers_.push_back(timer);
    // After a restart, terminals with changes written but never confirmed are
    // brought level without waiting for anyone to ask.
    for (store::DeviceId id : all_terminals()) {
        auto device = store_.device(id);
        if (device && !device->sync_next_at && device->planned_version != device->confirmed_version) {
            asio::co_spawn(io_, [this, id]() -> awaitable<void> { co_await sync_one(id); }, asio::detached);
        }
    }
    while (running_) {
        timer->expires_after(std::chrono::seconds(1));
        boost::system::error_code error;
        co_await timer->async_wait(asio::redirect_error(use_awaitable, error));
        if (!running_) break;
        auto due = store_.due_retries(store::system_clock_now());
        if (!due) continue;
        for (store::DeviceId id : *due) {
            if (slots_[id].busy) continue;
            asio::co_spawn(io_, [this, id]() -> awaitable<void> { co_await sync_one(id); }, asio::detached);
        }
    }
}

awaitable<void> Distributor::periodic(std::chrono::seconds interval, bool collect_records) {
    auto timer = std::make_shared<asio::steady_timer>(io_);
    timers_.push_back(timer);
    while (running_) {
        timer->expires_after(interval);
        boost::system::error_code error;
        co_await timer->async_wait(asio::redirect_error(use_awaitable, error));
        if (!running_) break;
        for (store::DeviceId id : all_terminals()) {
            if (collect_records) {
                asio::co_spawn(io_, [this, id]() -> awaitable<void> { co_await collect_one(id); }, asio::detached);
            } else {
                // The audit is a sync: it reads version and checksum and
                // repairs whatever disagrees.
                asio::co_spawn(io_, [this, id]() -> awaitable<void> { co_await sync_one(id); }, asio::detached);
            }
        }
    }
}

}  // namespace cardd::daemon
