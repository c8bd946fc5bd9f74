#include "protocol/card/card_layout.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol::card {
namespace {

// 2026-11-25 and 2031-11-25, 00:00 UTC.
constexpr std::int64_t nov_25_2026 = 1'795'564'800;
constexpr std::int64_t nov_25_2031 = 1'953'331'200;

// Card 123456, serial 42, issued 2026-11-25 (day 9825), expiring 2031-11-25
// (day 11651): the identity block of docs/card-format.md's worked example.
const Block sample_identity_block{
    0x01,                    // format version
    0x01,                    // active
    0x01, 0xE2, 0x40,        // card 123456
    0x00, 0x00, 0x00, 0x2A,  // serial 42
    0x26, 0x61,              // issued day 9825
    0x2D, 0x83,              // expires day 11651
    0x00,                    // reserved
    0xF2, 0xB0,              // CRC-16/CCITT-FALSE of the 14 bytes before
};

Identity sample_identity() {
    return {.status = CardStatus::active, .card_no = 123456, .serial = 42, .issued = 9825, .expires = 11651};
}

// Rewrites the CRC so a test reaches the field checks behind it.
Block resealed(Block block) {
    const std::uint16_t crc = identity_crc(std::span(block).first(14));
    block[14] = static_cast<std::uint8_t>(crc >> 8);
    block[15] = static_cast<std::uint8_t>(crc & 0xFF);
    return block;
}

// A low bit, a high bit, every bit.
constexpr std::array<std::uint8_t, 3> single_byte_flips{0x01, 0x80, 0xFF};

DecodeErrc identity_error(const Block& block) {
    const auto decoded = decode_identity(block);
    EXPECT_FALSE(decoded.has_value());
    return decoded ? DecodeErrc::truncated : decoded.error().code;
}

// "123456789" -> 0x29B1 is the catalogue check value of CRC-16/CCITT-FALSE.
TEST(IdentityCrc, isCcittFalse) {
    constexpr std::string_view check = "123456789";
    const std::vector<std::uint8_t> bytes(check.begin(), check.end());
    EXPECT_EQ(identity_crc(bytes), 0x29B1);
    EXPECT_EQ(identity_crc(std::vector<std::uint8_t>{}), 0xFFFF);
}

// The worked example's dates are the day numbers the block carries.
TEST(DayNumber, countsDaysSince2000) {
    EXPECT_EQ(day_number(nov_25_2026), 9825);
    EXPECT_EQ(day_number(nov_25_2031), 11651);
    EXPECT_EQ(day_number(nov_25_2026 + 86'399), 9825);  // any time of the day
    EXPECT_EQ(unix_seconds(9825), nov_25_2026);
    EXPECT_EQ(day_number(946'684'800), 0);
    EXPECT_EQ(unix_seconds(0), 946'684'800);
}

// Two bytes reach 2179-06-06; a date outside 2000-01-01..then has no day number.
TEST(DayNumber, outsideTheRangeThrows) {
    const std::int64_t last_day = unix_seconds(std::numeric_limits<DayNumber>::max());
    EXPECT_EQ(last_day, 6'608'908'800);
    EXPECT_EQ(day_number(last_day + 86'399), 65535);
    EXPECT_THROW(day_number(last_day + 86'400), std::invalid_argument);
    EXPECT_THROW(day_number(946'684'799), std::invalid_argument);
    EXPECT_THROW(day_number(-1), std::invalid_argument);
}

TEST(Identity, encodesTheSampleBlock) { EXPECT_EQ(encode_identity(sample_identity()), sample_identity_block); }

TEST(Identity, decodesTheSampleBlock) {
    const auto identity = decode_identity(sample_identity_block);
    ASSERT_TRUE(identity.has_value()) << identity.error().message;
    EXPECT_EQ(*identity, sample_identity());
}

// The extremes of every field survive a round trip, a closed card included.
TEST(Identity, roundTripsEdgeValues) {
    const std::vector<Identity> identities{
        {.status = CardStatus::closed, .card_no = 1, .serial = 1, .issued = 0, .expires = 0},
        {.status = CardStatus::active, .card_no = 999999, .serial = 0xFFFFFFFF, .issued = 65535, .expires = 65535},
        {.status = CardStatus::closed, .card_no = 500000, .serial = 0x01020304, .issued = 1, .expires = 65535},
    };
    for (const Identity& identity : identities) {
        const Block block = encode_identity(identity);
        EXPECT_EQ(decode_identity(block), identity) << identity.card_no;
    }
}

// Closed is byte 1 = 0x02, and the CRC follows it.
TEST(Identity, closedCardBytes) {
    Identity identity = sample_identity();
    identity.status = CardStatus::closed;
    const Block block = encode_identity(identity);
    EXPECT_EQ(block[1], 0x02);
    EXPECT_EQ(block, resealed([] {
                  Block b = sample_identity_block;
                  b[1] = 0x02;
                  return b;
              }()));
}

// The card centre never writes a field the decoder would refuse.
TEST(Identity, encoderRefusesFieldsOutOfRange) {
    Identity identity = sample_identity();
    identity.card_no = 0;
    EXPECT_THROW(encode_identity(identity), std::invalid_argument);
    identity.card_no = 1'000'000;
    EXPECT_THROW(encode_identity(identity), std::invalid_argument);
    identity = sample_identity();
    identity.serial = 0;
    EXPECT_THROW(encode_identity(identity), std::invalid_argument);
    identity = sample_identity();
    identity.expires = static_cast<DayNumber>(identity.issued - 1);
    EXPECT_THROW(encode_identity(identity), std::invalid_argument);
    identity = sample_identity();
    identity.status = static_cast<CardStatus>(0x03);
    EXPECT_THROW(encode_identity(identity), std::invalid_argument);
}

// A blank card reads all zeros: that is a missing format, not a corrupt one.
TEST(Identity, blankCardIsBadVersion) {
    const auto decoded = decode_identity(Block{});
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().code, DecodeErrc::bad_version);
    EXPECT_NE(decoded.error().message.find("0x00"), std::string::npos) << decoded.error().message;
}

// Another format version is refused before its CRC is looked at.
TEST(Identity, otherVersionIsBadVersion) {
    Block block = sample_identity_block;
    block[0] = 0x02;
    EXPECT_EQ(identity_error(resealed(block)), DecodeErrc::bad_version);
}

// Any one byte changed is caught: byte 0 as the version, every other one by
// the CRC (which catches every error burst of 16 bits or less).
TEST(Identity, everyCorruptedByteIsRefused) {
    for (std::size_t i = 0; i < 16; ++i) {
        for (const std::uint8_t flip : single_byte_flips) {
            Block block = sample_identity_block;
            block[i] = static_cast<std::uint8_t>(block[i] ^ flip);
            EXPECT_EQ(identity_error(block), i == 0 ? DecodeErrc::bad_version : DecodeErrc::bad_checksum)
                << "byte " << i << " ^ " << int{flip};
        }
    }
}

// The CRC error names both values, so a log shows which side is wrong.
TEST(Identity, checksumMessageSaysExpectedAndFound) {
    Block block = sample_identity_block;
    block[15] = 0xB1;
    const auto decoded = decode_identity(block);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().code, DecodeErrc::bad_checksum);
    EXPECT_NE(decoded.error().message.find("0xF2B1"), std::string::npos) << decoded.error().message;
    EXPECT_NE(decoded.error().message.find("0xF2B0"), std::string::npos) << decoded.error().message;
}

// Fields the format does not define, behind a correct CRC: written that way
// by another system or a broken writer.
TEST(Identity, undefinedFieldsAreBadValue) {
    const auto with = [](std::size_t at, std::vector<std::uint8_t> bytes) {
        Block block = sample_identity_block;
        for (std::size_t i = 0; i < bytes.size(); ++i) block[at + i] = bytes[i];
        return resealed(block);
    };
    EXPECT_EQ(identity_error(with(1, {0x00})), DecodeErrc::bad_value);                    // status 0
    EXPECT_EQ(identity_error(with(1, {0x03})), DecodeErrc::bad_value);                    // status 3
    EXPECT_EQ(identity_error(with(2, {0x00, 0x00, 0x00})), DecodeErrc::bad_value);        // card 0
    EXPECT_EQ(identity_error(with(2, {0x0F, 0x42, 0x40})), DecodeErrc::bad_value);        // card 1000000
    EXPECT_EQ(identity_error(with(2, {0xFF, 0xFF, 0xFF})), DecodeErrc::bad_value);        // card 16777215
    EXPECT_EQ(identity_error(with(5, {0x00, 0x00, 0x00, 0x00})), DecodeErrc::bad_value);  // serial 0
    EXPECT_EQ(identity_error(with(11, {0x26, 0x60})), DecodeErrc::bad_value);             // expiry a day before issue
    EXPECT_EQ(identity_error(with(13, {0x01})), DecodeErrc::bad_value);                   // reserved byte
    // The highest card number and an expiry on the issue day are fine.
    EXPECT_TRUE(decode_identity(with(2, {0x0F, 0x42, 0x3F})).has_value());
    EXPECT_TRUE(decode_identity(with(11, {0x26, 0x61})).has_value());
}

// The balance of the worked example: 5000 cents in block 5 (sector 1, offset 1).
const Block sample_balance_block{
    0x88, 0x13, 0x00, 0x00,  // 5000, little-endian
    0x77, 0xEC, 0xFF, 0xFF,  // ~5000
    0x88, 0x13, 0x00, 0x00,  // 5000
    0x05, 0xFA, 0x05, 0xFA,  // address 5, ~5, 5, ~5
};

TEST(ValueBlock, blockNumbersOfASector) {
    EXPECT_EQ(block_number(1, identity_offset), 4);
    EXPECT_EQ(block_number(1, balance_offset), 5);
    EXPECT_EQ(block_number(1, counter_offset), 6);
    EXPECT_EQ(block_number(1, trailer_offset), 7);
    EXPECT_EQ(block_number(15, trailer_offset), 63);
}

TEST(ValueBlock, encodesTheSampleBalance) {
    EXPECT_EQ(encode_value_block(5000, 5), sample_balance_block);
    EXPECT_EQ(encode_balance(5000, 5), sample_balance_block);
    EXPECT_EQ(decode_value_block(sample_balance_block, 5), 5000);
    EXPECT_EQ(decode_balance(sample_balance_block, 5), 5000);
}

// -1 is FF FF FF FF, its inverse 0.
TEST(ValueBlock, encodesANegativeValue) {
    EXPECT_EQ(encode_value_block(-1, 0x3F),
              (Block{0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x3F, 0xC0, 0x3F, 0xC0}));
}

TEST(ValueBlock, roundTripsTheInt32Range) {
    for (const std::int32_t value :
         {std::numeric_limits<std::int32_t>::min(), -5000, -1, 0, 1, 5000, std::numeric_limits<std::int32_t>::max()}) {
        for (const std::uint8_t address : {std::uint8_t{0}, std::uint8_t{5}, std::uint8_t{62}, std::uint8_t{255}}) {
            EXPECT_EQ(decode_value_block(encode_value_block(value, address), address), value) << value;
        }
    }
}

// Any one byte changed breaks a copy: the value's or the address's.
TEST(ValueBlock, everyCorruptedByteIsNotAValueBlock) {
    for (std::size_t i = 0; i < 16; ++i) {
        for (const std::uint8_t flip : single_byte_flips) {
            Block block = sample_balance_block;
            block[i] = static_cast<std::uint8_t>(block[i] ^ flip);
            const auto decoded = decode_value_block(block, 5);
            ASSERT_FALSE(decoded.has_value()) << "byte " << i;
            EXPECT_EQ(decoded.error().code, DecodeErrc::not_value_block) << "byte " << i;
        }
    }
}

// A data block (the identity) is no value block.
TEST(ValueBlock, identityBlockIsNotAValueBlock) {
    EXPECT_EQ(decode_value_block(sample_identity_block, 4).error().code, DecodeErrc::not_value_block);
    EXPECT_EQ(decode_value_block(Block{}, 5).error().code, DecodeErrc::not_value_block);
}

// A consistent value block that names another block was copied there.
TEST(ValueBlock, otherAddressIsWrongAddress) {
    const auto decoded = decode_value_block(sample_balance_block, 6);
    ASSERT_FALSE(decoded.has_value());
    EXPECT_EQ(decoded.error().code, DecodeErrc::wrong_address);
    EXPECT_NE(decoded.error().message.find('5'), std::string::npos) << decoded.error().message;
    EXPECT_NE(decoded.error().message.find('6'), std::string::npos) << decoded.error().message;
    EXPECT_EQ(decode_balance(sample_balance_block, 6).error().code, DecodeErrc::wrong_address);
}

TEST(Balance, negativeIsRefusedBothWays) {
    EXPECT_THROW(encode_balance(-1, 5), std::invalid_argument);
    EXPECT_EQ(decode_balance(encode_value_block(-1, 5), 5).error().code, DecodeErrc::bad_value);
    EXPECT_EQ(decode_balance(encode_balance(0, 5), 5), 0);
    EXPECT_EQ(decode_balance(encode_balance(std::numeric_limits<std::int32_t>::max(), 5), 5),
              std::numeric_limits<std::int32_t>::max());
}

// The worked example's fresh counter (0) in block 6.
const Block sample_counter_block{
    0x00, 0x00, 0x00, 0x00,  // 0
    0xFF, 0xFF, 0xFF, 0xFF,  // ~0
    0x00, 0x00, 0x00, 0x00,  // 0
    0x06, 0xF9, 0x06, 0xF9,  // address 6
};

TEST(Counter, encodesTheSampleCounter) {
    EXPECT_EQ(encode_counter(0, 6), sample_counter_block);
    EXPECT_EQ(decode_counter(sample_counter_block, 6), 0u);
}

// Three purchases are three decrements: the block holds -3.
TEST(Counter, holdsMinusTheCount) {
    const Block three{0xFD, 0xFF, 0xFF, 0xFF, 0x02, 0x00, 0x00, 0x00, 0xFD, 0xFF, 0xFF, 0xFF, 0x06, 0xF9, 0x06, 0xF9};
    EXPECT_EQ(encode_counter(3, 6), three);
    EXPECT_EQ(decode_counter(three, 6), 3u);
    EXPECT_EQ(decode_counter(encode_value_block(-3, 6), 6), 3u);
}

// 2^31 is the last count an int32 can hold as -count.
TEST(Counter, rangeEndsAtTwoToThe31) {
    EXPECT_EQ(decode_counter(encode_counter(max_counter, 6), 6), max_counter);
    EXPECT_EQ(encode_counter(max_counter, 6), encode_value_block(std::numeric_limits<std::int32_t>::min(), 6));
    EXPECT_THROW(encode_counter(max_counter + 1, 6), std::invalid_argument);
}

// A positive counter was incremented, which terminals cannot do.
TEST(Counter, positiveValueIsBadValue) {
    EXPECT_EQ(decode_counter(encode_value_block(1, 6), 6).error().code, DecodeErrc::bad_value);
    EXPECT_EQ(decode_counter(sample_counter_block, 5).error().code, DecodeErrc::wrong_address);
    EXPECT_EQ(decode_counter(Block{}, 6).error().code, DecodeErrc::not_value_block);
}

}  // namespace
}  // namespace cardd::protocol::card
