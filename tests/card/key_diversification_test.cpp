#include "protocol/card/key_diversification.hpp"

#include <algorithm>
#include <cstdint>
#include <set>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol::card {
namespace {

using Bytes = std::vector<std::uint8_t>;

// RFC 4493 section 4: the AES-128 key and the 64-byte message whose first 0,
// 16, 40 and 64 bytes are the four examples.
const AesKey rfc4493_key{0x2b, 0x7e, 0x15, 0x16, 0x28, 0xae, 0xd2, 0xa6,
                         0xab, 0xf7, 0x15, 0x88, 0x09, 0xcf, 0x4f, 0x3c};
const Bytes rfc4493_message{
    0x6b, 0xc1, 0xbe, 0xe2, 0x2e, 0x40, 0x9f, 0x96, 0xe9, 0x3d, 0x7e, 0x11, 0x73, 0x93, 0x17, 0x2a,
    0xae, 0x2d, 0x8a, 0x57, 0x1e, 0x03, 0xac, 0x9c, 0x9e, 0xb7, 0x6f, 0xac, 0x45, 0xaf, 0x8e, 0x51,
    0x30, 0xc8, 0x1c, 0x46, 0xa3, 0x5c, 0xe4, 0x11, 0xe5, 0xfb, 0xc1, 0x19, 0x1a, 0x0a, 0x52, 0xef,
    0xf6, 0x9f, 0x24, 0x45, 0xdf, 0x4f, 0x9b, 0x17, 0xad, 0x2b, 0x41, 0x7b, 0xe6, 0x6c, 0x37, 0x10,
};

AesKey rfc4493_mac(std::size_t length) { return aes_cmac(rfc4493_key, std::span(rfc4493_message).first(length)); }

// Example 1: the empty message, one padded block (subkey K2).
TEST(AesCmac, rfc4493EmptyMessage) {
    EXPECT_EQ(rfc4493_mac(0),
              (AesKey{0xbb, 0x1d, 0x69, 0x29, 0xe9, 0x59, 0x37, 0x28, 0x7f, 0xa3, 0x7d, 0x12, 0x9b, 0x75, 0x67, 0x46}));
}

// Example 2: one complete block (subkey K1).
TEST(AesCmac, rfc4493OneBlock) {
    EXPECT_EQ(rfc4493_mac(16),
              (AesKey{0x07, 0x0a, 0x16, 0xb4, 0x6b, 0x4d, 0x41, 0x44, 0xf7, 0x9b, 0xdd, 0x9d, 0xd0, 0x4a, 0x28, 0x7c}));
}

// Example 3: 40 bytes, the last block padded.
TEST(AesCmac, rfc4493FortyBytes) {
    EXPECT_EQ(rfc4493_mac(40),
              (AesKey{0xdf, 0xa6, 0x67, 0x47, 0xde, 0x9a, 0xe6, 0x30, 0x30, 0xca, 0x32, 0x61, 0x14, 0x97, 0xc8, 0x27}));
}

// Example 4: four complete blocks.
TEST(AesCmac, rfc4493FourBlocks) {
    EXPECT_EQ(rfc4493_mac(64),
              (AesKey{0x51, 0xf0, 0xbe, 0xbf, 0x7e, 0x3b, 0x9d, 0x92, 0xfc, 0x49, 0x74, 0x17, 0x79, 0x36, 0x3c, 0xfe}));
}

const MasterKey an10922_master{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                               0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};

// AN10922 section 2.2.1, the AES-128 example: M = UID 04782E21801D80 ||
// AID 3042F5 || system identifier 4E585020416275 ("NXP Abu").
TEST(An10922, aes128Example) {
    const Bytes m{0x04, 0x78, 0x2E, 0x21, 0x80, 0x1D, 0x80, 0x30, 0x42, 0xF5, 0x4E, 0x58, 0x50, 0x20, 0x41, 0x62, 0x75};
    EXPECT_EQ(an10922_diversify(an10922_master, m),
              (AesKey{0xA8, 0xDD, 0x63, 0xA3, 0xB8, 0x9D, 0x54, 0xB3, 0x7C, 0xA8, 0x02, 0x47, 0x3F, 0xDA, 0x91, 0x75}));
}

Bytes with_prefix(const Bytes& m) {
    Bytes d(m.size() + 1, 0x01);
    std::copy(m.begin(), m.end(), d.begin() + 1);
    return d;
}

// From 16 bytes of input on, 0x01 || M is longer than one block and
// AN10922's padding is CMAC's; below that AN10922 pads to two blocks where
// CMAC pads (or, at exactly one block, does not pad) to one, and the results
// differ. Card keys (11 or 14 bytes of input) are in the short case.
TEST(An10922, differsFromPlainCmacOnlyForShortInputs) {
    for (std::size_t length = 1; length <= 31; ++length) {
        const Bytes m(length, 0x5A);
        const AesKey diversified = an10922_diversify(an10922_master, m);
        const AesKey plain = aes_cmac(an10922_master, with_prefix(m));
        if (length >= 16) {
            EXPECT_EQ(diversified, plain) << length;
        } else {
            EXPECT_NE(diversified, plain) << length;
        }
    }
}

TEST(An10922, inputLengthIsOneTo31) {
    EXPECT_THROW(an10922_diversify(an10922_master, Bytes{}), std::invalid_argument);
    EXPECT_THROW(an10922_diversify(an10922_master, Bytes(32, 0)), std::invalid_argument);
    EXPECT_NO_THROW(an10922_diversify(an10922_master, Bytes(31, 0)));
}

const MasterKey example_master{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                               0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
const Bytes example_uid{0x04, 0xA2, 0x3B, 0x1C};

// card_key is the first 6 bytes of AN10922 over uid || sector || 'A' or 'B'
// || "CARDD", spelt out here byte by byte.
TEST(CardKey, isTheDiversificationOfItsInput) {
    const Bytes input_a{0x04, 0xA2, 0x3B, 0x1C, 0x01, 'A', 'C', 'A', 'R', 'D', 'D'};
    const Bytes input_b{0x04, 0xA2, 0x3B, 0x1C, 0x01, 'B', 'C', 'A', 'R', 'D', 'D'};
    const AesKey full_a = an10922_diversify(example_master, input_a);
    const AesKey full_b = an10922_diversify(example_master, input_b);
    EXPECT_EQ(card_key(example_master, example_uid, 1, KeyType::a),
              (Key{full_a[0], full_a[1], full_a[2], full_a[3], full_a[4], full_a[5]}));
    EXPECT_EQ(card_key(example_master, example_uid, 1, KeyType::b),
              (Key{full_b[0], full_b[1], full_b[2], full_b[3], full_b[4], full_b[5]}));
    // The values docs/card-format.md prints in full.
    EXPECT_EQ(full_a,
              (AesKey{0xE9, 0x60, 0x8F, 0x8F, 0x19, 0xA7, 0x50, 0xFF, 0x35, 0xA2, 0xAB, 0x2D, 0x80, 0xFF, 0x29, 0xF4}));
    EXPECT_EQ(full_b,
              (AesKey{0x6F, 0xA9, 0x01, 0x6F, 0x05, 0x9F, 0x7B, 0xF0, 0xCE, 0xF1, 0xA7, 0x1F, 0x7A, 0x5E, 0x77, 0x62}));
}

// Every sector, key type and card gets its own key.
TEST(CardKey, differsPerSectorTypeAndCard) {
    const Bytes other_uid{0x04, 0xA2, 0x3B, 0x1D};
    const Bytes seven_byte_uid{0x04, 0x78, 0x2E, 0x21, 0x80, 0x1D, 0x80};
    std::set<Key> keys;
    for (int sector = first_sector; sector <= last_sector; ++sector) {
        for (const KeyType type : {KeyType::a, KeyType::b}) {
            keys.insert(card_key(example_master, example_uid, sector, type));
            keys.insert(card_key(example_master, other_uid, sector, type));
            keys.insert(card_key(example_master, seven_byte_uid, sector, type));
        }
    }
    EXPECT_EQ(keys.size(), 15u * 2u * 3u);
    EXPECT_EQ(keys.count(transport_key), 0u);
}

TEST(CardKey, refusesOtherUidLengthsAndSectors) {
    EXPECT_THROW(card_key(example_master, Bytes{0x04, 0xA2, 0x3B}, 1, KeyType::a), std::invalid_argument);
    EXPECT_THROW(card_key(example_master, Bytes(5, 0x04), 1, KeyType::a), std::invalid_argument);
    EXPECT_THROW(card_key(example_master, Bytes(10, 0x04), 1, KeyType::a), std::invalid_argument);
    EXPECT_THROW(card_key(example_master, example_uid, 0, KeyType::a), std::invalid_argument);
    EXPECT_THROW(card_key(example_master, example_uid, 16, KeyType::a), std::invalid_argument);
}

}  // namespace
}  // namespace cardd::protocol::card
