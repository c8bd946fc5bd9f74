#pragma once
// Collecting transaction records from a terminal. Reading never drops
// anything: the caller keeps the records durably, then acknowledges them.
// (serial, seq) is a record's identity, so reading one twice is harmless.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "daemon/terminal/terminal_client.hpp"
#include "daemon/terminal/terminal_link.hpp"
#include "protocol/record.hpp"

namespace cardd::daemon {

struct CollectedRecords {
    std::uint32_t serial = 0;  ///< the terminal's serial number (0x0002)
    std::vector<protocol::TransactionRecord>
        records;                 ///< ascending by seq, consecutive unless the terminal dropped some
    std::uint32_t next_seq = 0;  ///< where the next collection continues
};

/// Reads the records from `from_seq` on: the state first (serial, oldest,
/// next), then windows of up to 10 from max(from_seq, oldest) until next or
/// `max_records`. A `from_seq` above the terminal's next seq means the
/// terminal was reset or replaced: everything it holds is read again. With
/// no new records, `records` is empty and `next_seq` is where reading stopped.
/// `from_serial` is the terminal `from_seq` was counted on: a terminal that
/// answers with another serial was swapped or replaced at that address, and
/// the collection ends there, a wrong_terminal error, before anything is
/// read past the state or written (a replacement is accepted by forgetting
/// the serial on record; the new terminal's records are then read from its
/// oldest).
LinkResult<CollectedRecords> read_new_records(TerminalClient& client, std::int64_t from_seq,
                                              std::size_t max_records = 1000,
                                              std::optional<std::uint32_t> from_serial = std::nullopt);

/// Whether a collection from `from_seq` of a terminal that holds
/// [oldest_seq, next_seq) would read anything: where read_new_records starts
/// is below next_seq.
bool holds_new_records(std::int64_t from_seq, std::uint32_t oldest_seq, std::uint32_t next_seq) noexcept;

/// RECORDS_ACK: the terminal may drop records below `up_to_seq`. Call it only
/// after the records are kept durably. BUSY is a `busy` error; any status but OK or
/// OK_ALREADY a `protocol` error.
LinkResult<void> acknowledge_records(TerminalClient& client, std::uint32_t up_to_seq);

}  // namespace cardd::daemon
