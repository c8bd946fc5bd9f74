// CardSession over the whole driver stack as the daemon runs it: the
// simulated reader's bulk transfers under CcidReader and MifareReader. What
// the session reports is checked against the virtual card's raw memory, and
// every write is interrupted at every card command to check the commit
// points of docs/card-format.md ("The order of writes").
#include "encoder/card_session.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "encoder/ccid_reader.hpp"
#include "encoder/mifare_reader.hpp"
#include "encoder/sim/simulated_reader.hpp"
#include "encoder/sim/virtual_card.hpp"
#include "protocol/card/access_bits.hpp"
#include "protocol/card/card_layout.hpp"
#include "protocol/card/key_diversification.hpp"

namespace cardd::encoder {
namespace {

namespace card = protocol::card;
using card::Block;
using card::KeyType;
using sim::CardOutcome;
using sim::SimulatedReader;
using sim::VirtualCard;
using Uid = std::vector<std::uint8_t>;
using Memory = std::array<Block, 64>;
using namespace std::chrono_literals;

constexpr card::MasterKey master{0x3C, 0x91, 0x07, 0xE4, 0x5A, 0x12, 0xBF, 0x68,
                                 0xD3, 0x2E, 0x7B, 0x40, 0x99, 0xC5, 0x0A, 0xF6};
constexpr card::MasterKey other_master{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                       0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
constexpr int sector = 1;
constexpr int other_sector = 15;

// Card 123456, serial 42, issued 2026-11-25, expiring 2031-11-25.
constexpr card::Identity identity{card::CardStatus::active, 123456, 42, 9825, 11651};
constexpr card::Identity reissued{card::CardStatus::active, 123456, 43, 9900, 11700};

constexpr std::int32_t opening = 5000;
constexpr std::int32_t top_up = 1234;

// Every pulled-card loop stops long before this; it only guards against a
// card that never leaves, which would otherwise loop for ever.
constexpr int max_commands = 100;

std::uint8_t at(int offset, int in_sector = sector) { return card::block_number(in_sector, offset); }

Block transport_trailer() {
    return card::encode_trailer(card::transport_key, card::transport_access, card::transport_key);
}

Block issued_trailer(const Uid& uid, const card::MasterKey& key = master, int in_sector = sector) {
    return card::encode_trailer(card::card_key(key, uid, in_sector, KeyType::a), card::issued_access,
                                card::card_key(key, uid, in_sector, KeyType::b));
}

std::string describe(const Error& error) { return std::string(to_string(error.code)) + ": " + error.message; }

// A card that left the reader is reported as gone, never as a refused key
// (which the daemon would report as another system's card) or a bad block.
bool card_went_away(const Error& error) {
    return error.code == Errc::card_removed || error.code == Errc::no_card;
}

class CardSessionTest : public ::testing::Test {
protected:
    CardSession session(int in_sector = sector, const card::MasterKey& key = master) {
        return CardSession(mifare, key, in_sector);
    }

    Memory memory(const Uid& uid) const {
        const auto kept = reader.card(uid);
        EXPECT_TRUE(kept.has_value());
        return kept ? kept->memory() : Memory{};
    }

    // A blank card on the reader, written with `balance`; answers its UID.
    Uid issue(std::int32_t balance, const card::Identity& who = identity) {
        const Uid uid = reader.place_blank().value();
        const auto written = session().write(who, balance);
        EXPECT_TRUE(written.has_value()) << describe(written.error());
        return uid;
    }

    // The balance a fresh session reads from the card put back on the reader.
    std::optional<std::int32_t> balance_read(const Uid& uid) {
        reader.place(uid).value();
        const auto image = session().read();
        if (!image) return std::nullopt;
        return image->balance;
    }

    SimulatedReader reader;
    CcidReader ccid{reader, 200ms};
    MifareReader mifare{ccid};
};

TEST_F(CardSessionTest, transportTrailerIsTheFactoryOne) {
    const Block factory{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x80, 0x69, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
    EXPECT_EQ(transport_trailer(), factory);
}

TEST_F(CardSessionTest, classifiesBlankOursAndForeign) {
    const Uid blank = reader.place_blank().value();
    auto kind = session().classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::blank);

    const auto written = session().write(identity, opening);
    ASSERT_TRUE(written.has_value()) << describe(written.error());
    kind = session().classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::ours);

    // Ours under another master key is someone else's card.
    reader.place_blank().value();
    ASSERT_TRUE(session(sector, other_master).write(identity, opening).has_value());
    kind = session().classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::foreign);

