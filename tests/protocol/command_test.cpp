#include "protocol/command.hpp"

#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

using Regs = std::vector<std::uint16_t>;
using Cards = std::vector<std::uint32_t>;

// ADD tag 7, base 5, new 6, cards {1, 0x123456, 500000}: opcode, tag, arg1 and
// arg2 high word first, n = 3, then the packed entries.
TEST(Command, addEncodesToExactRegisters) {
    const Regs expected{0x0001, 0x0007, 0x0000, 0x0005, 0x0000, 0x0006, 0x0003, 0x0000, 0x0112, 0x3456, 0x07A1, 0x2000};
    EXPECT_EQ(encode_command(make_add(7, 5, 6, Cards{1, 0x123456, 500000})), expected);
}

// REMOVE is ADD with opcode 2.
TEST(Command, removeEncodesOpcodeTwo) {
    EXPECT_EQ(encode_command(make_remove(1, 0x00010000, 0x00010001, Cards{2})),
              (Regs{0x0002, 0x0001, 0x0001, 0x0000, 0x0001, 0x0001, 0x0001, 0x0000, 0x0200}));
}

// FULL_BEGIN carries n = 3: format, then total as a u32 (62501 = 0xF425).
TEST(Command, fullBeginCarriesFormatAndTotal) {
    EXPECT_EQ(encode_command(make_full_begin(0x0102, 0xDEADBEEF, 42, SyncFormat::bitmap, 62501)),
              (Regs{0x0010, 0x0102, 0xDEAD, 0xBEEF, 0x0000, 0x002A, 0x0003, 0x0001, 0x0000, 0xF425}));
}

// A bitmap chunk's n counts bytes; three bytes take two registers, pad 0.
TEST(Command, bitmapChunkCountsBytes) {
    const std::vector<std::uint8_t> bytes{0x60, 0x01, 0x80};
    EXPECT_EQ(encode_command(make_full_bitmap_chunk(3, 5, 232, bytes)),
              (Regs{0x0012, 0x0003, 0x0000, 0x0005, 0x0000, 0x00E8, 0x0003, 0x6001, 0x8000}));
}

// Commands without payload are the 7 header registers with n = 0.
TEST(Command, payloadlessCommandsAreSevenRegisters) {
    EXPECT_EQ(encode_command(make_full_commit(9, 0x00010002, 0xE770A7EA)),
              (Regs{0x0013, 0x0009, 0x0001, 0x0002, 0xE770, 0xA7EA, 0x0000}));
    EXPECT_EQ(encode_command(make_full_abort(9, 0x00010002)),
              (Regs{0x0014, 0x0009, 0x0001, 0x0002, 0x0000, 0x0000, 0x0000}));
    EXPECT_EQ(encode_command(make_records_ack(4, 1000)),
              (Regs{0x0020, 0x0004, 0x0000, 0x03E8, 0x0000, 0x0000, 0x0000}));
    // 1700000000 = 0x6553F100
    EXPECT_EQ(encode_command(make_set_clock(1, 1700000000)),
              (Regs{0x0021, 0x0001, 0x6553, 0xF100, 0x0000, 0x0000, 0x0000}));
}

// A list chunk puts the session in arg1 and the first index in arg2.
TEST(Command, listChunkArguments) {
    const Command chunk = make_full_list_chunk(2, 77, 154, Cards{0x000102});
    EXPECT_EQ(encode_command(chunk), (Regs{0x0011, 0x0002, 0x0000, 0x004D, 0x0000, 0x009A, 0x0001, 0x0001, 0x0200}));
}

// Decoding the registers of a built command gives the same command.
TEST(Command, decodeInvertsEncode) {
    const Command add = make_add(0xFFFF, 0xFFFFFFFE, 0xFFFFFFFF, Cards{0xFFFFFF, 1});
    const auto decoded = decode_command(encode_command(add));
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(*decoded, add);
    EXPECT_EQ(read_entries(*decoded), (Cards{0xFFFFFF, 1}));
}

// Fewer than 7 registers is what a terminal answers with exception 0x03.
TEST(Command, fewerThanSevenRegistersIsTruncated) {
    const auto decoded = decode_command(Regs{0x0013, 0, 0, 0, 0, 0});
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().code, DecodeErrc::truncated);
}

