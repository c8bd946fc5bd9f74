// What a card session tells about a card and what write_sector puts on it,
// checked against the virtual card's raw memory: a card issued, written
// again, topped up and wiped; other systems' cards refused and untouched.
#include "daemon/encoder/card_session.hpp"

#include <cstdint>
#include <limits>
#include <random>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tests/daemon/encoder/card_session_fixture.hpp"

namespace cardd::encoder::session_test {
namespace {

using sim::CardOutcome;
using sim::VirtualCard;

Block filled(std::uint8_t byte) {
    Block block{};
    block.fill(byte);
    return block;
}

/// Every block outside `in_sector` is as it was.
void expect_other_sectors_kept(const Memory& after, const Memory& before, int in_sector = sector) {
    for (int block = 0; block < 64; ++block) {
        if (block / card::blocks_per_sector == in_sector) continue;
        EXPECT_EQ(after[block], before[block]) << "block " << block;
    }
}

/// Another system's card: the sector locked with random keys of its own.
VirtualCard their_card() {
    std::mt19937 random(20261125);
    std::uniform_int_distribution<int> byte(0, 255);
    card::Key their_a{};
    card::Key their_b{};
    for (auto& b : their_a) b = static_cast<std::uint8_t>(byte(random));
    for (auto& b : their_b) b = static_cast<std::uint8_t>(byte(random));
    VirtualCard theirs({0x08, 0x5E, 0x21, 0x9A});
    EXPECT_EQ(theirs.authenticate(at(card::trailer_offset), KeyType::a, card::transport_key), CardOutcome::ok);
    EXPECT_EQ(theirs.write(at(card::identity_offset), filled(0x3D)), CardOutcome::ok);
    EXPECT_EQ(theirs.write(at(card::trailer_offset), card::encode_trailer(their_a, card::issued_access, their_b)),
              CardOutcome::ok);
    theirs.halt();
    return theirs;
}

TEST_F(CardSessionTest, transportTrailerIsTheFactoryOne) {
    const Block factory{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x80, 0x69, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    EXPECT_EQ(transport_trailer(), factory);
    EXPECT_EQ(VirtualCard(Uid{0x04, 0x01, 0x02, 0x03}).memory()[at(card::trailer_offset)], factory);
}

TEST_F(CardSessionTest, classifiesBlankOursAndForeign) {
    const Uid blank = reader.place_blank().value();
    auto kind = session().classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::blank);

    const auto written = session().write_sector(ours(opening, 1));
    ASSERT_TRUE(written.has_value()) << describe(written.error());
    kind = session().classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::ours);

    // Ours under another master key is someone else's card.
    place_holding(ours(opening, 1), other_master);
    kind = session().classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::foreign);

    reader.place(their_card()).value();
    kind = session().classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::foreign);

    // The first card is still ours when it comes back.
    reader.place(blank).value();
    kind = session().classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::ours);
}

TEST_F(CardSessionTest, classifyWithoutACardSaysSo) {
    const auto kind = session().classify();
    ASSERT_FALSE(kind.has_value());
    EXPECT_EQ(kind.error().code, Errc::no_card) << describe(kind.error());
}

