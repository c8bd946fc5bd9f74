#include "protocol/card/access_bits.hpp"

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>

#include "protocol/hex.hpp"

namespace cardd::protocol::card {

namespace {

// Who may do something: a set of keys.
using Keys = std::uint8_t;
constexpr Keys never = 0;
constexpr Keys key_a = 1;
constexpr Keys key_b = 2;
constexpr Keys key_ab = key_a | key_b;

// The data-sheet tables (NXP MF1S50yyX, "Access conditions for data blocks"
// and "... for the sector trailer"), indexed by c1 << 2 | c2 << 1 | c3.
struct DataRights {
    Keys read, write, increment, decrement;
};
constexpr DataRights data_table[8]{
    /* 000 */ {key_ab, key_ab, key_ab, key_ab},  // transport
    /* 001 */ {key_ab, never, never, key_ab},    // value block, decrement only
    /* 010 */ {key_ab, never, never, never},     // read only
    /* 011 */ {key_b, key_b, never, never},
    /* 100 */ {key_ab, key_b, never, never},
    /* 101 */ {key_b, never, never, never},
    /* 110 */ {key_ab, key_b, key_b, key_ab},  // value block
    /* 111 */ {never, never, never, never},
};

struct TrailerRights {
    Keys key_a_write, access_read, access_write, key_b_read, key_b_write;  // key A is never readable
};
constexpr TrailerRights trailer_table[8]{
    /* 000 */ {key_a, key_a, never, key_a, key_a},
    /* 001 */ {key_a, key_a, key_a, key_a, key_a},  // transport
    /* 010 */ {never, key_a, never, key_a, never},
    /* 011 */ {key_b, key_ab, key_b, never, key_b},
    /* 100 */ {key_b, key_ab, never, never, key_b},
    /* 101 */ {never, key_ab, key_b, never, never},
    /* 110 */ {never, key_ab, never, never, never},
    /* 111 */ {never, key_ab, never, never, never},
};

AccessCondition checked(AccessCondition condition) {
    if (condition > 0b111) {
        throw std::invalid_argument("access condition " + std::to_string(condition) + " is not three bits");
    }
    return condition;
}

// A key B stored readable in the trailer is data, not a secret, so the card
// refuses every access after authenticating with it.
bool key_b_readable(const AccessConditions& conditions) {
    return trailer_table[checked(conditions.blocks[trailer_offset])].key_b_read != never;
}

bool granted(Keys who, const AccessConditions& conditions, KeyType key) {
    if (key == KeyType::b && key_b_readable(conditions)) return false;
    return (who & (key == KeyType::a ? key_a : key_b)) != 0;
}

std::uint8_t bit(AccessCondition condition, int which) {  // which: 1, 2 or 3 for C1, C2, C3
    return static_cast<std::uint8_t>((condition >> (3 - which)) & 1);
}

// The nibble of C1, C2 or C3: bit i is block i's.
std::uint8_t nibble(const AccessConditions& conditions, int which) {
    std::uint8_t result = 0;
    for (std::size_t block = 0; block < 4; ++block) {
        result = static_cast<std::uint8_t>(result | bit(checked(conditions.blocks[block]), which) << block);
    }
    return result;
}

}  // namespace

std::array<std::uint8_t, 3> encode_access_bytes(const AccessConditions& conditions) {
    const std::uint8_t c1 = nibble(conditions, 1);
    const std::uint8_t c2 = nibble(conditions, 2);
    const std::uint8_t c3 = nibble(conditions, 3);
    const auto inverse = [](std::uint8_t n) { return static_cast<std::uint8_t>(~n & 0x0F); };
    return {
        static_cast<std::uint8_t>(inverse(c2) << 4 | inverse(c1)),
        static_cast<std::uint8_t>(c1 << 4 | inverse(c3)),
        static_cast<std::uint8_t>(c3 << 4 | c2),
    };
}

Decoded<AccessConditions> decode_access_bytes(std::span<const std::uint8_t, 3> bytes) {
    const std::uint8_t c1 = bytes[1] >> 4;
    const std::uint8_t c2 = bytes[2] & 0x0F;
    const std::uint8_t c3 = bytes[2] >> 4;
    const std::uint8_t c1_inverted = bytes[0] & 0x0F;
    const std::uint8_t c2_inverted = bytes[0] >> 4;
    const std::uint8_t c3_inverted = bytes[1] & 0x0F;
    if ((c1 ^ c1_inverted) != 0x0F || (c2 ^ c2_inverted) != 0x0F || (c3 ^ c3_inverted) != 0x0F) {
        // What the plain copy (C1 in byte 7, C2 and C3 in byte 8) asks for.
        const auto wanted_6 = static_cast<std::uint8_t>((~c2 & 0x0F) << 4 | (~c1 & 0x0F));
        const auto wanted_7 = static_cast<std::uint8_t>(c1 << 4 | (~c3 & 0x0F));
        const std::array<std::uint8_t, 3> wanted{wanted_6, wanted_7, bytes[2]};
        return decode_fail(DecodeErrc::bad_value, "access bytes " + hex_bytes(bytes, " ") +
                                                      ": the inverted copy disagrees, the plain copy wants " +
                                                      hex_bytes(wanted, " "));
    }
    AccessConditions conditions;
    for (std::size_t block = 0; block < 4; ++block) {
        conditions.blocks[block] =
            static_cast<AccessCondition>(((c1 >> block) & 1) << 2 | ((c2 >> block) & 1) << 1 | ((c3 >> block) & 1));
    }
    return conditions;
}

Block encode_trailer(const Key& key_a_bytes, const AccessConditions& conditions, const Key& key_b_bytes) {
    Block block{};
    const auto access = encode_access_bytes(conditions);
    std::copy(key_a_bytes.begin(), key_a_bytes.end(), block.begin());
    std::copy(access.begin(), access.end(), block.begin() + 6);
    block[9] = trailer_user_byte;
    std::copy(key_b_bytes.begin(), key_b_bytes.end(), block.begin() + 10);
    return block;
}

bool data_access_allowed(const AccessConditions& conditions, int offset, KeyType key, Operation operation) {
    if (offset < 0 || offset >= trailer_offset) {
        throw std::invalid_argument("data block offset " + std::to_string(offset) + " is not 0, 1 or 2");
    }
    const DataRights& rights = data_table[checked(conditions.blocks[static_cast<std::size_t>(offset)])];
    switch (operation) {
        case Operation::read: return granted(rights.read, conditions, key);
        case Operation::write: return granted(rights.write, conditions, key);
        case Operation::increment: return granted(rights.increment, conditions, key);
        case Operation::decrement: return granted(rights.decrement, conditions, key);
    }
    return false;
}

bool trailer_read_allowed(const AccessConditions& conditions, KeyType key, TrailerPart part) {
    const TrailerRights& rights = trailer_table[checked(conditions.blocks[trailer_offset])];
    switch (part) {
        case TrailerPart::key_a: return false;  // reads back as zeros on every card
        case TrailerPart::access_bits: return granted(rights.access_read, conditions, key);
        case TrailerPart::key_b: return granted(rights.key_b_read, conditions, key);
    }
    return false;
}

bool trailer_write_allowed(const AccessConditions& conditions, KeyType key, TrailerPart part) {
    const TrailerRights& rights = trailer_table[checked(conditions.blocks[trailer_offset])];
    switch (part) {
        case TrailerPart::key_a: return granted(rights.key_a_write, conditions, key);
        case TrailerPart::access_bits: return granted(rights.access_write, conditions, key);
        case TrailerPart::key_b: return granted(rights.key_b_write, conditions, key);
    }
    return false;
}

}  // namespace cardd::protocol::card
