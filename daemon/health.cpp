#include "daemon/health.hpp"

#include <algorithm>

namespace cardd::daemon {

std::string_view to_string(TerminalState state) noexcept {
    switch (state) {
        case TerminalState::failed: return "failed";
        case TerminalState::behind: return "behind";
        case TerminalState::never_reached: return "never_reached";
        case TerminalState::level: return "level";
    }
    return "level";
}

TerminalState terminal_state(const store::Device& device) noexcept {
    if (device.sync_error) return TerminalState::failed;
    if (device.planned_version != device.confirmed_version) return TerminalState::behind;
    if (!device.terminal_serial) return TerminalState::never_reached;
    return TerminalState::level;
}

std::int64_t Health::terminals_in(TerminalState state) const {
    return std::ranges::count_if(terminals, [state](const TerminalHealth& t) { return t.state == state; });
}

std::int64_t Health::pending_batches() const {
    std::int64_t total = 0;
    for (const auto& pending : counts.pending_batches) total += pending.batches;
    return total;
}

std::int64_t Health::retry_queue_depth() const {
    return std::ranges::count_if(terminals, [](const TerminalHealth& t) { return t.device.sync_next_at.has_value(); });
}

const TerminalHealth* Health::next_retry() const {
    const TerminalHealth* first = nullptr;
    for (const TerminalHealth& terminal : terminals) {
        if (!terminal.device.sync_next_at) continue;
        if (!first || *terminal.device.sync_next_at < *first->device.sync_next_at) first = &terminal;
    }
    return first;
}

std::int64_t Health::collection_lag(const TerminalHealth& terminal) const {
    const store::UnixTime since = terminal.device.last_collected_at.value_or(terminal.device.created_at);
    return std::max<std::int64_t>(0, now - since);
}

store::Result<Health> read_health(store::CardStore& store, store::UnixTime now) {
    auto devices = store.devices();
    if (!devices) return std::unexpected(devices.error());
    auto counts = store.counts();
    if (!counts) return std::unexpected(counts.error());
    Health health;
    health.now = now;
    health.counts = std::move(*counts);
    for (store::Device& device : *devices) {
        if (device.kind == store::DeviceKind::encoder) {
            ++health.encoders;
            continue;
        }
        TerminalHealth terminal;
        terminal.state = terminal_state(device);
        for (const auto& pending : health.counts.pending_batches) {
            if (pending.terminal != device.id) continue;
            terminal.pending_batches = pending.batches;
            terminal.oldest_pending_at = pending.oldest_at;
        }
        terminal.device = std::move(device);
        health.terminals.push_back(std::move(terminal));
    }
    return health;
}

}  // namespace cardd::daemon
