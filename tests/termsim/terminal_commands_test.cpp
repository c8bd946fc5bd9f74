// The command mailbox of a CT-1 terminal: every opcode and every status.

#include <cstdint>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/bitmap.hpp"
#include "protocol/checksum.hpp"
#include "protocol/entry_packing.hpp"
#include "tests/termsim/terminal_fixture.hpp"

namespace cardd::termsim::test {
namespace {

namespace p = cardd::protocol;
using p::SyncFormat;

class TerminalCommands : public TerminalFixture {
protected:
    /// Puts the terminal at `version` holding `cards` through ADD.
    void seed(const Cards& cards, std::uint32_t version = 1) {
        ASSERT_EQ(run(p::make_add(1, 0, version, cards)), Status::ok);
    }
    /// A command with the given header and raw payload registers.
    static p::Command raw_command(p::Opcode opcode, std::uint32_t arg1, std::uint32_t arg2, std::uint16_t n,
                                  Regs payload = {}) {
        return p::Command{opcode, 0x77, arg1, arg2, n, std::move(payload)};
    }
};

class TerminalWithoutBitmap : public TerminalFixture {
protected:
    static TerminalConfig config() {
        TerminalConfig c = default_config();
        c.bitmap_limit = 0;
        return c;
    }
    TerminalWithoutBitmap() : TerminalFixture(config()) {}
};

// ADD at the base version adds the entries and moves to the new version.
TEST_F(TerminalCommands, addAtBaseVersionAddsAndMovesVersion) {
    EXPECT_EQ(run(p::make_add(9, 0, 5, Cards{30, 10, 20})), Status::ok);
    EXPECT_EQ(state().blacklist_version, 5u);
    EXPECT_EQ(list(), (Cards{10, 20, 30}));
    EXPECT_EQ(state().blacklist_count, 3u);
    EXPECT_EQ(state().last_tag, 9);
}

// ADD repeated after it took effect is OK_ALREADY and changes nothing.
TEST_F(TerminalCommands, addRepeatedIsOkAlreadyAndChangesNothing) {
    seed({10, 20}, 2);
    EXPECT_EQ(run(p::make_add(4, 0, 2, Cards{10, 20, 99})), Status::ok_already);
    EXPECT_EQ(list(), (Cards{10, 20}));
    EXPECT_EQ(state().blacklist_version, 2u);
}

// ADD for a version the terminal is neither at nor past is VERSION_MISMATCH.
TEST_F(TerminalCommands, addAtOtherVersionIsVersionMismatch) {
    seed({10}, 2);
    EXPECT_EQ(run(p::make_add(4, 3, 4, Cards{11})), Status::version_mismatch);
    EXPECT_EQ(run(p::make_add(4, 0, 1, Cards{11})), Status::version_mismatch);
    EXPECT_EQ(list(), (Cards{10}));
    EXPECT_EQ(state().blacklist_version, 2u);
}

// Present entries and duplicates in one ADD count once.
TEST_F(TerminalCommands, addOfPresentCardsIsNoChange) {
    seed({10, 20}, 1);
    EXPECT_EQ(run(p::make_add(4, 1, 2, Cards{20, 20, 30})), Status::ok);
    EXPECT_EQ(list(), (Cards{10, 20, 30}));
}

// The list may reach its capacity but not pass it; passing is CAPACITY and no change.
TEST_F(TerminalCommands, addPastCapacityIsCapacityAndChangesNothing) {
    Cards first(60);
    std::iota(first.begin(), first.end(), 1000u);
    seed(first, 1);
    Cards second(30);
    std::iota(second.begin(), second.end(), 2000u);
    ASSERT_EQ(run(p::make_add(2, 1, 2, second)), Status::ok);  // 90 cards
    Cards eleven(11);
    std::iota(eleven.begin(), eleven.end(), 5000u);
    EXPECT_EQ(run(p::make_add(2, 2, 3, eleven)), Status::capacity);
    EXPECT_EQ(state().blacklist_version, 2u);
    EXPECT_EQ(state().blacklist_count, 90u);
    EXPECT_EQ(state().last_status, Status::capacity);
    eleven.back() = 1000;  // already present: ten new cards fill the list exactly
    EXPECT_EQ(run(p::make_add(2, 2, 3, eleven)), Status::ok);
    EXPECT_EQ(state().blacklist_count, 100u);
    EXPECT_EQ(run(p::make_add(2, 3, 4, Cards{1000, 9999})), Status::capacity);
    EXPECT_EQ(run(p::make_add(2, 3, 4, Cards{1000, 1001})), Status::ok);
}

// REMOVE removes; absent entries are no change; it follows ADD's version rules.
TEST_F(TerminalCommands, removeAtBaseVersionRemovesAndIgnoresAbsentCards) {
    seed({10, 20, 30}, 1);
    EXPECT_EQ(run(p::make_remove(3, 1, 2, Cards{20, 25})), Status::ok);
    EXPECT_EQ(list(), (Cards{10, 30}));
    EXPECT_EQ(run(p::make_remove(3, 1, 2, Cards{20, 25})), Status::ok_already);
    EXPECT_EQ(run(p::make_remove(3, 5, 6, Cards{10})), Status::version_mismatch);
    EXPECT_EQ(list(), (Cards{10, 30}));
}

// Card number 0 anywhere in the payload is BAD_ARGUMENT, whatever the version.
TEST_F(TerminalCommands, cardZeroIsBadArgument) {
    EXPECT_EQ(run(p::make_add(5, 0, 1, Cards{7, 0})), Status::bad_argument);
    EXPECT_EQ(run(p::make_remove(5, 0, 1, Cards{0})), Status::bad_argument);
    EXPECT_EQ(state().blacklist_version, 0u);
    EXPECT_EQ(state().last_tag, 5);
}

// With bitmap support the bitmap limit is the highest card number taken.
TEST_F(TerminalCommands, cardAboveBitmapLimitIsBadArgument) {
    EXPECT_EQ(run(p::make_add(5, 0, 1, Cards{500001})), Status::bad_argument);
    EXPECT_EQ(run(p::make_remove(5, 0, 1, Cards{0xFFFFFF})), Status::bad_argument);
    EXPECT_EQ(run(p::make_add(5, 0, 1, Cards{500000})), Status::ok);
}

// Without bitmap support (capability bit 0 clear) every 24-bit card number is taken.
TEST_F(TerminalWithoutBitmap, everyTwentyFourBitCardIsTaken) {
    EXPECT_EQ(state().capabilities, 0);
    EXPECT_EQ(state().bitmap_limit, 0u);
    EXPECT_EQ(run(p::make_add(5, 0, 1, Cards{0xFFFFFF, 500001})), Status::ok);
    EXPECT_EQ(list(), (Cards{500001, 0xFFFFFF}));
}

// ADD and REMOVE need new > base.
TEST_F(TerminalCommands, newVersionNotAboveBaseIsBadArgument) {
    EXPECT_EQ(run(p::make_add(5, 0, 0, Cards{7})), Status::bad_argument);
    seed({7}, 3);
    EXPECT_EQ(run(p::make_add(5, 3, 3, Cards{8})), Status::bad_argument);
    EXPECT_EQ(run(p::make_remove(5, 3, 2, Cards{7})), Status::bad_argument);
    EXPECT_EQ(list(), (Cards{7}));
}

// n must match the write length exactly: ceil(3n/2) payload registers.
TEST_F(TerminalCommands, countInconsistentWithWriteLengthIsBadArgument) {
    const Regs three = p::pack_entries(Cards{1, 2, 3});  // 5 registers
    EXPECT_EQ(run(raw_command(p::Opcode::add, 0, 1, 2, three)), Status::bad_argument);
    EXPECT_EQ(run(raw_command(p::Opcode::add, 0, 1, 4, three)), Status::bad_argument);
    Regs longer = three;
    longer.push_back(0);
    EXPECT_EQ(run(raw_command(p::Opcode::add, 0, 1, 3, longer)), Status::bad_argument);
    EXPECT_EQ(run(raw_command(p::Opcode::records_ack, 5, 0, 1)), Status::bad_argument);
    EXPECT_EQ(run(raw_command(p::Opcode::set_clock, 5, 0, 0, {0})), Status::bad_argument);
    EXPECT_EQ(run(raw_command(p::Opcode::full_commit, 5, 0, 0, {0})), Status::bad_argument);
    EXPECT_EQ(run(raw_command(p::Opcode::full_abort, 5, 0, 2)), Status::bad_argument);
    EXPECT_EQ(state().blacklist_version, 0u);
    EXPECT_EQ(run(raw_command(p::Opcode::add, 0, 1, 3, three)), Status::ok);
}

// The most entries one write carries (77 with 0x10) are taken whole.
TEST_F(TerminalCommands, fullMailboxOfEntriesIsTaken) {
    Cards cards(77);
    std::iota(cards.begin(), cards.end(), 1u);
    EXPECT_EQ(p::encode_command(p::make_add(1, 0, 1, cards)).size(), 123u);
    EXPECT_EQ(run(p::make_add(1, 0, 1, cards)), Status::ok);
    EXPECT_EQ(state().blacklist_count, 77u);
}

// The checksum register is CRC-32 of the set, 3 bytes a card, ascending; 0 when empty.
TEST_F(TerminalCommands, checksumFollowsTheEnforcedSet) {
    EXPECT_EQ(state().checksum, 0u);
    seed({300, 1, 400000}, 1);
    EXPECT_EQ(state().checksum, p::blacklist_checksum(Cards{1, 300, 400000}));
    EXPECT_EQ(run(p::make_remove(2, 1, 2, Cards{1, 300, 400000})), Status::ok);
    EXPECT_EQ(state().checksum, 0u);
}

// An opcode CT-1 does not define is UNKNOWN_OPCODE, tag echoed, nothing else.
TEST_F(TerminalCommands, unknownOpcodeIsUnknownOpcode) {
    EXPECT_EQ(run(raw_command(static_cast<p::Opcode>(0x0003), 0, 1, 0)), Status::unknown_opcode);
    EXPECT_EQ(state().last_tag, 0x77);
    EXPECT_EQ(run(raw_command(static_cast<p::Opcode>(0x0000), 0, 1, 9, {1, 2})), Status::unknown_opcode);
    EXPECT_EQ(run(raw_command(static_cast<p::Opcode>(0xFFFF), 0, 1, 0)), Status::unknown_opcode);
}

// A busy terminal answers every command BUSY and changes nothing.
TEST_F(TerminalCommands, busyTerminalAnswersBusyAndChangesNothing) {
    terminal_.set_busy(true);
    EXPECT_EQ(run(p::make_add(6, 0, 1, Cards{5})), Status::busy);
    EXPECT_EQ(state().last_tag, 6);
    EXPECT_EQ(run(p::make_full_begin(6, 1, 1, SyncFormat::list, 0)), Status::busy);
    EXPECT_EQ(run(p::make_set_clock(6, 5)), Status::busy);
    EXPECT_EQ(run(raw_command(static_cast<p::Opcode>(0x99), 0, 0, 0)), Status::busy);
    EXPECT_FALSE(terminal_.staging().receiving());
    EXPECT_EQ(state().blacklist_version, 0u);
    EXPECT_FALSE(terminal_.take_dirty());
    terminal_.set_busy(false);
    EXPECT_EQ(run(p::make_add(6, 0, 1, Cards{5})), Status::ok);
}

// SET_CLOCK sets the terminal clock, which then runs on with the host's.
TEST_F(TerminalCommands, setClockSetsTerminalClock) {
    EXPECT_EQ(run(p::make_set_clock(2, 1'800'000'000)), Status::ok);
    EXPECT_EQ(state().clock, 1'800'000'000u);
    now_ += 61;
    EXPECT_EQ(state().clock, 1'800'000'061u);
    EXPECT_EQ(terminal_.clock_offset(), 1'800'000'000 - fake_epoch);
}

// Only commands that change flash mark the terminal dirty.
TEST_F(TerminalCommands, dirtyAfterFlashChangesOnly) {
    EXPECT_FALSE(terminal_.take_dirty());
    EXPECT_EQ(run(p::make_add(1, 0, 1, Cards{5})), Status::ok);
    EXPECT_TRUE(terminal_.take_dirty());
    EXPECT_FALSE(terminal_.take_dirty());
    EXPECT_EQ(run(p::make_add(1, 0, 1, Cards{5})), Status::ok_already);
    EXPECT_EQ(run(p::make_add(1, 0, 0, Cards{5})), Status::bad_argument);
    EXPECT_EQ(run(p::make_full_begin(1, 1, 9, SyncFormat::list, 1)), Status::ok);
    EXPECT_FALSE(terminal_.take_dirty());
    EXPECT_EQ(run(p::make_records_ack(1, 1)), Status::ok);  // oldest stays 1
    EXPECT_FALSE(terminal_.take_dirty());
}

}  // namespace
}  // namespace cardd::termsim::test