    // Another system's card: the sector locked with keys of its own.
    std::mt19937 random(20261125);
    std::uniform_int_distribution<int> byte(0, 255);
    card::Key their_a{};
    card::Key their_b{};
    for (auto& b : their_a) b = static_cast<std::uint8_t>(byte(random));
    for (auto& b : their_b) b = static_cast<std::uint8_t>(byte(random));
    VirtualCard theirs({0x08, 0x5E, 0x21, 0x9A});
    ASSERT_EQ(theirs.authenticate(at(card::trailer_offset), KeyType::a, card::transport_key), CardOutcome::ok);
    ASSERT_EQ(theirs.write(at(card::trailer_offset), card::encode_trailer(their_a, card::issued_access, their_b)),
              CardOutcome::ok);
    reader.place(theirs).value();
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

TEST_F(CardSessionTest, writeOnABlankCardPutsExactlyTheFormatOnIt) {
    const Uid uid = reader.place_blank().value();
    const Memory before = memory(uid);
    const auto written = session().write(identity, opening, 7);
    ASSERT_TRUE(written.has_value()) << describe(written.error());
    EXPECT_TRUE(written->verified);
    EXPECT_EQ(written->uid, uid);
    EXPECT_EQ(written->identity, identity);
    EXPECT_EQ(written->balance, opening);
    EXPECT_EQ(written->counter, 7u);

    const auto read = session().read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->uid, uid);
    EXPECT_EQ(read->identity, identity);
    EXPECT_EQ(read->balance, opening);
    EXPECT_EQ(read->counter, 7u);

    const Memory after = memory(uid);
    EXPECT_EQ(after[at(card::identity_offset)], card::encode_identity(identity));
    EXPECT_EQ(after[at(card::balance_offset)], card::encode_balance(opening, at(card::balance_offset)));
    EXPECT_EQ(after[at(card::counter_offset)], card::encode_counter(7, at(card::counter_offset)));
    EXPECT_EQ(after[at(card::trailer_offset)], issued_trailer(uid));
    // Only the configured sector is written: another application's sectors keep what they hold.
    for (int block = 0; block < 64; ++block) {
        if (block / card::blocks_per_sector == sector) continue;
        EXPECT_EQ(after[block], before[block]) << "block " << block;
    }
    // The transport key no longer opens the sector.
    ASSERT_TRUE(mifare.uid().has_value());
    const auto transport = mifare.authenticate(at(card::trailer_offset), KeyType::a, card::transport_key);
    ASSERT_FALSE(transport.has_value());
    EXPECT_EQ(transport.error().code, Errc::auth_failed);
}

TEST_F(CardSessionTest, anotherSectorIsWrittenAndTheFirstLeftAlone) {
    const Uid uid = reader.place_blank().value();
    const Memory before = memory(uid);
    const auto written = session(other_sector).write(identity, opening);
    ASSERT_TRUE(written.has_value()) << describe(written.error());
    EXPECT_TRUE(written->verified);

    const Memory after = memory(uid);
    EXPECT_EQ(after[at(card::identity_offset, other_sector)], card::encode_identity(identity));
    EXPECT_EQ(after[at(card::balance_offset, other_sector)],
              card::encode_balance(opening, at(card::balance_offset, other_sector)));
    EXPECT_EQ(after[at(card::counter_offset, other_sector)],
              card::encode_counter(0, at(card::counter_offset, other_sector)));
    EXPECT_EQ(after[at(card::trailer_offset, other_sector)], issued_trailer(uid, master, other_sector));
    // The keys depend on the sector, so sector 1's keys are not sector 15's.
    EXPECT_NE(issued_trailer(uid, master, other_sector), issued_trailer(uid, master, sector));
    for (int block = 0; block < 64; ++block) {
        if (block / card::blocks_per_sector == other_sector) continue;
        EXPECT_EQ(after[block], before[block]) << "block " << block;
    }

    const auto read = session(other_sector).read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->balance, opening);
    const auto kind = session(sector).classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::blank);
}