TEST_F(CardSessionTest, aBlankCardWrittenToACardOfOursHoldsExactlyTheFormat) {
    const Uid uid = reader.place_blank().value();
    const Memory before = memory(uid);
    const Sector target = ours(opening, 7);
    const auto written = session().write_sector(target);
    ASSERT_TRUE(written.has_value()) << describe(written.error());

    const auto read = session().read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->uid, uid);
    EXPECT_EQ(read->identity, identity);
    EXPECT_EQ(read->balance, opening);
    EXPECT_EQ(read->counter, 7u);
    const auto raw = session().read_sector();
    ASSERT_TRUE(raw.has_value()) << describe(raw.error());
    EXPECT_EQ(*raw, target);

    const Memory after = memory(uid);
    EXPECT_EQ(after[at(card::identity_offset)], card::encode_identity(identity));
    EXPECT_EQ(after[at(card::balance_offset)], card::encode_balance(opening, at(card::balance_offset)));
    EXPECT_EQ(after[at(card::counter_offset)], card::encode_counter(7, at(card::counter_offset)));
    EXPECT_EQ(after[at(card::trailer_offset)], issued_trailer(uid));
    // Only the configured sector is written: another application's sectors keep what they hold.
    expect_other_sectors_kept(after, before);
    // The transport key no longer opens the sector.
    ASSERT_TRUE(mifare.uid().has_value());
    const auto transport = mifare.authenticate(at(card::trailer_offset), KeyType::a, card::transport_key);
    ASSERT_FALSE(transport.has_value());
    EXPECT_EQ(transport.error().code, Errc::auth_failed);
}

TEST_F(CardSessionTest, anotherSectorIsWrittenAndTheFirstLeftAlone) {
    const Uid uid = reader.place_blank().value();
    const Memory before = memory(uid);
    const Sector target = card_sector(identity, opening, 1, other_sector);
    const auto written = session(other_sector).write_sector(target);
    ASSERT_TRUE(written.has_value()) << describe(written.error());

    const Memory after = memory(uid);
    EXPECT_EQ(after[at(card::identity_offset, other_sector)], card::encode_identity(identity));
    EXPECT_EQ(after[at(card::balance_offset, other_sector)],
              card::encode_balance(opening, at(card::balance_offset, other_sector)));
    EXPECT_EQ(after[at(card::counter_offset, other_sector)],
              card::encode_counter(1, at(card::counter_offset, other_sector)));
    EXPECT_EQ(after[at(card::trailer_offset, other_sector)], issued_trailer(uid, master, other_sector));
    // The keys depend on the sector, so sector 1's keys are not sector 15's.
    EXPECT_NE(issued_trailer(uid, master, other_sector), issued_trailer(uid, master, sector));
    expect_other_sectors_kept(after, before, other_sector);

    const auto read = session(other_sector).read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->balance, opening);
    const auto kind = session(sector).classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::blank);
}

// A returned card of ours given out again (another serial, the balance it
// carries, the next counter): only the data blocks change, the keys stay.
TEST_F(CardSessionTest, aCardOfOursWrittenAgainKeepsItsKeys) {
    const Uid uid = place_holding(ours(opening, 3));
    const Memory before = memory(uid);
    const Sector target = ours(700, 4, reissued);
    const auto written = session().write_sector(target);
    ASSERT_TRUE(written.has_value()) << describe(written.error());

    const auto read = session().read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->identity, reissued);
    EXPECT_EQ(read->balance, 700);
    EXPECT_EQ(read->counter, 4u);
    const Memory after = memory(uid);
    EXPECT_EQ(after[at(card::identity_offset)], card::encode_identity(reissued));
    EXPECT_EQ(after[at(card::balance_offset)], card::encode_balance(700, at(card::balance_offset)));
    EXPECT_EQ(after[at(card::counter_offset)], card::encode_counter(4, at(card::counter_offset)));
    EXPECT_EQ(after[at(card::trailer_offset)], issued_trailer(uid));
    EXPECT_EQ(after[at(card::trailer_offset)], before[at(card::trailer_offset)]);
    expect_other_sectors_kept(after, before);
}

