#pragma once
// Bringing one terminal's blacklist level with the caller's plan for it.
//
// The caller decides what a terminal must refuse and makes every change a
// durable, versioned batch before anything is sent (in cardd, in the card
// centre's database). This module only reads the terminal, sends what the
// plan says, and reports what it saw; the caller records the outcome. It runs
// blocking, on a worker thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/terminal/blacklist_batch.hpp"
#include "daemon/terminal/desired_set.hpp"
#include "daemon/terminal/terminal_client.hpp"
#include "daemon/terminal/terminal_link.hpp"
#include "protocol/state_block.hpp"
#include "protocol/status.hpp"
#include "protocol/wire_cost.hpp"

namespace cardd::daemon {

/// What the caller planned for one terminal.
struct SyncPlan {
    std::int64_t planned_version = 0;    ///< version of the newest batch written for the terminal
    std::int64_t confirmed_version = 0;  ///< version the terminal last confirmed
    /// Batches not yet confirmed, oldest first, chained base -> new; may start
    /// with an op = full batch, which stands for every batch after it: a full
    /// sync sends `desired` at the planned version, and its cards are unused.
    std::vector<BlacklistBatch> pending;
    /// The set the terminal must end up enforcing at the planned version.
    DesiredSet desired;
    /// The version the caller last saw the terminal confirm, when it has no
    /// reason to doubt it (the last sync succeeded, nothing failed since).
    /// Then the pending deltas are sent at once, each confirmed by what its
    /// own 0x17 reads back: one round trip per command. The terminal's
    /// answer decides: anything unexpected falls back to reading the state
    /// block first, as without it.
    std::optional<std::int64_t> expected_version;
    /// The terminal's state as the caller's last run found it, when that run
    /// ended asking for a full sync and this plan is that full sync: it is
    /// used as read, so the full sync starts at once. (A full batch at the
    /// head is sent whatever version the terminal holds, and the commit's
    /// own read-back confirms the result.)
    std::optional<protocol::TerminalState> known_state;
    /// The serial on record for the terminal, when there is one: a state
    /// block that shows another ends the run before anything is written
    /// (failed, LinkError::Kind::wrong_terminal). The lean path reads no
    /// state first, so the caller sets expected_version only for a terminal
    /// whose serial it saw since the last failure.
    std::optional<std::uint32_t> expected_serial;
    protocol::Transport transport = protocol::Transport::tcp;
    /// Non-zero; the caller supplies a fresh random one for each call.
    std::uint32_t session_id = 1;
};

/// The records a terminal held at one of its answers: [oldest_seq, next_seq).
struct HeldRecords {
    std::uint32_t oldest_seq = 0;
    std::uint32_t next_seq = 0;
};

struct SyncOutcome {
    enum class Kind {
        level,            ///< the terminal enforces the planned version and the desired set
        needs_full_sync,  ///< plan a full batch (in cardd, CardStore::plan_full_sync) and call again
        failed,           ///< could not finish now; `error` and `reason` say why
    };
    Kind kind = Kind::failed;
    /// The last state block read, if any, with version, count and checksum
    /// brought up to date by later confirmations; unset when none was read.
    std::optional<protocol::TerminalState> state;
    /// The highest new_version of a pending batch the terminal was seen to
    /// enforce (its state block, or OK / OK_ALREADY to the batch), to record
    /// (in cardd, with CardStore::confirm_version); unset when there is nothing new to
    /// record or the terminal's checksum contradicts it.
    std::optional<std::int64_t> confirmed_version;
    /// Why it failed or needs a full sync, for people; never holds secrets.
    std::string reason;
    /// With failed: the kind of trouble (unset when the plan itself is unusable).
    std::optional<LinkError::Kind> error;
    /// Set when this run sent a full sync: the format chosen.
    std::optional<protocol::SyncFormat> full_sync_format;
    /// The records the terminal held at its last answer in this run (a state
    /// block, or the window a command's 0x17 read back); unset when it never
    /// answered. Every card it took before the run's last command took effect
    /// is below next_seq.
    std::optional<HeldRecords> held_records;
};

/// "level", "needs_full_sync" or "failed".
std::string_view to_string(SyncOutcome::Kind kind) noexcept;

/// Reads the terminal (unless `expected_version` lets it start at once),
/// sends the pending batches it lacks (consecutive deltas of one kind
/// coalesced into one command of up to 76 entries, or, for an op = full
/// batch, a full sync of the desired set at the planned version), and checks
/// its version and checksum after any change. Throws std::invalid_argument for session_id 0 (a caller bug).
SyncOutcome synchronise(TerminalClient& client, const SyncPlan& plan);

}  // namespace cardd::daemon
