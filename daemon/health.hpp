#pragma once
// The card centre's health from the store's rows alone: terminals by state,
// the retry queue, pending blacklist batches, the last collection of each
// terminal, open card writes. No terminal is asked and no card or person is
// loaded, so cardctl status and the metrics may read it every few seconds.

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/card_store.hpp"

namespace cardd::daemon {

/// A terminal as the store last saw it; the first that applies wins.
enum class TerminalState {
    failed,         ///< its last conversation failed: it is in the retry queue
    behind,         ///< batches are waiting to be confirmed by it
    never_reached,  ///< it never answered (no serial number on record); device-list shows "unknown"
    level,          ///< it confirmed the newest version planned for it
};
inline constexpr std::array<TerminalState, 4> terminal_states{TerminalState::level, TerminalState::behind,
                                                              TerminalState::failed, TerminalState::never_reached};
std::string_view to_string(TerminalState state) noexcept;
TerminalState terminal_state(const store::Device& device) noexcept;

struct TerminalHealth {
    store::Device device;
    TerminalState state = TerminalState::level;
    std::int64_t pending_batches = 0;
    std::optional<store::UnixTime> oldest_pending_at;
};

struct Health {
    store::UnixTime now = 0;
    std::vector<TerminalHealth> terminals;  ///< by name
    std::int64_t encoders = 0;
    store::StoreCounts counts;

    std::int64_t terminals_in(TerminalState state) const;
    std::int64_t pending_batches() const;
    /// Terminals waiting for a retry, and the one due first.
    std::int64_t retry_queue_depth() const;
    const TerminalHealth* next_retry() const;
    /// Seconds since the terminal's last collection; since it was added when
    /// it never was.
    std::int64_t collection_lag(const TerminalHealth& terminal) const;
};

/// Reads the health with a few queries over the devices and COUNTs.
store::Result<Health> read_health(store::CardStore& store, store::UnixTime now);

}  // namespace cardd::daemon