TEST_F(CardSessionTest, writingACardOfOursAgainReplacesItsData) {
    const Uid uid = issue(opening);
    const auto written = session().write(reissued, 700, 5);
    ASSERT_TRUE(written.has_value()) << describe(written.error());
    EXPECT_TRUE(written->verified);

    const auto read = session().read();
    ASSERT_TRUE(read.has_value()) << describe(read.error());
    EXPECT_EQ(read->identity, reissued);
    EXPECT_EQ(read->balance, 700);
    EXPECT_EQ(read->counter, 5u);
    const Memory after = memory(uid);
    EXPECT_EQ(after[at(card::identity_offset)], card::encode_identity(reissued));
    EXPECT_EQ(after[at(card::balance_offset)], card::encode_balance(700, at(card::balance_offset)));
    EXPECT_EQ(after[at(card::counter_offset)], card::encode_counter(5, at(card::counter_offset)));
    EXPECT_EQ(after[at(card::trailer_offset)], issued_trailer(uid));
}

TEST_F(CardSessionTest, foreignCardsAreNeitherWrittenNorWiped) {
    const Uid uid = reader.place_blank().value();
    ASSERT_TRUE(session(sector, other_master).write(identity, opening).has_value());
    const Memory before = memory(uid);

    const auto written = session().write(reissued, 99999);
    ASSERT_FALSE(written.has_value());
    EXPECT_EQ(written.error().code, Errc::auth_failed) << describe(written.error());
    EXPECT_EQ(memory(uid), before);

    const auto wiped = session().wipe();
    ASSERT_FALSE(wiped.has_value());
    EXPECT_EQ(wiped.error().code, Errc::auth_failed) << describe(wiped.error());
    EXPECT_EQ(memory(uid), before);

    const auto topped = session().add_to_balance(100);
    ASSERT_FALSE(topped.has_value());
    EXPECT_EQ(topped.error().code, Errc::auth_failed) << describe(topped.error());
    EXPECT_EQ(memory(uid), before);

    // Its own card centre still reads it as it was.
    const auto theirs = session(sector, other_master).read();
    ASSERT_TRUE(theirs.has_value()) << describe(theirs.error());
    EXPECT_EQ(theirs->balance, opening);
}

TEST_F(CardSessionTest, addToBalanceUpAndDown) {
    const Uid uid = issue(opening);
    auto changed = session().add_to_balance(top_up);
    ASSERT_TRUE(changed.has_value()) << describe(changed.error());
    EXPECT_TRUE(changed->verified);
    EXPECT_EQ(changed->balance, opening + top_up);
    EXPECT_EQ(changed->identity, identity);
    EXPECT_EQ(balance_read(uid), opening + top_up);

    changed = session().add_to_balance(-(opening + top_up - 1));
    ASSERT_TRUE(changed.has_value()) << describe(changed.error());
    EXPECT_EQ(changed->balance, 1);
    EXPECT_EQ(balance_read(uid), 1);
    // The value block's own address bytes survive the value operations.
    EXPECT_EQ(memory(uid)[at(card::balance_offset)], card::encode_balance(1, at(card::balance_offset)));

    changed = session().add_to_balance(-1);
    ASSERT_TRUE(changed.has_value()) << describe(changed.error());
    EXPECT_EQ(changed->balance, 0);
    EXPECT_EQ(balance_read(uid), 0);
}

TEST_F(CardSessionTest, addToBalanceRefusesToLeaveTheRangeAndChangesNothing) {
    constexpr std::int32_t top = std::numeric_limits<std::int32_t>::max();
    const Uid low = issue(500);
    Memory before = memory(low);
    auto refused = session().add_to_balance(-501);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::card_failed) << describe(refused.error());
    EXPECT_EQ(memory(low), before);
    EXPECT_EQ(balance_read(low), 500);

    const Uid high = issue(top - 10);
    before = memory(high);
    refused = session().add_to_balance(11);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::card_failed) << describe(refused.error());
    EXPECT_EQ(memory(high), before);
    EXPECT_EQ(balance_read(high), top - 10);

    // Up to the edge itself is allowed.
    const auto edge = session().add_to_balance(10);
    ASSERT_TRUE(edge.has_value()) << describe(edge.error());
    EXPECT_EQ(edge->balance, top);
    EXPECT_EQ(balance_read(high), top);
}

