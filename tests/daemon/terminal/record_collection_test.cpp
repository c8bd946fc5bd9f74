// Record collection against card-termsim's Terminal in-process: windows,
// limits, acknowledgement, and each record collected exactly once.

#include "daemon/terminal/record_collection.hpp"

#include <map>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/command.hpp"
#include "protocol/registers.hpp"
#include "tests/daemon/terminal/sim_link.hpp"
#include "tools/termsim/terminal.hpp"

namespace cardd::daemon::test {
namespace {

class RecordCollectionTest : public ::testing::Test {
protected:
    void tap(int count, std::uint32_t first_card = 1000) {
        for (int i = 0; i < count; ++i) {
            ASSERT_TRUE(terminal_.tap(first_card + static_cast<std::uint32_t>(i), 300, 5000).has_value());
        }
    }

    // What the daemon does: read from where it stopped, store (here: a map
    // keyed by seq, as the store keys by (serial, seq)), then acknowledge.
    void collect_and_store() {
        auto got = read_new_records(client_, next_seq_);
        ASSERT_TRUE(got.has_value()) << got.error().message;
        for (const auto& record : got->records) ++stored_[{got->serial, record.seq}];
        next_seq_ = got->next_seq;
        ASSERT_TRUE(acknowledge_records(client_, got->next_seq).has_value());
    }

