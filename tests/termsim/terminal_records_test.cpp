// Transaction records on a CT-1 terminal: taps, the records window at
// 0x0202 for a cursor, and RECORDS_ACK.

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/record.hpp"
#include "protocol/words.hpp"
#include "tests/termsim/terminal_fixture.hpp"

namespace cardd::termsim::test {
namespace {

namespace p = cardd::protocol;
using p::RecordKind;

class TerminalRecords : public TerminalFixture {
protected:
    void tap_n(std::size_t n) {
        for (std::size_t i = 0; i < n; ++i)
            ASSERT_TRUE(terminal_.tap(100 + static_cast<std::uint32_t>(i), 250, 1000).has_value());
    }
    /// One 0x17: cursor written, window read, as CT-1 tells a collector to.
    std::vector<p::TransactionRecord> read_window(std::uint32_t cursor) {
        const auto words = p::split_u32(cursor);
        const auto regs = terminal_.write_read(0x0200, Regs{words[0], words[1]}, 0x0202, 121);
        EXPECT_TRUE(regs.has_value());
        auto records = p::decode_records_window(*regs);
        EXPECT_TRUE(records.has_value()) << records.error().message;
        return *records;
    }
};

// A tap is a purchase, a refund when the amount is negative, a refusal when blacklisted.
TEST_F(TerminalRecords, tapMakesPurchaseRefundAndRefusal) {
    ASSERT_EQ(run(p::make_add(1, 0, 1, Cards{42})), Status::ok);
    const auto purchase = terminal_.tap(7, 350, 9650, 12);
    const auto refund = terminal_.tap(7, -350, 10000, 13);
    const auto refused = terminal_.tap(42, 500, 800, 3);
    ASSERT_TRUE(purchase && refund && refused);
    EXPECT_EQ(*purchase, (p::TransactionRecord{1, 7, 350, 9650, static_cast<std::uint32_t>(fake_epoch), 12,
                                               RecordKind::purchase}));
    EXPECT_EQ(refund->kind, RecordKind::refund);
    EXPECT_EQ(refund->amount_cents, -350);
    EXPECT_EQ(refund->seq, 2u);
    EXPECT_EQ(*refused,
              (p::TransactionRecord{3, 42, 0, 800, static_cast<std::uint32_t>(fake_epoch), 3, RecordKind::refused}));
    EXPECT_EQ(state().oldest_seq, 1u);
    EXPECT_EQ(state().next_seq, 4u);
    EXPECT_FALSE(terminal_.tap(0, 1, 1).has_value());
}

// Without a counter given, a simulated card's counter is read, then moves up with each
// purchase or refund, never with a refusal.
TEST_F(TerminalRecords, cardCounterAdvancesWithPurchasesAndRefunds) {
    EXPECT_EQ(terminal_.tap(7, 100, 900)->counter, 0);
    EXPECT_EQ(terminal_.tap(7, -50, 950)->counter, 1);
    EXPECT_EQ(terminal_.tap(8, 10, 90)->counter, 0);
    ASSERT_EQ(run(p::make_add(1, 0, 1, Cards{7})), Status::ok);
    EXPECT_EQ(terminal_.tap(7, 100, 950)->counter, 2);
    EXPECT_EQ(terminal_.tap(7, 100, 950)->counter, 2);     // refused: the card was not written
    EXPECT_EQ(terminal_.tap(8, 10, 80, 40)->counter, 40);  // as read from the card
    EXPECT_EQ(terminal_.tap(8, 10, 70)->counter, 41);
}

// The window returns the records [cursor, cursor + k) with k up to 10, zeros behind.
TEST_F(TerminalRecords, windowReturnsRecordsFromCursor) {
    tap_n(3);
    const auto regs = terminal_.write_read(0x0200, Regs{0, 2}, 0x0202, 121);
    ASSERT_TRUE(regs.has_value());
    EXPECT_EQ((*regs)[0], 2);  // k
    EXPECT_EQ(p::read_u32(*regs, 1), 2u);
    EXPECT_EQ(p::read_u32(*regs, 13), 3u);
    for (std::size_t i = 25; i < regs->size(); ++i) EXPECT_EQ((*regs)[i], 0) << i;
    const auto records = read_window(1);
    ASSERT_EQ(records.size(), 3u);
    EXPECT_EQ(records[0].card_no, 100u);
    EXPECT_EQ(records[2].card_no, 102u);
}

// At most ten records come back, the rest on the next read.
TEST_F(TerminalRecords, windowHoldsAtMostTen) {
    tap_n(25);
    EXPECT_EQ(read_window(1).size(), 10u);
    EXPECT_EQ(read_window(11).front().seq, 11u);
    EXPECT_EQ(read_window(21).size(), 5u);
}

// A cursor below oldest or at/after next names no held record: k = 0.
TEST_F(TerminalRecords, windowIsEmptyOutsideHeldRecords) {
    tap_n(5);
    ASSERT_EQ(run(p::make_records_ack(1, 3)), Status::ok);
    EXPECT_TRUE(read_window(2).empty());
    EXPECT_TRUE(read_window(0).empty());
    EXPECT_TRUE(read_window(6).empty());
    EXPECT_TRUE(read_window(0xFFFFFFFF).empty());
    EXPECT_EQ(read_window(3).size(), 3u);
}

// RECORDS_ACK: oldest = max(oldest, min(seq, next)); acknowledged records are gone.
TEST_F(TerminalRecords, recordsAckMovesOldestWithinHeldRange) {
    tap_n(5);  // held [1, 6)
    EXPECT_EQ(run(p::make_records_ack(1, 3)), Status::ok);
    EXPECT_EQ(state().oldest_seq, 3u);
    EXPECT_EQ(terminal_.records().held(), 3u);
    EXPECT_EQ(run(p::make_records_ack(1, 2)), Status::ok);  // never backwards
    EXPECT_EQ(state().oldest_seq, 3u);
    EXPECT_EQ(run(p::make_records_ack(1, 1000)), Status::ok);  // never past next
    EXPECT_EQ(state().oldest_seq, 6u);
    EXPECT_EQ(state().next_seq, 6u);
    EXPECT_EQ(terminal_.records().held(), 0u);
    tap_n(1);
    EXPECT_EQ(read_window(6).size(), 1u);
}

// A record's time is the terminal clock, so SET_CLOCK shows in later records.
TEST_F(TerminalRecords, recordTimeFollowsSetClock) {
    ASSERT_EQ(run(p::make_set_clock(1, 1'234'567'890)), Status::ok);
    now_ += 5;
    const auto record = terminal_.tap(9, 10, 90);
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->time, 1'234'567'895u);
}

// Flash contents survive a power cycle: list, version, records, clock, last commit.
TEST_F(TerminalRecords, persistentStateRestoresOnNewTerminal) {
    ASSERT_EQ(run(p::make_add(1, 0, 3, Cards{4, 5})), Status::ok);
    tap_n(4);
    ASSERT_EQ(run(p::make_records_ack(1, 2)), Status::ok);
    ASSERT_EQ(run(p::make_set_clock(1, 1'000'000'000)), Status::ok);
    ASSERT_EQ(run(p::make_full_begin(1, 8, 4, p::SyncFormat::list, 0)), Status::ok);
    ASSERT_EQ(run(p::make_full_commit(1, 8, 0)), Status::ok);
    ASSERT_EQ(run(p::make_add(1, 4, 5, Cards{6})), Status::ok);
    Terminal fresh(default_config(), [this] { return now_; });
    ASSERT_TRUE(fresh.restore(terminal_.persistent()).has_value());
    EXPECT_EQ(fresh.persistent().blacklist, (Cards{6}));
    auto before = state();
    auto after = fresh.state();
    before.last_status = after.last_status;  // RAM: a restarted terminal starts at OK, tag 0
    before.last_tag = after.last_tag;
    EXPECT_EQ(after, before);
    ASSERT_TRUE(fresh.write_registers(0x0100, p::encode_command(p::make_full_commit(1, 8, 0))).has_value());
    EXPECT_EQ(fresh.state().last_status, Status::ok_already);
    EXPECT_EQ(fresh.tap(100, 1, 1)->counter, 1);  // the card's counter came along
}

// A saved state of another serial, or with records that are not [oldest, next), is refused.
TEST_F(TerminalRecords, restoreRefusesForeignOrBrokenState) {
    tap_n(2);
    PersistentState saved = terminal_.persistent();
    saved.serial = 8;
    EXPECT_FALSE(terminal_.restore(saved).has_value());
    saved = terminal_.persistent();
    saved.next = 5;
    EXPECT_FALSE(terminal_.restore(saved).has_value());
    saved = terminal_.persistent();
    saved.blacklist = {0};
    EXPECT_FALSE(terminal_.restore(saved).has_value());
    EXPECT_EQ(state().next_seq, 3u);
}

}  // namespace
}  // namespace cardd::termsim::test