TEST_F(CardSessionTest, aTopUpRaisesTheBalanceAndTheCounterAndNothingElse) {
    const Uid uid = place_holding(ours(opening, 1));
    Memory before = memory(uid);
    auto written = session().write_sector(ours(opening + top_up, 2));
    ASSERT_TRUE(written.has_value()) << describe(written.error());
    auto read = session().read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->identity, identity);
    EXPECT_EQ(read->balance, opening + top_up);
    EXPECT_EQ(read->counter, 2u);
    Memory after = memory(uid);
    for (int block = 0; block < 64; ++block) {
        if (block == at(card::balance_offset) || block == at(card::counter_offset)) continue;
        EXPECT_EQ(after[block], before[block]) << "block " << block;
    }

    // Up to the value block's edge.
    constexpr std::int32_t top = std::numeric_limits<std::int32_t>::max();
    before = after;
    written = session().write_sector(ours(top, 3));
    ASSERT_TRUE(written.has_value()) << describe(written.error());
    read = session().read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->balance, top);
    EXPECT_EQ(read->counter, 3u);
    after = memory(uid);
    EXPECT_EQ(after[at(card::balance_offset)], card::encode_balance(top, at(card::balance_offset)));
    EXPECT_EQ(after[at(card::identity_offset)], before[at(card::identity_offset)]);
}

// What a balance or a counter may be is the layout's to say: a sector it
// cannot hold is never built, so never written. (The balance parameter is an
// int32: a balance above its range cannot be asked for.)
TEST_F(CardSessionTest, aSectorTheLayoutCannotHoldIsNeverBuilt) {
    EXPECT_THROW(card_sector(identity, -1, 0, sector), std::invalid_argument);
    EXPECT_THROW(card_sector(identity, std::numeric_limits<std::int32_t>::min(), 0, sector), std::invalid_argument);
    EXPECT_THROW(card_sector(identity, 0, card::max_counter + 1, sector), std::invalid_argument);
    card::Identity unnumbered = identity;
    unnumbered.card_no = 0;
    EXPECT_THROW(card_sector(unnumbered, 0, 0, sector), std::invalid_argument);

    // The edges themselves are written and read back.
    const Uid uid = reader.place_blank().value();
    const Sector edges = ours(std::numeric_limits<std::int32_t>::max(), card::max_counter);
    const auto written = session().write_sector(edges);
    ASSERT_TRUE(written.has_value()) << describe(written.error());
    const auto read = session().read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->balance, std::numeric_limits<std::int32_t>::max());
    EXPECT_EQ(read->counter, card::max_counter);
    EXPECT_EQ(memory(uid)[at(card::balance_offset)],
              card::encode_value_block(std::numeric_limits<std::int32_t>::max(), at(card::balance_offset)));
}

TEST_F(CardSessionTest, anotherSystemsKeysAreNeverATarget) {
    const Uid uid = reader.place_blank().value();
    const Memory before = memory(uid);
    Sector foreign = blank_sector();
    foreign.keys = CardKind::foreign;
    EXPECT_THROW((void)session().write_sector(foreign), std::invalid_argument);
    EXPECT_EQ(memory(uid), before);
}

// A card of ours under another master key, and another system's card: no
// write reaches them, and their own card centre still reads them as they were.
TEST_F(CardSessionTest, cardsOfOtherCentresAndSystemsAreRefusedAndUnchanged) {
    const Uid other_centres = place_holding(ours(opening, 1), other_master);
    const VirtualCard theirs = their_card();
    reader.place(theirs).value();
    for (const Uid& uid : {other_centres, theirs.uid()}) {
        SCOPED_TRACE("card " + uid_hex(uid));
        reader.place(uid).value();
        const Memory before = memory(uid);
        for (const Sector& target : {ours(99999, 2, reissued), blank_sector()}) {
            const auto written = session().write_sector(target);
            ASSERT_FALSE(written.has_value());
            EXPECT_EQ(written.error().code, Errc::auth_failed) << describe(written.error());
            EXPECT_EQ(memory(uid), before);
        }
        const auto raw = session().read_sector();
        ASSERT_FALSE(raw.has_value());
        EXPECT_EQ(raw.error().code, Errc::auth_failed) << describe(raw.error());
        const auto read = session().read();
        ASSERT_FALSE(read.has_value());
        EXPECT_EQ(read.error().code, Errc::auth_failed) << describe(read.error());
        EXPECT_EQ(memory(uid), before);
    }
    reader.place(other_centres).value();
    const auto read = session(sector, other_master).read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->identity, identity);
    EXPECT_EQ(read->balance, opening);
}