// The mailbox holds 123 registers, no more.
TEST(Command, longerThanMailboxIsTooLong) {
    EXPECT_EQ(decode_command(Regs(124, 0)).error().code, DecodeErrc::too_long);
    EXPECT_TRUE(decode_command(Regs(123, 0)).has_value());
}

// An n that disagrees with the write still decodes, so the terminal can echo
// the tag with BAD_ARGUMENT; check_payload_length reports the mismatch.
TEST(Command, inconsistentNDecodesButFailsLengthCheck) {
    // ADD n = 4 needs ceil(12/2) = 6 payload registers; 5 are sent.
    const auto decoded = decode_command(Regs{0x0001, 0x0042, 0, 1, 0, 2, 4, 0, 0, 0, 0, 0});
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->tag, 0x0042);
    EXPECT_EQ(check_payload_length(*decoded).error().code, DecodeErrc::length_mismatch);
    EXPECT_EQ(read_entries(*decoded).error().code, DecodeErrc::length_mismatch);
}

// Payloadless commands need n = 0 and nothing after the header; FULL_BEGIN needs n = 3.
TEST(Command, fixedShapeCommandsFixN) {
    EXPECT_EQ(check_payload_length(*decode_command(Regs{0x0013, 1, 0, 1, 0, 0, 1})).error().code,
              DecodeErrc::length_mismatch);
    EXPECT_EQ(check_payload_length(*decode_command(Regs{0x0021, 1, 0, 1, 0, 0, 0, 0})).error().code,
              DecodeErrc::length_mismatch);
    EXPECT_EQ(read_full_begin(*decode_command(Regs{0x0010, 1, 0, 1, 0, 1, 2, 0, 0})).error().code,
              DecodeErrc::length_mismatch);
    EXPECT_TRUE(check_payload_length(make_full_commit(1, 1, 0)).has_value());
}

// FULL_BEGIN is read back into its arguments; a format other than 0 or 1 is refused.
TEST(Command, fullBeginReadsBackAndRejectsBadFormat) {
    EXPECT_EQ(read_full_begin(make_full_begin(1, 9, 10, SyncFormat::list, 3)), (FullBegin{9, 10, SyncFormat::list, 3}));
    const auto bad = read_full_begin(*decode_command(Regs{0x0010, 1, 0, 9, 0, 10, 3, 2, 0, 3}));
    EXPECT_EQ(bad.error().code, DecodeErrc::bad_value);
}

// An unknown opcode decodes (the terminal answers UNKNOWN_OPCODE) and is not length-checked.
TEST(Command, unknownOpcodeDecodes) {
    const auto decoded = decode_command(Regs{0x0099, 5, 0, 0, 0, 0, 9, 1});
    ASSERT_TRUE(decoded.has_value());
    EXPECT_FALSE(is_known(decoded->opcode));
    EXPECT_TRUE(check_payload_length(*decoded).has_value());
    EXPECT_EQ(read_entries(*decoded).error().code, DecodeErrc::bad_value);
}

// 77 entries make a 123-register write, the most 0x10 carries; 78 is a caller bug.
TEST(Command, seventySevenEntriesFillTheMailbox) {
    Cards cards(77);
    std::iota(cards.begin(), cards.end(), 1u);
    EXPECT_EQ(encode_command(make_add(1, 1, 2, cards)).size(), 123u);
    cards.push_back(78);
    EXPECT_THROW(make_add(1, 1, 2, cards), std::length_error);
    EXPECT_THROW(make_full_bitmap_chunk(1, 1, 0, std::vector<std::uint8_t>(233)), std::length_error);
    Command oversized = make_full_abort(1, 1);
    oversized.payload.resize(117);
    EXPECT_THROW(encode_command(oversized), std::length_error);
}

// Bitmap chunk bytes come back with the pad byte dropped.
TEST(Command, bitmapBytesReadBack) {
    const std::vector<std::uint8_t> bytes{0x60, 0x01, 0x80};
    EXPECT_EQ(read_bitmap_bytes(make_full_bitmap_chunk(3, 5, 0, bytes)), bytes);
    EXPECT_EQ(read_bitmap_bytes(make_add(1, 1, 2, Cards{1})).error().code, DecodeErrc::bad_value);
}

}  // namespace
}  // namespace cardd::protocol
