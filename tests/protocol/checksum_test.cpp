#include "protocol/checksum.hpp"

#include <cstdint>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

using Cards = std::vector<std::uint32_t>;

// "123456789" -> 0xCBF43926 is the published check value of CRC-32/ISO-HDLC.
TEST(Checksum, isTheIsoHdlcCrc) {
    constexpr std::string_view check = "123456789";
    const std::vector<std::uint8_t> bytes(check.begin(), check.end());
    EXPECT_EQ(crc32_bytes(bytes), 0xCBF43926u);
}

// {1, 2} checksums the bytes 00 00 01 00 00 02; python3 zlib.crc32 gives 0xE770A7EA.
TEST(Checksum, setOfOneAndTwo) { EXPECT_EQ(blacklist_checksum(Cards{1, 2}), 0xE770A7EAu); }

// The set is checksummed ascending and once per card, whatever order it came in.
TEST(Checksum, orderAndDuplicatesDoNotMatter) {
    EXPECT_EQ(blacklist_checksum(Cards{2, 1}), 0xE770A7EAu);
    EXPECT_EQ(blacklist_checksum(Cards{2, 1, 2, 1}), 0xE770A7EAu);
}

// The empty set has checksum 0.
TEST(Checksum, emptySetIsZero) { EXPECT_EQ(blacklist_checksum(Cards{}), 0u); }

// Staged list data is checksummed in the order sent: 00 00 02 00 00 01 -> 0x6CCC59BE.
TEST(Checksum, listCrcKeepsOrderSent) { EXPECT_EQ(list_crc(Cards{2, 1}), 0x6CCC59BEu); }

// Chunk by chunk, continuing the CRC, equals the CRC of the whole list.
TEST(Checksum, listCrcContinuesAcrossChunks) { EXPECT_EQ(list_crc(Cards{2}, list_crc(Cards{1})), 0xE770A7EAu); }

// The bitmap of {1, 2} is the single byte 0x60; zlib.crc32(b"\x60") = 0x9FB08ED5.
TEST(Checksum, bitmapCrcOfBytes) {
    EXPECT_EQ(bitmap_crc(std::vector<std::uint8_t>{0x60}), 0x9FB08ED5u);
    EXPECT_EQ(bitmap_crc(std::vector<std::uint8_t>{0x01}, bitmap_crc(std::vector<std::uint8_t>{0x40})), 0xC6A76D6Cu);
}

// A card that 3 bytes cannot carry has no checksum.
TEST(Checksum, cardAbove24BitsThrows) { EXPECT_THROW(blacklist_checksum(Cards{0x1000000}), std::out_of_range); }

}  // namespace
}  // namespace cardd::protocol