TEST_F(CardSessionTest, addToBalanceOfABlankCardIsRefused) {
    const Uid uid = reader.place_blank().value();
    const Memory before = memory(uid);
    const auto refused = session().add_to_balance(100);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::auth_failed) << describe(refused.error());
    EXPECT_EQ(memory(uid), before);
}

TEST_F(CardSessionTest, wipeTurnsACardOfOursBlank) {
    const Uid uid = issue(opening);
    const Memory before = memory(uid);
    const auto wiped = session().wipe();
    ASSERT_TRUE(wiped.has_value()) << describe(wiped.error());
    EXPECT_EQ(*wiped, WipeOutcome::blank);

    const Memory after = memory(uid);
    EXPECT_EQ(after[at(card::identity_offset)], Block{});
    EXPECT_EQ(after[at(card::balance_offset)], Block{});
    EXPECT_EQ(after[at(card::counter_offset)], Block{});
    EXPECT_EQ(after[at(card::trailer_offset)], transport_trailer());
    for (int block = 0; block < 64; ++block) {
        if (block / card::blocks_per_sector == sector) continue;
        EXPECT_EQ(after[block], before[block]) << "block " << block;
    }
    // Indistinguishable from a card fresh from the factory.
    EXPECT_EQ(after, VirtualCard(uid).memory());

    const auto kind = session().classify();
    ASSERT_TRUE(kind.has_value()) << describe(kind.error());
    EXPECT_EQ(*kind, CardKind::blank);
    // And it can be issued again.
    const auto written = session().write(reissued, 300);
    ASSERT_TRUE(written.has_value()) << describe(written.error());
    EXPECT_EQ(balance_read(uid), 300);
}

TEST_F(CardSessionTest, wipeOfABlankCardZeroesItsData) {
    VirtualCard used({0x04, 0x77, 0x10, 0x3B});
    ASSERT_EQ(used.authenticate(at(card::trailer_offset), KeyType::a, card::transport_key), CardOutcome::ok);
    Block leftover{};
    leftover.fill(0x5A);
    for (const int offset : {card::identity_offset, card::balance_offset, card::counter_offset}) {
        ASSERT_EQ(used.write(at(offset), leftover), CardOutcome::ok);
    }
    used.halt();
    reader.place(used).value();

    const auto wiped = session().wipe();
    ASSERT_TRUE(wiped.has_value()) << describe(wiped.error());
    EXPECT_EQ(*wiped, WipeOutcome::blank);
    const Memory after = memory(used.uid());
    for (const int offset : {card::identity_offset, card::balance_offset, card::counter_offset}) {
        EXPECT_EQ(after[at(offset)], Block{}) << "offset " << offset;
    }
    EXPECT_EQ(after[at(card::trailer_offset)], transport_trailer());
}

// --- The card is pulled in the middle of each write. ---
//
// remove_after(n) takes the card away once n more card commands have been
// answered, so running an operation for n = 0, 1, 2, ... stops it after each
// of its commands in turn. The loop runs until the card stayed on the reader
// through two runs: the first of those used every command the operation has
// (the card would have left after the next one), the second one more.


// What one interrupted run did.
struct Pulled {
    int after_commands;  ///< n given to remove_after
    bool succeeded;
    bool card_left;  ///< the operation used n commands or more, so the card left
    bool finished;   ///< on success: verified (write, top-up) or a blank card read back (wipe)
};

bool stayed_twice(const std::vector<Pulled>& runs) {
    return runs.size() >= 2 && !runs[runs.size() - 1].card_left && !runs[runs.size() - 2].card_left;
}

