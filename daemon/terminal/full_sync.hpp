#pragma once
// Sending a whole blacklist to a terminal: FULL_BEGIN, chunks, FULL_COMMIT.
// The old list stays enforced until the commit, so a full sync that fails
// half-way leaves the terminal as it was.

#include <cstdint>
#include <span>

#include "daemon/terminal/terminal_client.hpp"
#include "daemon/terminal/terminal_link.hpp"
#include "protocol/status.hpp"

namespace cardd::daemon {

struct FullSyncJob {
    std::uint32_t session_id = 1;      ///< non-zero, fresh for each attempt
    std::uint32_t target_version = 0;  ///< the version the terminal enforces after the commit
    protocol::SyncFormat format = protocol::SyncFormat::list;
    std::span<const std::uint32_t> cards;  ///< ascending, distinct, 1..0xFFFFFF
};

/// How often a full sync follows the terminal's progress register after a
/// SEQUENCE answer before it gives up; more means the terminal and the
/// daemon disagree for some other reason.
inline constexpr int max_sequence_resumes = 3;

/// Runs a full sync with 0x17 commands (76 entries or 228 bitmap bytes each);
/// on success, what the commit's own 0x17 read back (version, count,
/// checksum, records), so the new set is confirmed in that round trip.
/// A chunk answered SEQUENCE is resumed from the terminal's progress register
/// (0x0017) while the terminal is receiving and the progress is within the
/// data. INCOMPLETE, CRC_MISMATCH and NO_SESSION fail (the terminal has
/// dropped the staging); any other refusal sends FULL_ABORT, best effort, and
/// fails. Errors: link errors as they came, BUSY as `busy`, CAPACITY as
/// `capacity`, other statuses as `protocol`.
LinkResult<protocol::Confirmation> send_full_sync(TerminalClient& client, const FullSyncJob& job);

}  // namespace cardd::daemon
