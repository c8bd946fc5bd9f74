#include "daemon/encoder/sim/virtual_card.hpp"

#include <array>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::encoder::sim {
namespace {

namespace card = protocol::card;

const std::vector<std::uint8_t> uid4{0x04, 0x11, 0x22, 0x33};
constexpr Key key_a{0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5};
constexpr Key key_b{0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5};
constexpr Key wrong_key{0x01, 0x02, 0x03, 0x04, 0x05, 0x06};

// Sector 1 as the card centre leaves it.
constexpr std::uint8_t identity = card::block_number(1, card::identity_offset);
constexpr std::uint8_t balance = card::block_number(1, card::balance_offset);
constexpr std::uint8_t counter = card::block_number(1, card::counter_offset);
constexpr std::uint8_t trailer = card::block_number(1, card::trailer_offset);

Block filled(std::uint8_t byte) {
    Block block{};
    block.fill(byte);
    return block;
}

// A blank card with sector 1 written as an issued card: identity, a balance
// of 1000, a counter, keys A and B, and the issued access conditions.
VirtualCard issued_card() {
    VirtualCard c(uid4);
    EXPECT_EQ(c.authenticate(trailer, KeyType::a, card::transport_key), CardOutcome::ok);
    EXPECT_EQ(c.write(identity, filled(0x11)), CardOutcome::ok);
    EXPECT_EQ(c.write(balance, card::encode_value_block(1000, balance)), CardOutcome::ok);
    EXPECT_EQ(c.write(counter, card::encode_value_block(0, counter)), CardOutcome::ok);
    EXPECT_EQ(c.write(trailer, card::encode_trailer(key_a, card::issued_access, key_b)), CardOutcome::ok);
    c.halt();
    return c;
}

std::int32_t value_at(const VirtualCard& c, std::uint8_t block) {
    const auto value = card::decode_value_block(c.memory()[block], block);
    EXPECT_TRUE(value.has_value());
    return value.value_or(0);
}

TEST(VirtualCard, blankCardHasManufacturerBlockAndTransportTrailers) {
    const VirtualCard c(uid4);
    const Block& block0 = c.memory()[0];
    EXPECT_EQ(block0[0], 0x04);
    EXPECT_EQ(block0[3], 0x33);
    EXPECT_EQ(block0[4], 0x04 ^ 0x11 ^ 0x22 ^ 0x33);  // BCC
    EXPECT_EQ(block0[5], 0x08);                       // SAK
    EXPECT_EQ(block0[6], 0x04);                       // ATQA 0004
    EXPECT_EQ(block0[7], 0x00);
    const Block transport{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07,
                          0x80, 0x69, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    for (int sector = 0; sector < 16; ++sector) {
        EXPECT_EQ(c.memory()[card::block_number(sector, 3)], transport) << "sector " << sector;
        EXPECT_EQ(c.memory()[card::block_number(sector, 1)], Block{}) << "sector " << sector;
    }
}

TEST(VirtualCard, sevenByteUidHasNoCheckByte) {
    const VirtualCard c({0x04, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06});
    const Block& block0 = c.memory()[0];
    EXPECT_EQ(block0[6], 0x06);
    EXPECT_EQ(block0[7], 0x08);  // SAK right after the UID
    EXPECT_EQ(block0[8], 0x44);  // ATQA 0044: double-size UID
}

TEST(VirtualCard, refusesUidsOfOtherLengths) {
    EXPECT_THROW(VirtualCard({0x01, 0x02, 0x03}), std::invalid_argument);
    EXPECT_THROW(VirtualCard({0x01, 0x02, 0x03, 0x04, 0x05}), std::invalid_argument);
}

TEST(VirtualCard, transportKeyAReadsAndWritesData) {
    VirtualCard c(uid4);
    ASSERT_EQ(c.authenticate(identity, KeyType::a, card::transport_key), CardOutcome::ok);
    EXPECT_EQ(c.write(counter, filled(0x5A)), CardOutcome::ok);
    Block out{};
    EXPECT_EQ(c.read(counter, out), CardOutcome::ok);
    EXPECT_EQ(out, filled(0x5A));
}

TEST(VirtualCard, readableKeyBAuthenticatesButGrantsNothing) {
    VirtualCard c(uid4);
    ASSERT_EQ(c.authenticate(identity, KeyType::b, card::transport_key), CardOutcome::ok);
    Block out{};
    EXPECT_EQ(c.read(identity, out), CardOutcome::not_permitted);
    EXPECT_EQ(c.write(identity, filled(1)), CardOutcome::not_permitted);
    EXPECT_EQ(c.write(trailer, card::encode_trailer(key_a, card::issued_access, key_b)), CardOutcome::not_permitted);
}

TEST(VirtualCard, wrongKeyFailsAndDropsTheSession) {
    VirtualCard c(uid4);
    ASSERT_EQ(c.authenticate(identity, KeyType::a, card::transport_key), CardOutcome::ok);
    EXPECT_EQ(c.authenticate(identity, KeyType::a, wrong_key), CardOutcome::auth_failed);
    Block out{};
    EXPECT_EQ(c.read(identity, out), CardOutcome::not_authenticated);
}

TEST(VirtualCard, sessionCoversOneSectorOnly) {
    VirtualCard c(uid4);
    Block out{};
    EXPECT_EQ(c.read(identity, out), CardOutcome::not_authenticated);
    ASSERT_EQ(c.authenticate(identity, KeyType::a, card::transport_key), CardOutcome::ok);
    EXPECT_EQ(c.read(card::block_number(2, 0), out), CardOutcome::not_authenticated);
    EXPECT_EQ(c.write(card::block_number(0, 1), filled(1)), CardOutcome::not_authenticated);
    c.halt();
    EXPECT_EQ(c.read(identity, out), CardOutcome::not_authenticated);
}

TEST(VirtualCard, blockBeyond63IsBad) {
    VirtualCard c(uid4);
    EXPECT_EQ(c.authenticate(64, KeyType::a, card::transport_key), CardOutcome::bad_block);
    Block out{};
    EXPECT_EQ(c.read(64, out), CardOutcome::bad_block);
}

TEST(VirtualCard, manufacturerBlockIsReadOnly) {
    VirtualCard c(uid4);
    const Block before = c.memory()[0];
    ASSERT_EQ(c.authenticate(0, KeyType::a, card::transport_key), CardOutcome::ok);
    Block out{};
    EXPECT_EQ(c.read(0, out), CardOutcome::ok);
    EXPECT_EQ(out, before);
    EXPECT_EQ(c.write(0, filled(0)), CardOutcome::not_permitted);
    EXPECT_EQ(c.increment(0, 1), CardOutcome::not_permitted);
    EXPECT_EQ(c.memory()[0], before);
    EXPECT_EQ(c.write(1, filled(7)), CardOutcome::ok);  // the rest of sector 0 is data
}

TEST(VirtualCard, trailerReadHidesKeyAAlwaysAndKeyBUnlessReadable) {
    VirtualCard blank(uid4);
    ASSERT_EQ(blank.authenticate(trailer, KeyType::a, card::transport_key), CardOutcome::ok);
    Block out{};
    ASSERT_EQ(blank.read(trailer, out), CardOutcome::ok);
    const Block transport_seen{0, 0, 0, 0, 0, 0, 0xFF, 0x07, 0x80, 0x69, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    EXPECT_EQ(out, transport_seen);

    VirtualCard issued = issued_card();
    const auto bits = card::encode_access_bytes(card::issued_access);
    const Block issued_seen{0, 0, 0, 0, 0, 0, bits[0], bits[1], bits[2], card::trailer_user_byte, 0, 0, 0, 0, 0, 0};
    for (const auto& [type, key] : {std::pair{KeyType::a, key_a}, std::pair{KeyType::b, key_b}}) {
        ASSERT_EQ(issued.authenticate(trailer, type, key), CardOutcome::ok);
        ASSERT_EQ(issued.read(trailer, out), CardOutcome::ok);
        EXPECT_EQ(out, issued_seen);
    }
}

TEST(VirtualCard, issuedKeyAReadsAndDecrementsOnly) {
    VirtualCard c = issued_card();
    EXPECT_EQ(c.authenticate(identity, KeyType::a, card::transport_key), CardOutcome::auth_failed);
    ASSERT_EQ(c.authenticate(identity, KeyType::a, key_a), CardOutcome::ok);
    Block out{};
    EXPECT_EQ(c.read(identity, out), CardOutcome::ok);
    EXPECT_EQ(out, filled(0x11));
    EXPECT_EQ(c.read(balance, out), CardOutcome::ok);
    EXPECT_EQ(c.decrement(balance, 250), CardOutcome::ok);
    EXPECT_EQ(value_at(c, balance), 750);
    EXPECT_EQ(c.decrement(counter, 1), CardOutcome::ok);
    EXPECT_EQ(value_at(c, counter), -1);

    EXPECT_EQ(c.write(identity, filled(0x22)), CardOutcome::not_permitted);
    EXPECT_EQ(c.write(balance, card::encode_value_block(99999, balance)), CardOutcome::not_permitted);
    EXPECT_EQ(c.increment(balance, 100), CardOutcome::not_permitted);
    EXPECT_EQ(c.write(trailer, card::encode_trailer(key_a, card::issued_access, key_b)), CardOutcome::not_permitted);
    EXPECT_EQ(value_at(c, balance), 750);
    EXPECT_EQ(c.memory()[identity], filled(0x11));
}

TEST(VirtualCard, issuedKeyBWritesAndIncrements) {
    VirtualCard c = issued_card();
    ASSERT_EQ(c.authenticate(balance, KeyType::b, key_b), CardOutcome::ok);
    EXPECT_EQ(c.write(identity, filled(0x22)), CardOutcome::ok);
    EXPECT_EQ(c.increment(balance, 500), CardOutcome::ok);
    EXPECT_EQ(value_at(c, balance), 1500);
    EXPECT_EQ(c.decrement(balance, 100), CardOutcome::ok);
    EXPECT_EQ(value_at(c, balance), 1400);
    // Key B may rewrite the trailer: back to transport state.
    EXPECT_EQ(c.write(trailer, card::encode_trailer(card::transport_key, card::transport_access, card::transport_key)),
              CardOutcome::ok);
    EXPECT_EQ(c.authenticate(balance, KeyType::a, card::transport_key), CardOutcome::ok);
}

TEST(VirtualCard, valueOperationsNeedAValueBlock) {
    VirtualCard c(uid4);
    ASSERT_EQ(c.authenticate(identity, KeyType::a, card::transport_key), CardOutcome::ok);
    ASSERT_EQ(c.write(identity, filled(0x11)), CardOutcome::ok);
    EXPECT_EQ(c.increment(identity, 1), CardOutcome::not_value_block);
    EXPECT_EQ(c.decrement(identity, 1), CardOutcome::not_value_block);
    std::int32_t value = 0;
    EXPECT_EQ(c.read_value(identity, value), CardOutcome::not_value_block);
    EXPECT_EQ(c.increment(trailer, 1), CardOutcome::not_permitted);
    EXPECT_EQ(c.memory()[identity], filled(0x11));
}

TEST(VirtualCard, valueOperationsIgnoreTheAddressBytes) {
    VirtualCard c(uid4);
    ASSERT_EQ(c.authenticate(balance, KeyType::a, card::transport_key), CardOutcome::ok);
    // A value block naming another block, and address bytes that disagree:
    // a real card checks only the value copies.
    Block odd = card::encode_value_block(40, 9);
    odd[13] = 0x00;
    ASSERT_EQ(c.write(balance, odd), CardOutcome::ok);
    EXPECT_EQ(c.increment(balance, 2), CardOutcome::ok);
    std::int32_t value = 0;
    EXPECT_EQ(c.read_value(balance, value), CardOutcome::ok);
    EXPECT_EQ(value, 42);
    const Block& now = c.memory()[balance];
    EXPECT_EQ(now[12], 9);
    EXPECT_EQ(now[13], 0x00);  // left as written
}

TEST(VirtualCard, overflowIsRefused) {
    VirtualCard c(uid4);
    ASSERT_EQ(c.authenticate(balance, KeyType::a, card::transport_key), CardOutcome::ok);
    constexpr auto max = std::numeric_limits<std::int32_t>::max();
    constexpr auto min = std::numeric_limits<std::int32_t>::min();
    ASSERT_EQ(c.write(balance, card::encode_value_block(max - 1, balance)), CardOutcome::ok);
    EXPECT_EQ(c.increment(balance, 2), CardOutcome::not_permitted);
    EXPECT_EQ(c.increment(balance, 1), CardOutcome::ok);
    EXPECT_EQ(value_at(c, balance), max);
    ASSERT_EQ(c.write(counter, card::encode_value_block(min, counter)), CardOutcome::ok);
    EXPECT_EQ(c.decrement(counter, 1), CardOutcome::not_permitted);
    EXPECT_EQ(value_at(c, counter), min);
}

TEST(VirtualCard, restoreCopiesAValueInsideTheSector) {
    VirtualCard c = issued_card();
    ASSERT_EQ(c.authenticate(balance, KeyType::a, key_a), CardOutcome::ok);
    EXPECT_EQ(c.restore(balance, counter), CardOutcome::ok);
    EXPECT_EQ(value_at(c, counter), 1000);
    EXPECT_EQ(c.restore(identity, counter), CardOutcome::not_permitted);  // identity: no restore right
    EXPECT_EQ(c.restore(balance, card::block_number(2, 1)), CardOutcome::not_authenticated);
}

TEST(VirtualCard, inconsistentAccessBitsAreNeverWritten) {
    VirtualCard c(uid4);
    ASSERT_EQ(c.authenticate(trailer, KeyType::a, card::transport_key), CardOutcome::ok);
    const Block before = c.memory()[trailer];
    Block bricking = card::encode_trailer(key_a, card::issued_access, key_b);
    bricking[7] ^= 0x10;
    EXPECT_EQ(c.write(trailer, bricking), CardOutcome::not_permitted);
    EXPECT_EQ(c.memory()[trailer], before);
}

TEST(VirtualCard, fromMemoryTakesAValidCardAndRefusesBrokenOnes) {
    const VirtualCard issued = issued_card();
    const auto copy = VirtualCard::from_memory(uid4, issued.memory());
    ASSERT_TRUE(copy.has_value());
    EXPECT_EQ(copy->memory(), issued.memory());
    EXPECT_EQ(copy->uid(), uid4);

    auto broken = issued.memory();
    broken[card::block_number(7, 3)][8] ^= 0x01;
    EXPECT_FALSE(VirtualCard::from_memory(uid4, broken).has_value());
    const auto problem = VirtualCard::memory_problem(uid4, broken);
    ASSERT_TRUE(problem.has_value());
    EXPECT_NE(problem->find("sector 7"), std::string::npos) << *problem;

    EXPECT_FALSE(VirtualCard::from_memory({0x04, 0x11, 0x22, 0x34}, issued.memory()).has_value());
    auto bad_bcc = issued.memory();
    bad_bcc[0][4] ^= 0xFF;
    EXPECT_FALSE(VirtualCard::from_memory(uid4, bad_bcc).has_value());
    EXPECT_FALSE(VirtualCard::from_memory({0x04, 0x11}, issued.memory()).has_value());
}

}  // namespace
}  // namespace cardd::encoder::sim