    termsim::Terminal terminal_{termsim::TerminalConfig{.serial = 9001}};
    SimLink link_{terminal_};
    TerminalClient client_{link_, 1};
    std::int64_t next_seq_ = 0;
    std::map<std::pair<std::uint32_t, std::uint32_t>, int> stored_;
};

// 25 records come back in three windows, ascending, with the serial and where to go on.
TEST_F(RecordCollectionTest, readsAllRecordsInWindows) {
    tap(25);
    const auto got = read_new_records(client_, 0);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(got->serial, 9001u);
    ASSERT_EQ(got->records.size(), 25u);
    for (std::size_t i = 0; i < got->records.size(); ++i) EXPECT_EQ(got->records[i].seq, i + 1);
    EXPECT_EQ(got->next_seq, 26u);
    EXPECT_EQ(link_.requests, 1 + 3);  // the state, then three windows
}

// A terminal with nothing new answers with one read and no records.
TEST_F(RecordCollectionTest, nothingNew) {
    const auto got = read_new_records(client_, 1);
    ASSERT_TRUE(got.has_value());
    EXPECT_TRUE(got->records.empty());
    EXPECT_EQ(got->next_seq, 1u);
    EXPECT_EQ(link_.requests, 1);
}

// max_records stops early; next_seq says where the next call continues.
TEST_F(RecordCollectionTest, maxRecordsLimitsOneCall) {
    tap(25);
    auto got = read_new_records(client_, 0, 12);
    ASSERT_TRUE(got.has_value());
    ASSERT_EQ(got->records.size(), 12u);
    EXPECT_EQ(got->next_seq, 13u);
    got = read_new_records(client_, got->next_seq, 12);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->records.front().seq, 13u);
}

// Reading is not acknowledging: until RECORDS_ACK the same records read again.
TEST_F(RecordCollectionTest, readingTwiceIsHarmless) {
    tap(3);
    const auto first = read_new_records(client_, 0);
    const auto second = read_new_records(client_, 0);
    ASSERT_TRUE(first.has_value() && second.has_value());
    EXPECT_EQ(first->records, second->records);
    EXPECT_EQ(terminal_.records().held(), 3u);
}

// RECORDS_ACK lets the terminal drop what was stored; a later read starts at its oldest.
TEST_F(RecordCollectionTest, acknowledgeDropsRecords) {
    tap(5);
    ASSERT_TRUE(acknowledge_records(client_, 4).has_value());
    EXPECT_EQ(terminal_.records().oldest(), 4u);
    const auto got = read_new_records(client_, 0);  // from below oldest: starts at oldest
    ASSERT_TRUE(got.has_value());
    ASSERT_EQ(got->records.size(), 2u);
    EXPECT_EQ(got->records.front().seq, 4u);
}

// Collect, store, acknowledge, repeated with taps in between and a crash between store and acknowledge:
// every record is stored exactly once.
TEST_F(RecordCollectionTest, exactlyOnceAcrossCollections) {
    tap(7);
    collect_and_store();
    tap(15, 2000);
    collect_and_store();
    // Crash after storing, before acknowledging: the next collection reads them again from the stored
    // position, and the (serial, seq) key keeps them single.
    tap(4, 3000);
    auto got = read_new_records(client_, next_seq_);
    ASSERT_TRUE(got.has_value());
    for (const auto& record : got->records) ++stored_[{got->serial, record.seq}];
    collect_and_store();  // restarted with next_seq_ from before the crash
    tap(1, 4000);
    collect_and_store();
    ASSERT_EQ(stored_.size(), 27u);
    int twice = 0;
    for (const auto& [key, times] : stored_) twice += times > 1 ? 1 : 0;
    EXPECT_EQ(twice, 4);  // only the four re-read after the crash, which the store ignores as duplicates
    EXPECT_EQ(terminal_.records().held(), 0u);
    EXPECT_EQ(next_seq_, 28);
}

// A from_seq above the terminal's next (it was reset or replaced) reads everything it holds again.
TEST_F(RecordCollectionTest, fromSeqAboveNextRereadsAll) {
    tap(3);
    const auto got = read_new_records(client_, 500);
    ASSERT_TRUE(got.has_value());
    EXPECT_EQ(got->records.size(), 3u);
    EXPECT_EQ(got->next_seq, 4u);
}

// A terminal with another serial than the one the cursor was counted on
// (swapped in at the address) is refused before any record is read; the
// same serial goes on from the cursor; with the serial forgotten (the
// replacement accepted) its records are read from its oldest.
TEST_F(RecordCollectionTest, anotherSerialIsRefusedBeforeAnythingIsRead) {
    tap(5);
    const auto swapped = read_new_records(client_, 6, 1000, 4711);
    ASSERT_FALSE(swapped.has_value());
    EXPECT_EQ(swapped.error().kind, LinkError::Kind::wrong_terminal);
    EXPECT_EQ(swapped.error().message,
              "the terminal answers as serial 9001, not 4711 as on record; nothing was "
              "written to it");
    const auto same = read_new_records(client_, 6, 1000, 9001);
    ASSERT_TRUE(same.has_value()) << same.error().message;
    EXPECT_TRUE(same->records.empty());
    // A serial forgotten (a replacement accepted): read from the oldest.
    const auto accepted = read_new_records(client_, 0, 1000, std::nullopt);
    ASSERT_TRUE(accepted.has_value()) << accepted.error().message;
    EXPECT_EQ(accepted->records.size(), 5u);
}
// holds_new_records says, from the held range alone, what a collection would find: for a
// terminal with nothing, with records, with some acknowledged, and for every kind of start.
TEST_F(RecordCollectionTest, holdsNewRecordsAgreesWithACollection) {
    auto check = [&](const char* when) {
        const auto info = client_.read_info();
        ASSERT_TRUE(info.has_value()) << info.error().message;
        for (const std::int64_t from : {0, 1, 2, 3, 4, 5, 500}) {
            const auto got = read_new_records(client_, from);
            ASSERT_TRUE(got.has_value()) << got.error().message;
            EXPECT_EQ(holds_new_records(from, info->state.oldest_seq, info->state.next_seq), !got->records.empty())
                << when << ", from " << from;
        }
    };
    check("new terminal");
    tap(3);
    check("3 records");
    ASSERT_TRUE(acknowledge_records(client_, 3).has_value());
    check("2 acknowledged");
    ASSERT_TRUE(acknowledge_records(client_, 4).has_value());
    check("all acknowledged");
}

// Records acknowledged by someone else during a collection: the collector re-reads the state and goes on.
TEST_F(RecordCollectionTest, recordsDroppedMidwayAreSkipped) {
    tap(25);
    bool dropped = false;
    link_.tamper = [&](std::uint16_t address, std::vector<std::uint16_t>&) {
        // After the first window is read, another collector acknowledges up to 20.
        if (address != protocol::records::count.address || dropped) return;
        dropped = true;
        const auto ack = protocol::encode_command(protocol::make_records_ack(7, 20));
        ASSERT_TRUE(terminal_.write_registers(protocol::mailbox::block.address, ack).has_value());
    };
    const auto got = read_new_records(client_, 0);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    std::vector<std::uint32_t> seqs;
    for (const auto& record : got->records) seqs.push_back(record.seq);
    ASSERT_EQ(seqs.size(), 16u);  // 1..10, then 20..25
    EXPECT_EQ(seqs[10], 20u);
    EXPECT_EQ(got->next_seq, 26u);
}

// A busy terminal refuses the acknowledgement as busy.
TEST_F(RecordCollectionTest, acknowledgeWhileBusy) {
    tap(1);
    terminal_.set_busy(true);
    const auto done = acknowledge_records(client_, 2);
    ASSERT_FALSE(done.has_value());
    EXPECT_EQ(done.error().kind, LinkError::Kind::busy);
}

}  // namespace
}  // namespace cardd::daemon::test
