#include "protocol/record.hpp"

#include <stdexcept>
#include <string>

#include "protocol/registers.hpp"
#include "protocol/status.hpp"
#include "protocol/words.hpp"

namespace cardd::protocol {

namespace field = records::field;

std::string_view to_string(RecordKind kind) noexcept {
    switch (kind) {
        case RecordKind::purchase: return "purchase";
        case RecordKind::refund: return "refund";
        case RecordKind::refused: return "refused";
    }
    return "unknown";
}

std::array<std::uint16_t, 12> encode_record(const TransactionRecord& r) {
    std::array<std::uint16_t, records::record_registers> regs{};
    write_u32(regs, field::seq, r.seq);
    write_u32(regs, field::card_number, r.card_no);
    write_i32(regs, field::amount_cents, r.amount_cents);
    write_u32(regs, field::balance_after, r.balance_after);
    write_u32(regs, field::time, r.time);
    regs[field::counter] = r.counter;
    regs[field::kind] = raw(r.kind);
    return regs;
}

Decoded<TransactionRecord> decode_record(std::span<const std::uint16_t> regs) {
    if (regs.size() < records::record_registers) {
        return decode_fail(DecodeErrc::truncated, "a record needs 12 registers, got " + std::to_string(regs.size()));
    }
    // Unknown kinds are refused rather than carried: the collector books
    // records into the money ledger, and a guess there is worse than a stop.
    const std::uint16_t kind = regs[field::kind];
    if (kind < raw(RecordKind::purchase) || kind > raw(RecordKind::refused)) {
        return decode_fail(DecodeErrc::bad_value, "record kind " + std::to_string(kind) + " is not 1, 2 or 3");
    }
    return TransactionRecord{
        .seq = read_u32(regs, field::seq),
        .card_no = read_u32(regs, field::card_number),
        .amount_cents = read_i32(regs, field::amount_cents),
        .balance_after = read_u32(regs, field::balance_after),
        .time = read_u32(regs, field::time),
        .counter = regs[field::counter],
        .kind = static_cast<RecordKind>(kind),
    };
}

Decoded<std::vector<TransactionRecord>> decode_records_window(std::span<const std::uint16_t> regs) {
    if (regs.empty()) return decode_fail(DecodeErrc::truncated, "the records window needs at least k");
    const std::uint16_t k = regs[0];
    if (k > records::max_records_per_read) {
        return decode_fail(DecodeErrc::bad_value, "k = " + std::to_string(k) + " is above 10");
    }
    const std::size_t needed = 1 + std::size_t{k} * records::record_registers;
    if (regs.size() < needed) {
        return decode_fail(DecodeErrc::truncated, "k = " + std::to_string(k) + " needs " + std::to_string(needed) +
                                                      " registers, got " + std::to_string(regs.size()));
    }
    std::vector<TransactionRecord> result;
    result.reserve(k);
    for (std::size_t i = 0; i < k; ++i) {
        auto record = decode_record(regs.subspan(1 + i * records::record_registers, records::record_registers));
        if (!record) {
            record.error().message = "record " + std::to_string(i) + ": " + record.error().message;
            return std::unexpected(std::move(record.error()));
        }
        // Unsigned arithmetic: seq wraps at 2^32 like the terminal's counter.
        if (!result.empty() && record->seq != static_cast<std::uint32_t>(result.back().seq + 1)) {
            return decode_fail(DecodeErrc::bad_value, "record " + std::to_string(i) + " has seq " +
                                                          std::to_string(record->seq) + " after " +
                                                          std::to_string(result.back().seq));
        }
        result.push_back(*record);
    }
    return result;
}

std::vector<std::uint16_t> encode_records_window(std::span<const TransactionRecord> recs) {
    if (recs.size() > records::max_records_per_read) {
        throw std::length_error("a records window holds at most 10 records, got " + std::to_string(recs.size()));
    }
    std::vector<std::uint16_t> regs;
    regs.reserve(1 + recs.size() * records::record_registers);
    regs.push_back(static_cast<std::uint16_t>(recs.size()));
    for (const TransactionRecord& r : recs) {
        const auto one = encode_record(r);
        regs.insert(regs.end(), one.begin(), one.end());
    }
    return regs;
}

}  // namespace cardd::protocol