TEST_F(CardSessionTest, readingABlankCardAsOursIsRefused) {
    const Uid uid = reader.place_blank().value();
    const Memory before = memory(uid);
    const auto read = session().read();
    ASSERT_FALSE(read.has_value());
    EXPECT_EQ(read.error().code, Errc::auth_failed) << describe(read.error());
    EXPECT_EQ(memory(uid), before);
    // Raw, it is the blank sector.
    const auto raw = session().read_sector();
    ASSERT_TRUE(raw.has_value()) << describe(raw.error());
    EXPECT_EQ(*raw, blank_sector());
}

TEST_F(CardSessionTest, aWipeLeavesACardAsItCameFromTheFactory) {
    const Uid uid = place_holding(ours(opening, 1));
    const auto wiped = session().write_sector(blank_sector());
    ASSERT_TRUE(wiped.has_value()) << describe(wiped.error());

    const Memory after = memory(uid);
    EXPECT_EQ(after[at(card::identity_offset)], Block{});
    EXPECT_EQ(after[at(card::balance_offset)], Block{});
    EXPECT_EQ(after[at(card::counter_offset)], Block{});
    EXPECT_EQ(after[at(card::trailer_offset)], transport_trailer());
    EXPECT_EQ(after, VirtualCard(uid).memory());

    const auto kind = session().classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::blank);
    const auto raw = session().read_sector();
    ASSERT_TRUE(raw.has_value()) << describe(raw.error());
    EXPECT_EQ(*raw, blank_sector());
    // And it can be issued again.
    const auto written = session().write_sector(ours(300, 1, reissued));
    ASSERT_TRUE(written.has_value()) << describe(written.error());
    const auto read = session().read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->balance, 300);
    EXPECT_EQ(read->identity, reissued);
}

// Data blocks that hold what no write of ours leaves (another program's
// leftovers, on a blank card or under our keys) are zeroed all the same.
TEST_F(CardSessionTest, aWipeClearsLeftovers) {
    for (const CardKind keys : {CardKind::blank, CardKind::ours}) {
        SCOPED_TRACE(keys == CardKind::ours ? "under our keys" : "under the transport keys");
        VirtualCard used(keys == CardKind::ours ? Uid{0x04, 0x77, 0x10, 0x3C} : Uid{0x04, 0x77, 0x10, 0x3B});
        ASSERT_EQ(used.authenticate(at(card::trailer_offset), KeyType::a, card::transport_key), CardOutcome::ok);
        for (const int offset : {card::identity_offset, card::balance_offset, card::counter_offset}) {
            ASSERT_EQ(used.write(at(offset), filled(0x5A)), CardOutcome::ok);
        }
        if (keys == CardKind::ours) {
            ASSERT_EQ(used.write(at(card::trailer_offset), issued_trailer(used.uid())), CardOutcome::ok);
        }
        used.halt();
        reader.place(used).value();
        const auto raw = session().read_sector();
        ASSERT_TRUE(raw.has_value()) << describe(raw.error());
        EXPECT_EQ(raw->keys, keys);
        EXPECT_EQ(raw->data[card::balance_offset], filled(0x5A));

        const auto wiped = session().write_sector(blank_sector());
        ASSERT_TRUE(wiped.has_value()) << describe(wiped.error());
        const Memory after = memory(used.uid());
        for (const int offset : {card::identity_offset, card::balance_offset, card::counter_offset}) {
            EXPECT_EQ(after[at(offset)], Block{}) << "offset " << offset;
        }
        EXPECT_EQ(after[at(card::trailer_offset)], transport_trailer());
        EXPECT_EQ(after, VirtualCard(used.uid()).memory());
    }
}

}  // namespace
}  // namespace cardd::encoder::session_test