// The runs of one operation show a single commit point: every run fails up
// to some number of commands and succeeds from there on, and a success is
// unverified (or a wipe unfinished) exactly when the card left before the
// operation's last command, the read-back. Answers the number of card
// commands the operation uses.
int check_one_commit_point(const std::vector<Pulled>& runs) {
    int commands = -1;
    for (const Pulled& run : runs) {
        if (!run.card_left) {
            commands = run.after_commands - 1;
            break;
        }
    }
    EXPECT_GT(commands, 0) << "the card never stayed on the reader";
    EXPECT_EQ(static_cast<int>(runs.size()), commands + 3) << "the runs do not go up to every command plus two";
    int commit = -1;
    for (const Pulled& run : runs) {
        EXPECT_EQ(run.card_left, run.after_commands <= commands) << run.after_commands << " commands";
        if (run.succeeded && commit < 0) commit = run.after_commands;
        if (commit >= 0) {
            EXPECT_TRUE(run.succeeded) << "an error after a success, at " << run.after_commands;
        }
        if (run.succeeded) {
            EXPECT_EQ(run.finished, run.after_commands >= commands) << run.after_commands << " commands";
        }
    }
    EXPECT_GT(commit, 0) << "no run succeeded, or one without a card did";
    // The commit point comes before the read-back.
    EXPECT_LT(commit, commands);
    return commands;
}

TEST_F(CardSessionTest, writeOnABlankCardPulledAtEveryCommand) {
    std::vector<Pulled> runs;
    for (int n = 0; !stayed_twice(runs); ++n) {
        ASSERT_LE(n, max_commands);
        SCOPED_TRACE("the card left after " + std::to_string(n) + " commands");
        const Uid uid = reader.place_blank().value();
        const Memory before = memory(uid);
        reader.remove_after(n);
        const auto written = session().write(identity, opening);
        runs.push_back({n, written.has_value(), !reader.card_on_reader().has_value(), written && written->verified});
        reader.place(uid).value();

        if (!written) {
            EXPECT_TRUE(card_went_away(written.error())) << describe(written.error());
            // No money on the card: the balance block holds the blank card's
            // zeros or the zero value block written first.
            const Block balance = memory(uid)[at(card::balance_offset)];
            EXPECT_TRUE(balance == before[at(card::balance_offset)] ||
                        balance == card::encode_balance(0, at(card::balance_offset)));
            const auto kind = session().classify();
            ASSERT_TRUE(kind.has_value()) << describe(kind.error());
            ASSERT_NE(*kind, CardKind::foreign);
            if (*kind == CardKind::ours) {
                // The card's keys went on after every other block but the balance.
                const auto read = session().read();
                ASSERT_TRUE(read.has_value()) << describe(read.error());
                EXPECT_EQ(read->balance, 0);
                EXPECT_EQ(read->identity, identity);
                EXPECT_EQ(read->counter, 0u);
            } else {
                EXPECT_EQ(memory(uid)[at(card::trailer_offset)], transport_trailer());
            }
            // A card that left is simply written again.
            const auto again = session().write(identity, opening);
            ASSERT_TRUE(again.has_value()) << describe(again.error());
            EXPECT_TRUE(again->verified);
            EXPECT_EQ(again->balance, opening);
        } else {
            EXPECT_EQ(written->identity, identity);
            EXPECT_EQ(written->balance, opening);
        }
        // Either way the card now is the written card.
        const Memory after = memory(uid);
        EXPECT_EQ(after[at(card::identity_offset)], card::encode_identity(identity));
        EXPECT_EQ(after[at(card::balance_offset)], card::encode_balance(opening, at(card::balance_offset)));
        EXPECT_EQ(after[at(card::counter_offset)], card::encode_counter(0, at(card::counter_offset)));
        EXPECT_EQ(after[at(card::trailer_offset)], issued_trailer(uid));
        EXPECT_EQ(balance_read(uid), opening);
    }
    RecordProperty("card_commands", check_one_commit_point(runs));
}

TEST_F(CardSessionTest, writeOnACardOfOursPulledAtEveryCommand) {
    constexpr std::int32_t carried = 8800;
    std::vector<Pulled> runs;
    for (int n = 0; !stayed_twice(runs); ++n) {
        ASSERT_LE(n, max_commands);
        SCOPED_TRACE("the card left after " + std::to_string(n) + " commands");
        const Uid uid = issue(opening);
        reader.remove_after(n);
        const auto written = session().write(reissued, carried);
        runs.push_back({n, written.has_value(), !reader.card_on_reader().has_value(), written && written->verified});
        reader.place(uid).value();

        if (!written) {
            EXPECT_TRUE(card_went_away(written.error())) << describe(written.error());
            // The balance is zeroed before anything else: the card holds what
            // it held or nothing, never the new balance.
            const Block balance = memory(uid)[at(card::balance_offset)];
            EXPECT_TRUE(balance == card::encode_balance(opening, at(card::balance_offset)) ||
                        balance == card::encode_balance(0, at(card::balance_offset)));
            EXPECT_EQ(memory(uid)[at(card::trailer_offset)], issued_trailer(uid));
            const auto again = session().write(reissued, carried);
            ASSERT_TRUE(again.has_value()) << describe(again.error());
            EXPECT_TRUE(again->verified);
        } else {
            EXPECT_EQ(written->balance, carried);
        }
        const auto read = session().read();
        ASSERT_TRUE(read.has_value()) << describe(read.error());
        EXPECT_EQ(read->identity, reissued);
        EXPECT_EQ(read->balance, carried);
    }
    RecordProperty("card_commands", check_one_commit_point(runs));
}

