#pragma once
// Transaction records (0x0200..0x027A): one record is 12 registers; a read of
// the window from 0x0202 returns k and then k records.

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "protocol/decode_error.hpp"

namespace cardd::protocol {

/// Record kind, offset 11.
enum class RecordKind : std::uint16_t {
    purchase = 1,
    refund = 2,
    refused = 3,  ///< card on the blacklist; amount 0
};

/// "purchase", "refund", "refused" or "unknown".
std::string_view to_string(RecordKind kind) noexcept;

/// One card presentation at a terminal. (terminal serial, seq) is its identity.
struct TransactionRecord {
    std::uint32_t seq = 0;
    std::uint32_t card_no = 0;
    std::int32_t amount_cents = 0;  ///< positive: taken from the card; negative: put back
    std::uint32_t balance_after = 0;
    std::uint32_t time = 0;  ///< Unix seconds
    std::uint16_t counter = 0;
    RecordKind kind = RecordKind::purchase;

    friend bool operator==(const TransactionRecord&, const TransactionRecord&) = default;
};

/// One record as 12 registers.
std::array<std::uint16_t, 12> encode_record(const TransactionRecord& record);

/// Decodes the first 12 registers. Errors: truncated, bad_value (kind not 1..3).
Decoded<TransactionRecord> decode_record(std::span<const std::uint16_t> regs);

/// Decodes a read of the window starting at 0x0202: k, then 12 * k registers.
/// Registers after the k records are ignored, so a reader can always read the
/// 121 registers of a full window in one request. Errors: truncated, bad_value
/// (k > 10, a bad kind, seqs not consecutive, since the records held are one
/// range [oldest, next)).
Decoded<std::vector<TransactionRecord>> decode_records_window(std::span<const std::uint16_t> regs);

/// The registers from 0x0202 for these records: k, then the records. Throws
/// std::length_error for more than 10 records.
std::vector<std::uint16_t> encode_records_window(std::span<const TransactionRecord> records);

}  // namespace cardd::protocol
