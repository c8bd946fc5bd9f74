#include "protocol/record.hpp"

#include <cstdint>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

using Regs = std::vector<std::uint16_t>;

const TransactionRecord refund{
    .seq = 0x01020304,
    .card_no = 500000,
    .amount_cents = -250,
    .balance_after = 12345,
    .time = 1700000000,
    .counter = 42,
    .kind = RecordKind::refund,
};

// seq, card 0x0007A120, -250 = 0xFFFFFF06, 12345 = 0x3039, 0x6553F100, counter, kind.
const Regs refund_regs{0x0102, 0x0304, 0x0007, 0xA120, 0xFFFF, 0xFF06, 0x0000, 0x3039, 0x6553, 0xF100, 0x002A, 0x0002};

TransactionRecord purchase(std::uint32_t seq) {
    return {.seq = seq,
            .card_no = 7,
            .amount_cents = 1200,
            .balance_after = 800,
            .time = 1,
            .counter = 3,
            .kind = RecordKind::purchase};
}

// A record is 12 registers with the fields at the offsets CT-1 gives.
TEST(Record, encodesToExactRegisters) {
    const auto regs = encode_record(refund);
    EXPECT_EQ(Regs(regs.begin(), regs.end()), refund_regs);
}

// Decoding gives the record back, negative amount included.
TEST(Record, decodesExactRegisters) { EXPECT_EQ(decode_record(refund_regs), refund); }

// Kinds outside 1..3 would be guessed into the ledger; they are refused.
TEST(Record, unknownKindIsRefused) {
    Regs regs = refund_regs;
    regs[11] = 4;
    EXPECT_EQ(decode_record(regs).error().code, DecodeErrc::bad_value);
    regs[11] = 0;
    EXPECT_EQ(decode_record(regs).error().code, DecodeErrc::bad_value);
    EXPECT_EQ(decode_record(Regs(11, 0)).error().code, DecodeErrc::truncated);
}

// A window read is k and then k records; registers after them are ignored.
TEST(RecordsWindow, decodesKRecordsAndIgnoresTail) {
    Regs regs = encode_records_window(std::vector{purchase(41), purchase(42)});
    ASSERT_EQ(regs.size(), 25u);
    EXPECT_EQ(regs[0], 2);
    regs.resize(121, 0xFFFF);
    EXPECT_EQ(decode_records_window(regs), (std::vector{purchase(41), purchase(42)}));
}

// k = 0 is an empty window, the usual answer once everything is collected.
TEST(RecordsWindow, zeroRecords) {
    EXPECT_TRUE(decode_records_window(Regs{0}).value().empty());
    EXPECT_EQ(decode_records_window(Regs{}).error().code, DecodeErrc::truncated);
}

// k above 10 cannot fit the window; fewer registers than k needs is truncated.
TEST(RecordsWindow, badKOrShortDataIsRefused) {
    Regs regs(1 + 12 * 11, 0);
    regs[0] = 11;
    EXPECT_EQ(decode_records_window(regs).error().code, DecodeErrc::bad_value);
    Regs two = encode_records_window(std::vector{purchase(1), purchase(2)});
    two.pop_back();
    EXPECT_EQ(decode_records_window(two).error().code, DecodeErrc::truncated);
}

// Records held are one range [oldest, next), so a gap means a corrupt read.
TEST(RecordsWindow, nonConsecutiveSeqIsRefused) {
    EXPECT_EQ(decode_records_window(encode_records_window(std::vector{purchase(5), purchase(7)})).error().code,
              DecodeErrc::bad_value);
    // seq is a u32 and wraps.
    EXPECT_TRUE(decode_records_window(encode_records_window(std::vector{purchase(0xFFFFFFFF), purchase(0)})));
}

// A bad record deep in a window is reported with its index.
TEST(RecordsWindow, badRecordNamesItsIndex) {
    Regs regs = encode_records_window(std::vector{purchase(1), purchase(2)});
    regs[1 + 12 + 11] = 9;
    const auto result = decode_records_window(regs);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message.rfind("record 1: ", 0), 0u) << result.error().message;
}

// The simulator cannot put more than 10 records in a window.
TEST(RecordsWindow, encodingElevenThrows) {
    EXPECT_THROW(encode_records_window(std::vector<TransactionRecord>(11)), std::length_error);
}

}  // namespace
}  // namespace cardd::protocol
