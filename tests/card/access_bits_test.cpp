#include "protocol/card/access_bits.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <gtest/gtest.h>

namespace cardd::protocol::card {
namespace {

using AccessBytes = std::array<std::uint8_t, 3>;

// Who may, as the data sheet writes it: "A", "B", "AB" or "-" (never).
std::string who(bool a, bool b) {
    if (a && b) return "AB";
    if (a) return "A";
    if (b) return "B";
    return "-";
}

std::string data_rights(const AccessConditions& conditions, int offset, Operation operation) {
    return who(data_access_allowed(conditions, offset, KeyType::a, operation),
               data_access_allowed(conditions, offset, KeyType::b, operation));
}

std::string trailer_read(const AccessConditions& conditions, TrailerPart part) {
    return who(trailer_read_allowed(conditions, KeyType::a, part), trailer_read_allowed(conditions, KeyType::b, part));
}

std::string trailer_write(const AccessConditions& conditions, TrailerPart part) {
    return who(trailer_write_allowed(conditions, KeyType::a, part),
               trailer_write_allowed(conditions, KeyType::b, part));
}

// The factory state every blank card ships in.
TEST(AccessBytes, transportIsFF0780) {
    EXPECT_EQ(encode_access_bytes(transport_access), (AccessBytes{0xFF, 0x07, 0x80}));
    EXPECT_EQ(decode_access_bytes(AccessBytes{0xFF, 0x07, 0x80}), transport_access);
}

// C1 = 0111, C2 = 1110, C3 = 1000 (bit i is block i): 18 77 8E.
TEST(AccessBytes, issuedIs18778E) {
    EXPECT_EQ(encode_access_bytes(issued_access), (AccessBytes{0x18, 0x77, 0x8E}));
    EXPECT_EQ(decode_access_bytes(AccessBytes{0x18, 0x77, 0x8E}), issued_access);
}

// Each block's bits land in its own bit of each nibble.
TEST(AccessBytes, oneBitPerBlock) {
    EXPECT_EQ(encode_access_bytes({{0b100, 0, 0, 0}}), (AccessBytes{0xFE, 0x1F, 0x00}));  // C1 of block 0
    EXPECT_EQ(encode_access_bytes({{0, 0b010, 0, 0}}), (AccessBytes{0xDF, 0x0F, 0x02}));  // C2 of block 1
    EXPECT_EQ(encode_access_bytes({{0, 0, 0b001, 0}}), (AccessBytes{0xFF, 0x0B, 0x40}));  // C3 of block 2
    EXPECT_EQ(encode_access_bytes({{0b111, 0b111, 0b111, 0b111}}), (AccessBytes{0x00, 0xF0, 0xFF}));
}

// All 4096 combinations survive the round trip.
TEST(AccessBytes, everyCombinationRoundTrips) {
    for (unsigned bits = 0; bits < 4096; ++bits) {
        const AccessConditions conditions{
            {static_cast<AccessCondition>(bits & 7), static_cast<AccessCondition>((bits >> 3) & 7),
             static_cast<AccessCondition>((bits >> 6) & 7), static_cast<AccessCondition>((bits >> 9) & 7)}};
        EXPECT_EQ(decode_access_bytes(encode_access_bytes(conditions)), conditions) << bits;
    }
}

// Every bit is stored twice, so any single flipped bit breaks the pair: such
// a trailer would lock the sector and must never be written back.
TEST(AccessBytes, everyFlippedBitIsRefused) {
    for (const AccessBytes& good : {AccessBytes{0xFF, 0x07, 0x80}, AccessBytes{0x18, 0x77, 0x8E}}) {
        for (std::size_t byte = 0; byte < 3; ++byte) {
            for (int bit = 0; bit < 8; ++bit) {
                AccessBytes bad = good;
                bad[byte] = static_cast<std::uint8_t>(bad[byte] ^ (1u << bit));
                const auto decoded = decode_access_bytes(bad);
                ASSERT_FALSE(decoded.has_value()) << "byte " << byte << " bit " << bit;
                EXPECT_EQ(decoded.error().code, DecodeErrc::bad_value);
            }
        }
    }
}

// The message shows what was read and what the plain copy asks for.
TEST(AccessBytes, messageSaysExpectedAndFound) {
    const auto decoded = decode_access_bytes(AccessBytes{0xFF, 0x07, 0x81});
    ASSERT_FALSE(decoded.has_value());
    EXPECT_NE(decoded.error().message.find("FF 07 81"), std::string::npos) << decoded.error().message;
    EXPECT_NE(decoded.error().message.find("EF 07 81"), std::string::npos) << decoded.error().message;
    EXPECT_EQ(decode_access_bytes(AccessBytes{0x00, 0x00, 0x00}).error().code, DecodeErrc::bad_value);
}

TEST(AccessBytes, conditionAboveThreeBitsThrows) {
    EXPECT_THROW(encode_access_bytes({{8, 0, 0, 0}}), std::invalid_argument);
}

// Key A, access bytes, the user byte 0x69, key B.
TEST(Trailer, layout) {
    const Key a{0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
    const Key b{0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6};
    EXPECT_EQ(encode_trailer(a, issued_access, b),
              (Block{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x18, 0x77, 0x8E, 0x69, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6}));
    EXPECT_EQ(encode_trailer(transport_key, transport_access, transport_key),
              (Block{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x80, 0x69, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}));
}

// The data-sheet table for data blocks, row by row: read, write, increment,
// decrement. The trailer is 011 so that key B is a key (not readable data).
TEST(DataAccess, dataSheetTable) {
    struct Row {
        AccessCondition condition;
        const char* read;
        const char* write;
        const char* increment;
        const char* decrement;
    };
    const Row table[]{
        {0b000, "AB", "AB", "AB", "AB"}, {0b010, "AB", "-", "-", "-"},  {0b100, "AB", "B", "-", "-"},
        {0b110, "AB", "B", "B", "AB"},   {0b001, "AB", "-", "-", "AB"}, {0b011, "B", "B", "-", "-"},
        {0b101, "B", "-", "-", "-"},     {0b111, "-", "-", "-", "-"},
    };
    for (const Row& row : table) {
        for (int offset = 0; offset < 3; ++offset) {
            AccessConditions conditions{{0b111, 0b111, 0b111, 0b011}};
            conditions.blocks[static_cast<std::size_t>(offset)] = row.condition;
            const int c = row.condition;
            EXPECT_EQ(data_rights(conditions, offset, Operation::read), row.read) << c << " block " << offset;
            EXPECT_EQ(data_rights(conditions, offset, Operation::write), row.write) << c << " block " << offset;
            EXPECT_EQ(data_rights(conditions, offset, Operation::increment), row.increment) << c;
            EXPECT_EQ(data_rights(conditions, offset, Operation::decrement), row.decrement) << c;
        }
    }
}

// The data-sheet table for the trailer: key A read and write, access bits
// read and write, key B read and write.
TEST(TrailerAccess, dataSheetTable) {
    struct Row {
        AccessCondition condition;
        const char* key_a_read;
        const char* key_a_write;
        const char* access_read;
        const char* access_write;
        const char* key_b_read;
        const char* key_b_write;
    };
    const Row table[]{
        {0b000, "-", "A", "A", "-", "A", "A"},  {0b010, "-", "-", "A", "-", "A", "-"},
        {0b100, "-", "B", "AB", "-", "-", "B"}, {0b110, "-", "-", "AB", "-", "-", "-"},
        {0b001, "-", "A", "A", "A", "A", "A"},  {0b011, "-", "B", "AB", "B", "-", "B"},
        {0b101, "-", "-", "AB", "B", "-", "-"}, {0b111, "-", "-", "AB", "-", "-", "-"},
    };
    for (const Row& row : table) {
        const AccessConditions conditions{{0, 0, 0, row.condition}};
        const int c = row.condition;
        EXPECT_EQ(trailer_read(conditions, TrailerPart::key_a), row.key_a_read) << c;
        EXPECT_EQ(trailer_write(conditions, TrailerPart::key_a), row.key_a_write) << c;
        EXPECT_EQ(trailer_read(conditions, TrailerPart::access_bits), row.access_read) << c;
        EXPECT_EQ(trailer_write(conditions, TrailerPart::access_bits), row.access_write) << c;
        EXPECT_EQ(trailer_read(conditions, TrailerPart::key_b), row.key_b_read) << c;
        EXPECT_EQ(trailer_write(conditions, TrailerPart::key_b), row.key_b_write) << c;
    }
}

// Where the trailer makes key B readable (000, 010, 001), key B is data and
// authenticating with it grants nothing, even where a data row says "AB".
TEST(DataAccess, readableKeyBGrantsNothing) {
    for (const int trailer : {0b000, 0b010, 0b001}) {
        const AccessConditions conditions{{0b000, 0b110, 0b011, static_cast<AccessCondition>(trailer)}};
        for (int offset = 0; offset < 3; ++offset) {
            for (const Operation operation :
                 {Operation::read, Operation::write, Operation::increment, Operation::decrement}) {
                EXPECT_FALSE(data_access_allowed(conditions, offset, KeyType::b, operation))
                    << trailer << " block " << offset;
            }
        }
        EXPECT_TRUE(data_access_allowed(conditions, 0, KeyType::a, Operation::write));
    }
}

// A blank card: key A (FF..FF) does everything, key B (readable) nothing.
TEST(TransportAccess, keyADoesEverything) {
    for (int offset = 0; offset < 3; ++offset) {
        for (const Operation operation :
             {Operation::read, Operation::write, Operation::increment, Operation::decrement}) {
            EXPECT_TRUE(data_access_allowed(transport_access, offset, KeyType::a, operation));
            EXPECT_FALSE(data_access_allowed(transport_access, offset, KeyType::b, operation));
        }
    }
    for (const TrailerPart part : {TrailerPart::key_a, TrailerPart::access_bits, TrailerPart::key_b}) {
        EXPECT_TRUE(trailer_write_allowed(transport_access, KeyType::a, part));
        EXPECT_FALSE(trailer_write_allowed(transport_access, KeyType::b, part));
    }
    EXPECT_FALSE(trailer_read_allowed(transport_access, KeyType::a, TrailerPart::key_a));
    EXPECT_TRUE(trailer_read_allowed(transport_access, KeyType::a, TrailerPart::key_b));
}

// An issued card: terminals (key A) read everything and decrement the
// balance and counter; the card centre (key B) writes and increments.
TEST(IssuedAccess, terminalsReadAndDecrement) {
    for (int offset = 0; offset < 3; ++offset) {
        EXPECT_TRUE(data_access_allowed(issued_access, offset, KeyType::a, Operation::read));
        EXPECT_FALSE(data_access_allowed(issued_access, offset, KeyType::a, Operation::write));
        EXPECT_FALSE(data_access_allowed(issued_access, offset, KeyType::a, Operation::increment));
    }
    EXPECT_FALSE(data_access_allowed(issued_access, identity_offset, KeyType::a, Operation::decrement));
    EXPECT_TRUE(data_access_allowed(issued_access, balance_offset, KeyType::a, Operation::decrement));
    EXPECT_TRUE(data_access_allowed(issued_access, counter_offset, KeyType::a, Operation::decrement));
}

TEST(IssuedAccess, cardCentreWritesAndIncrements) {
    for (int offset = 0; offset < 3; ++offset) {
        EXPECT_TRUE(data_access_allowed(issued_access, offset, KeyType::b, Operation::read));
        EXPECT_TRUE(data_access_allowed(issued_access, offset, KeyType::b, Operation::write));
    }
    EXPECT_FALSE(data_access_allowed(issued_access, identity_offset, KeyType::b, Operation::increment));
    EXPECT_FALSE(data_access_allowed(issued_access, identity_offset, KeyType::b, Operation::decrement));
    EXPECT_TRUE(data_access_allowed(issued_access, balance_offset, KeyType::b, Operation::increment));
    EXPECT_TRUE(data_access_allowed(issued_access, counter_offset, KeyType::b, Operation::increment));
    EXPECT_TRUE(data_access_allowed(issued_access, balance_offset, KeyType::b, Operation::decrement));
}

// The trailer: written with key B only; neither key readable; the access
// bits readable by both, so a terminal can see the sector's state.
TEST(IssuedAccess, trailerWithKeyBOnly) {
    for (const TrailerPart part : {TrailerPart::key_a, TrailerPart::access_bits, TrailerPart::key_b}) {
        EXPECT_FALSE(trailer_write_allowed(issued_access, KeyType::a, part));
        EXPECT_TRUE(trailer_write_allowed(issued_access, KeyType::b, part));
    }
    for (const KeyType key : {KeyType::a, KeyType::b}) {
        EXPECT_FALSE(trailer_read_allowed(issued_access, key, TrailerPart::key_a));
        EXPECT_FALSE(trailer_read_allowed(issued_access, key, TrailerPart::key_b));
        EXPECT_TRUE(trailer_read_allowed(issued_access, key, TrailerPart::access_bits));
    }
}

TEST(DataAccess, trailerOffsetIsNoDataBlock) {
    EXPECT_THROW(data_access_allowed(issued_access, trailer_offset, KeyType::a, Operation::read),
                 std::invalid_argument);
    EXPECT_THROW(data_access_allowed(issued_access, -1, KeyType::a, Operation::read), std::invalid_argument);
}

}  // namespace
}  // namespace cardd::protocol::card
