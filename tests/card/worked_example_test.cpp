// The worked example of docs/card-format.md, value for value, so the page and
// the code cannot drift apart.

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/card/access_bits.hpp"
#include "protocol/card/card_layout.hpp"
#include "protocol/card/key_diversification.hpp"

namespace cardd::protocol::card {
namespace {

constexpr int sector = 1;
const MasterKey master{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};
const std::vector<std::uint8_t> uid{0x04, 0xA2, 0x3B, 0x1C};

const Key key_a{0xE9, 0x60, 0x8F, 0x8F, 0x19, 0xA7};
const Key key_b{0x6F, 0xA9, 0x01, 0x6F, 0x05, 0x9F};

TEST(WorkedExample, keys) {
    EXPECT_EQ(card_key(master, uid, sector, KeyType::a), key_a);
    EXPECT_EQ(card_key(master, uid, sector, KeyType::b), key_b);
}

// Block 4: card 123456, serial 42, issued 2026-11-25, expiring 2031-11-25.
TEST(WorkedExample, identityBlock) {
    const Identity identity{.status = CardStatus::active,
                            .card_no = 123456,
                            .serial = 42,
                            .issued = day_number(1'795'564'800),
                            .expires = day_number(1'953'331'200)};
    ASSERT_EQ(block_number(sector, identity_offset), 4);
    const Block block{0x01, 0x01, 0x01, 0xE2, 0x40, 0x00, 0x00, 0x00, 0x2A, 0x26, 0x61, 0x2D, 0x83, 0x00, 0xF2, 0xB0};
    EXPECT_EQ(encode_identity(identity), block);
    EXPECT_EQ(decode_identity(block), identity);
}

// Block 5: 5000 cents.
TEST(WorkedExample, balanceBlock) {
    ASSERT_EQ(block_number(sector, balance_offset), 5);
    const Block block{0x88, 0x13, 0x00, 0x00, 0x77, 0xEC, 0xFF, 0xFF, 0x88, 0x13, 0x00, 0x00, 0x05, 0xFA, 0x05, 0xFA};
    EXPECT_EQ(encode_balance(5000, 5), block);
    EXPECT_EQ(decode_balance(block, 5), 5000);
}

// Block 6: no purchases yet.
TEST(WorkedExample, counterBlock) {
    ASSERT_EQ(block_number(sector, counter_offset), 6);
    const Block block{0x00, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x06, 0xF9, 0x06, 0xF9};
    EXPECT_EQ(encode_counter(0, 6), block);
    EXPECT_EQ(decode_counter(block, 6), 0u);
}

// Block 7: the two keys around the issued access bytes.
TEST(WorkedExample, trailerBlock) {
    ASSERT_EQ(block_number(sector, trailer_offset), 7);
    const Block block{0xE9, 0x60, 0x8F, 0x8F, 0x19, 0xA7, 0x18, 0x77, 0x8E, 0x69, 0x6F, 0xA9, 0x01, 0x6F, 0x05, 0x9F};
    EXPECT_EQ(encode_trailer(card_key(master, uid, sector, KeyType::a), issued_access,
                             card_key(master, uid, sector, KeyType::b)),
              block);
}

// Three purchases of 120 cents: the balance decremented by 360, the counter by 3.
TEST(WorkedExample, afterThreePurchases) {
    const Block balance{0x20, 0x12, 0x00, 0x00, 0xDF, 0xED, 0xFF, 0xFF, 0x20, 0x12, 0x00, 0x00, 0x05, 0xFA, 0x05, 0xFA};
    const Block counter{0xFD, 0xFF, 0xFF, 0xFF, 0x02, 0x00, 0x00, 0x00, 0xFD, 0xFF, 0xFF, 0xFF, 0x06, 0xF9, 0x06, 0xF9};
    EXPECT_EQ(encode_value_block(5000 - 3 * 120, 5), balance);
    EXPECT_EQ(decode_balance(balance, 5), 4640);
    EXPECT_EQ(encode_value_block(0 - 3, 6), counter);
    EXPECT_EQ(decode_counter(counter, 6), 3u);
}

}  // namespace
}  // namespace cardd::protocol::card
