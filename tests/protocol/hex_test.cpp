// Hex text both ways: what is formatted parses back, and anything that is
// not two hex digits a byte is refused whole.

#include <gtest/gtest.h>

#include "protocol/hex.hpp"

namespace cardd::protocol {
namespace {

TEST(Hex, formattedBytesParseBack) {
    const std::vector<std::uint8_t> bytes{0x04, 0xA2, 0x3B, 0x1C, 0x00, 0xFF};
    EXPECT_EQ(hex_bytes(bytes), "04A23B1C00FF");
    EXPECT_EQ(parse_hex_bytes(hex_bytes(bytes)), bytes);
    EXPECT_EQ(parse_hex_bytes("04a23b1c00ff"), bytes);
    EXPECT_EQ(parse_hex_bytes(""), std::vector<std::uint8_t>{});
}

// Numbers and bytes come in upper case by default, in lower case when asked.
TEST(Hex, numbersAndBytesInEitherCase) {
    EXPECT_EQ(hex(0x3F), "0x3F");
    EXPECT_EQ(hex(0x00C0FFEE, 8, HexCase::lower), "0x00c0ffee");
    EXPECT_EQ(hex_number(0x72F, 4, HexCase::lower), "072f");
    EXPECT_EQ(hex_number(0x2200, 4), "2200");
    const std::vector<std::uint8_t> status{0x90, 0x0A};
    EXPECT_EQ(hex_bytes(status, " "), "90 0A");
    EXPECT_EQ(hex_bytes(status, {}, HexCase::lower), "900a");
}

TEST(Hex, anythingElseIsRefused) {
    EXPECT_FALSE(parse_hex_bytes("ABC").has_value());
    EXPECT_FALSE(parse_hex_bytes("0G").has_value());
    EXPECT_FALSE(parse_hex_bytes("04 A2").has_value());
    EXPECT_FALSE(parse_hex_bytes("+1").has_value());
}

}  // namespace
}  // namespace cardd::protocol
