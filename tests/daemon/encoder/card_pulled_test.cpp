// A card taken off the encoder in the middle of write_sector, after each of
// the write's card commands in turn. The journal (docs/card-writes.md)
// settles such a write by comparing the sector with the sector before and
// the sector after: that works only if every block, and the keys, is always
// one or the other, and if writing the sector after again finishes the write.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/encoder/card_session.hpp"
#include "protocol/hex.hpp"
#include "tests/daemon/encoder/card_session_fixture.hpp"

namespace cardd::encoder::session_test {
namespace {

// Every sweep stops long before this; it only guards against a card that
// never leaves, which would otherwise loop for ever.
constexpr int max_commands = 100;

enum class Kind { issue, written_again, top_up, wipe };

struct Write {
    Sector before;
    Sector after;
};

Write write_of(Kind kind) {
    switch (kind) {
        case Kind::issue: return {blank_sector(), ours(opening, 1)};
        case Kind::written_again: return {ours(opening, 3), ours(700, 4, reissued)};
        case Kind::top_up: return {ours(opening, 1), ours(opening + top_up, 2)};
        case Kind::wipe: return {ours(opening, 2), blank_sector()};
    }
    return {};
}

/// The sector as its keys and the hex of its data blocks.
std::string shown(const Sector& content) {
    std::string text = content.keys == CardKind::ours ? "our keys" : "transport keys";
    for (const Block& data : content.data) text += " " + protocol::hex_bytes(data);
    return text;
}

std::string name_of(Kind kind) {
    switch (kind) {
        case Kind::issue: return "issue";
        case Kind::written_again: return "writtenAgain";
        case Kind::top_up: return "topUp";
        case Kind::wipe: return "wipe";
    }
    return "unknown";
}

constexpr int keys = -1;  ///< the trailer, among the data block offsets

/// The sectors a write passes through, in the order of docs/card-format.md
/// ("The order of writes"): one data block or the keys at a time, a step that
/// changes nothing being no step. Written here from the document, not from
/// the session, so that the session is held to it.
std::vector<Sector> passes_through(const Write& write) {
    const std::vector<int> order =
        write.after.keys == CardKind::ours
            ? std::vector<int>{card::identity_offset, card::counter_offset, keys, card::balance_offset}
            : std::vector<int>{card::balance_offset, card::identity_offset, card::counter_offset, keys};
    std::vector<Sector> steps{write.before};
    Sector now = write.before;
    for (const int part : order) {
        if (part == keys)
            now.keys = write.after.keys;
        else
            now.data[static_cast<std::size_t>(part)] = write.after.data[static_cast<std::size_t>(part)];
        if (now != steps.back()) steps.push_back(now);
    }
    return steps;
}

/// The card's memory once `content` is written over `was` on card `uid`.
Memory written_over(Memory was, const Sector& content, const Uid& uid) {
    for (const int offset : {card::identity_offset, card::balance_offset, card::counter_offset}) {
        was[at(offset)] = content.data[static_cast<std::size_t>(offset)];
    }
    was[at(card::trailer_offset)] = trailer_for(content.keys, uid);
    return was;
}

void PrintTo(Kind kind, std::ostream* out) { *out << name_of(kind); }

class CardPulled : public CardSessionTest, public ::testing::WithParamInterface<Kind> {};

// For n = 0, 1, 2, ... the card leaves after n card commands, until it stays
// through a whole write.
TEST_P(CardPulled, atEveryCommandLeavesEachBlockBeforeOrAfterAndWritingAgainFinishes) {
    const Write write = write_of(GetParam());
    const std::vector<Sector> steps = passes_through(write);
    ASSERT_GE(steps.size(), 3u) << "a write of one block cannot be torn";
    std::vector<bool> succeeded;
    std::set<std::size_t> met;
    std::size_t reached = 0;
    int torn = 0;
    int n = 0;
    for (;; ++n) {
        ASSERT_LE(n, max_commands);
        SCOPED_TRACE("the card left after " + std::to_string(n) + " commands");
        const Uid uid = place_holding(write.before);
        const Memory was = memory(uid);
        reader.remove_after(n);
        const auto written = session().write_sector(write.after);
        const bool left = !reader.card_on_reader().has_value();
        succeeded.push_back(written.has_value());
        if (!written) {
            EXPECT_TRUE(card_went_away(written.error())) << describe(written.error());
            EXPECT_TRUE(left) << "an error with the card still there";
        }
        reader.place(uid).value();

        const auto held = session().read_sector();
        ASSERT_TRUE(held.has_value()) << describe(held.error());
        EXPECT_TRUE(held->keys == write.before.keys || held->keys == write.after.keys);
        for (std::size_t i = 0; i < held->data.size(); ++i) {
            EXPECT_TRUE(held->data[i] == write.before.data[i] || held->data[i] == write.after.data[i])
                << "data block " << i << " is neither the one before nor the one after";
        }
        // Byte for byte: the trailer is the one the keys say, and nothing
        // outside the sector's data blocks and trailer moved.
        const Memory now = memory(uid);
        EXPECT_EQ(now[at(card::trailer_offset)], trailer_for(held->keys, uid));
        EXPECT_EQ(now, written_over(was, *held, uid));
        if (written) {
            EXPECT_EQ(*held, write.after) << "a write that succeeded did not reach the card";
        }

        const auto step = std::find(steps.begin(), steps.end(), *held);
        ASSERT_TRUE(step != steps.end()) << "the card holds a sector the write never passes through: " << shown(*held);
        const auto index = static_cast<std::size_t>(step - steps.begin());
        EXPECT_GE(index, reached) << "a later cut left the card less written";
        reached = index;
        met.insert(index);
        if (*held != write.before && *held != write.after) ++torn;

        // With the card back, the same write finishes it.
        const auto again = session().write_sector(write.after);
        ASSERT_TRUE(again.has_value()) << describe(again.error());
        const auto finished = session().read_sector();
        ASSERT_TRUE(finished.has_value()) << describe(finished.error());
        EXPECT_EQ(*finished, write.after);
        EXPECT_EQ(memory(uid), written_over(was, write.after, uid));
        if (!left) break;
    }
    // The write used n - 1 commands: cut before its last one it failed, and
    // from there on it succeeded.
    const int commands = n - 1;
    for (int run = 0; run < static_cast<int>(succeeded.size()); ++run) {
        EXPECT_EQ(succeeded[static_cast<std::size_t>(run)], run >= commands) << "cut after " << run << " commands";
    }
    EXPECT_GT(torn, 0) << "no cut left a torn sector";
    EXPECT_EQ(met.size(), steps.size()) << "some step of the write was never met";
    RecordProperty("card_commands", commands);
    RecordProperty("torn_cuts", torn);
}

INSTANTIATE_TEST_SUITE_P(Writes, CardPulled,
                         ::testing::Values(Kind::issue, Kind::written_again, Kind::top_up, Kind::wipe),
                         [](const ::testing::TestParamInfo<Kind>& kind) { return name_of(kind.param); });

}  // namespace
}  // namespace cardd::encoder::session_test
