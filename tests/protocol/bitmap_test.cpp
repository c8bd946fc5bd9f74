#include "protocol/bitmap.hpp"

#include <cstdint>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

using Bytes = std::vector<std::uint8_t>;
using Cards = std::vector<std::uint32_t>;

// Card 1 is byte 0 mask 0x40, card 2 byte 0 mask 0x20: {1, 2} -> 0x60.
TEST(Bitmap, bitOfCardIsMsbFirst) { EXPECT_EQ(build_bitmap(Cards{1, 2}), (Bytes{0x60})); }

// 7 -> byte 0 mask 0x01; 8 -> byte 1 mask 0x80; 15 -> byte 1 mask 0x01.
TEST(Bitmap, cardsAcrossBytes) { EXPECT_EQ(build_bitmap(Cards{15, 7, 8}), (Bytes{0x01, 0x81})); }

// The bitmap stops at the byte of the highest card: 500000 / 8 + 1 = 62501 bytes.
TEST(Bitmap, lengthCoversHighestCard) {
    EXPECT_EQ(bitmap_bytes_for(500000), 62501u);
    EXPECT_EQ(build_bitmap(Cards{500000}).size(), 62501u);
    EXPECT_EQ(build_bitmap(Cards{500000}).back(), 0x80);  // 500000 % 8 == 0
    EXPECT_TRUE(build_bitmap(Cards{}).empty());
}

// Reading gives the cards back in ascending order.
TEST(Bitmap, readsCardsAscending) {
    EXPECT_EQ(read_bitmap(Bytes{0x01, 0x81}), (Cards{7, 8, 15}));
    EXPECT_EQ(read_bitmap(Bytes{0x7F, 0xFF}).value().size(), 15u);
    EXPECT_TRUE(read_bitmap(Bytes{0x00, 0x00}).value().empty());
    EXPECT_TRUE(read_bitmap(Bytes{}).value().empty());
}

// Card 0 is never valid, so its bit (byte 0, mask 0x80) is refused.
TEST(Bitmap, cardZeroBitIsRefused) { EXPECT_EQ(read_bitmap(Bytes{0x80}).error().code, DecodeErrc::bad_value); }

// A card that 24 bits cannot carry would need a bitmap beyond 2 MiB.
TEST(Bitmap, cardAbove24BitsThrows) { EXPECT_THROW(build_bitmap(Cards{0x1000000}), std::out_of_range); }

}  // namespace
}  // namespace cardd::protocol