TEST_F(CardSessionTest, addToBalancePulledAtEveryCommand) {
    for (const std::int32_t amount : {top_up, -top_up}) {
        SCOPED_TRACE("amount " + std::to_string(amount));
        std::vector<Pulled> runs;
        for (int n = 0; !stayed_twice(runs); ++n) {
            ASSERT_LE(n, max_commands);
            SCOPED_TRACE("the card left after " + std::to_string(n) + " commands");
            const Uid uid = issue(opening);
            const Memory before = memory(uid);
            reader.remove_after(n);
            const auto changed = session().add_to_balance(amount);
            runs.push_back(
                {n, changed.has_value(), !reader.card_on_reader().has_value(), changed && changed->verified});
            reader.place(uid).value();

            if (!changed) {
                EXPECT_TRUE(card_went_away(changed.error())) << describe(changed.error());
                // Before the commit point the card was only read.
                EXPECT_EQ(memory(uid), before);
                EXPECT_EQ(balance_read(uid), opening);
                const auto again = session().add_to_balance(amount);
                ASSERT_TRUE(again.has_value()) << describe(again.error());
                EXPECT_TRUE(again->verified);
                EXPECT_EQ(again->balance, opening + amount);
            } else {
                EXPECT_EQ(changed->balance, opening + amount);
                EXPECT_EQ(changed->identity, identity);
            }
            EXPECT_EQ(memory(uid)[at(card::balance_offset)],
                      card::encode_balance(opening + amount, at(card::balance_offset)));
            EXPECT_EQ(balance_read(uid), opening + amount);
        }
        RecordProperty(amount > 0 ? "card_commands_up" : "card_commands_down", check_one_commit_point(runs));
    }
}

TEST_F(CardSessionTest, wipePulledAtEveryCommand) {
    std::vector<Pulled> runs;
    for (int n = 0; !stayed_twice(runs); ++n) {
        ASSERT_LE(n, max_commands);
        SCOPED_TRACE("the card left after " + std::to_string(n) + " commands");
        const Uid uid = issue(opening);
        const Memory before = memory(uid);
        reader.remove_after(n);
        const auto wiped = session().wipe();
        runs.push_back({n, wiped.has_value(), !reader.card_on_reader().has_value(),
                        wiped && *wiped == WipeOutcome::blank});
        reader.place(uid).value();

        if (!wiped) {
            EXPECT_TRUE(card_went_away(wiped.error())) << describe(wiped.error());
            // An error comes only before the commit point: nothing was written.
            EXPECT_EQ(memory(uid), before);
            EXPECT_EQ(balance_read(uid), opening);
        } else {
            // Past the commit point the card holds no money, finished or not.
            EXPECT_EQ(memory(uid)[at(card::balance_offset)], Block{});
        }
        if (!wiped || *wiped == WipeOutcome::unfinished) {
            // Wiping again finishes the card, whichever key now opens it.
            const auto again = session().wipe();
            ASSERT_TRUE(again.has_value()) << describe(again.error());
            EXPECT_EQ(*again, WipeOutcome::blank);
        }
        EXPECT_EQ(memory(uid), VirtualCard(uid).memory());
        const auto kind = session().classify();
        ASSERT_TRUE(kind.has_value()) << describe(kind.error());
        EXPECT_EQ(*kind, CardKind::blank);
    }
    RecordProperty("card_commands", check_one_commit_point(runs));
}

}  // namespace
}  // namespace cardd::encoder
