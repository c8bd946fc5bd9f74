#include "protocol/entry_packing.hpp"

#include <cstdint>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

using Regs = std::vector<std::uint16_t>;
using Cards = std::vector<std::uint32_t>;

// 1, 0x123456 and 500000 (0x07A120) are the bytes 00 00 01 12 34 56 07 A1 20,
// two to a register, the final odd byte padded with 0.
TEST(EntryPacking, packsThreeBytesBigEndianBackToBack) {
    EXPECT_EQ(pack_entries(Cards{1, 0x123456, 500000}), (Regs{0x0000, 0x0112, 0x3456, 0x07A1, 0x2000}));
}

// Two entries are six bytes: exactly three registers, no pad.
TEST(EntryPacking, evenCountNeedsNoPad) {
    EXPECT_EQ(pack_entries(Cards{0xABCDEF, 2}), (Regs{0xABCD, 0xEF00, 0x0002}));
    EXPECT_TRUE(pack_entries(Cards{}).empty());
}

// n entries take ceil(3n/2) registers.
TEST(EntryPacking, registerCountIsCeilThreeNOverTwo) {
    EXPECT_EQ(entry_registers(0), 0u);
    EXPECT_EQ(entry_registers(1), 2u);
    EXPECT_EQ(entry_registers(2), 3u);
    EXPECT_EQ(entry_registers(76), 114u);
    EXPECT_EQ(entry_registers(77), 116u);
}

// Unpacking reads the same bytes back and ignores a non-zero pad byte.
TEST(EntryPacking, unpacksAndIgnoresPadByte) {
    EXPECT_EQ(unpack_entries(Regs{0x0000, 0x0112, 0x3456, 0x07A1, 0x2000}, 3), (Cards{1, 0x123456, 500000}));
    EXPECT_EQ(unpack_entries(Regs{0x0000, 0x0112, 0x3456, 0x07A1, 0x20FF}, 3), (Cards{1, 0x123456, 500000}));
}

// Only the registers n entries need are read; more are allowed, fewer are an error.
TEST(EntryPacking, tooFewRegistersIsTruncated) {
    EXPECT_EQ(unpack_entries(Regs{0xFFFF, 0xFF00, 0x1234}, 1), (Cards{0xFFFFFF}));
    const auto short_read = unpack_entries(Regs{0x0000, 0x0112, 0x3456, 0x07A1}, 3);
    ASSERT_FALSE(short_read.has_value());
    EXPECT_EQ(short_read.error().code, DecodeErrc::truncated);
    EXPECT_TRUE(unpack_entries(Regs{}, 0).value().empty());
}

// 24 bits cannot carry 0x1000000; packing it would silently change the card.
TEST(EntryPacking, cardAbove24BitsThrows) {
    EXPECT_THROW(pack_entries(Cards{0x1000000}), std::out_of_range);
    EXPECT_NO_THROW(pack_entries(Cards{0xFFFFFF}));
}

// Bitmap bytes go two to a register, high byte first.
TEST(EntryPacking, bytesPackHighByteFirst) {
    EXPECT_EQ(pack_bytes(std::vector<std::uint8_t>{0x12, 0x34, 0x56}), (Regs{0x1234, 0x5600}));
    EXPECT_EQ(unpack_bytes(Regs{0x1234, 0x56AA}, 3), (std::vector<std::uint8_t>{0x12, 0x34, 0x56}));
    EXPECT_EQ(unpack_bytes(Regs{0x1234}, 3).error().code, DecodeErrc::truncated);
}

// The checksum byte string is the 3-byte entries in the order given.
TEST(EntryPacking, entriesToBytesKeepsOrder) {
    EXPECT_EQ(entries_to_bytes(Cards{2, 0x010203}), (std::vector<std::uint8_t>{0, 0, 2, 1, 2, 3}));
}

}  // namespace
}  // namespace cardd::protocol
