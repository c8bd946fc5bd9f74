// Transaction records collected from terminals, on both backends.

#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::Errc;
using store::LedgerKind;
using store::RecordKind;
using store::TransactionRecord;

class Records : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        add_person("E1");
        issue("E1", 10, 5000);
        terminal = add_tcp_terminal("T1", 1502).id;
        must(store->set_terminal_serial(terminal, 7));
    }
    static TransactionRecord record(std::uint32_t seq, store::CardNo card, std::int32_t amount, RecordKind kind) {
        return {seq, card, amount, 0, 1'764'000'100, static_cast<std::uint16_t>(seq), kind};
    }
    store::DeviceId terminal = 0;
};
INSTANTIATE_FOR_BOTH_BACKENDS(Records);

// A purchase and a terminal refund apply to the ledger; a refusal moves no money.
TEST_P(Records, recordsApplyToTheLedger) {
    const std::vector<TransactionRecord> batch{record(0, 10, 1250, RecordKind::purchase),
                                               record(1, 10, -250, RecordKind::refund),
                                               record(2, 10, 0, RecordKind::refused)};
    const auto outcome = must(store->store_records(terminal, batch));
    EXPECT_EQ(outcome.stored, 3u);
    EXPECT_EQ(outcome.duplicates, 0u);
    EXPECT_EQ(must(store->balance(10)), 5000 - 1250 + 250);
    const auto ledger = must(store->ledger(10));
    ASSERT_EQ(ledger.size(), 3u);
    EXPECT_EQ(ledger[1].kind, LedgerKind::purchase);
    EXPECT_EQ(ledger[1].amount, -1250);
    EXPECT_EQ(ledger[2].kind, LedgerKind::terminal_refund);
    EXPECT_EQ(ledger[2].amount, 250);
    EXPECT_EQ(must(store->device(terminal)).records_next_seq, 3);
    EXPECT_EQ(must(store->records(10)).size(), 3u);
}

// Terminals collected with nothing new get their collection time, all in
// one call, and nothing else of theirs changes.
TEST_P(Records, markCollectedSetsOnlyTheCollectionTime) {
    const store::DeviceId other = add_tcp_terminal("T2", 1503).id;
    must(store->store_records(terminal, std::vector<TransactionRecord>{record(4, 10, 100, RecordKind::purchase)}));
    now += 60;
    const std::vector<store::DeviceId> both{terminal, other};
    must(store->mark_collected(both));
    EXPECT_EQ(must(store->device(terminal)).last_collected_at, now);
    EXPECT_EQ(must(store->device(other)).last_collected_at, now);
    EXPECT_EQ(must(store->device(terminal)).records_next_seq, 5);
    EXPECT_EQ(must(store->device(other)).records_next_seq, 0);
    EXPECT_EQ(must(store->balance(10)), 4900);
    EXPECT_TRUE(store->mark_collected(std::vector<store::DeviceId>{}).has_value());
}

// A record read twice, in one read or across reads, counts once.
TEST_P(Records, aDuplicateRecordCountsOnce) {
    const std::vector<TransactionRecord> first{record(5, 10, 100, RecordKind::purchase)};
    must(store->store_records(terminal, first));
    const std::vector<TransactionRecord> again{record(5, 10, 100, RecordKind::purchase),
                                               record(6, 10, 100, RecordKind::purchase),
                                               record(6, 10, 100, RecordKind::purchase)};
    const auto outcome = must(store->store_records(terminal, again));
    EXPECT_EQ(outcome.stored, 1u);
    EXPECT_EQ(outcome.duplicates, 2u);
    EXPECT_EQ(must(store->balance(10)), 4800);
    EXPECT_TRUE(must(store->check_invariants()).empty());
}

// The same seq from another terminal serial is another record.
TEST_P(Records, recordsAreKeyedByTerminalSerialAndSeq) {
    const auto other = add_tcp_terminal("T2", 1503).id;
    must(store->set_terminal_serial(other, 8));
    const std::vector<TransactionRecord> one{record(0, 10, 100, RecordKind::purchase)};
    must(store->store_records(terminal, one));
    EXPECT_EQ(must(store->store_records(other, one)).stored, 1u);
    EXPECT_EQ(must(store->balance(10)), 4800);
}

// A record for a card the store does not know is kept and counted, with no ledger line.
TEST_P(Records, recordsForUnknownCardsAreKeptApart) {
    const std::vector<TransactionRecord> batch{record(0, 4444, 100, RecordKind::purchase)};
    const auto outcome = must(store->store_records(terminal, batch));
    EXPECT_EQ(outcome.stored, 1u);
    EXPECT_EQ(outcome.unmatched, 1u);
    EXPECT_EQ(must(store->records(4444)).size(), 1u);
    EXPECT_TRUE(must(store->check_invariants()).empty());
}

// A read with a record that contradicts CT-1 is refused whole: nothing of it lands.
TEST_P(Records, aContradictoryRecordRefusesTheWholeRead) {
    const std::string before = snapshot();
    for (const TransactionRecord& bad : {record(1, 10, -5, RecordKind::purchase), record(1, 10, 5, RecordKind::refund),
                                         record(1, 10, 5, RecordKind::refused), record(1, 0, 5, RecordKind::purchase),
                                         record(1, 10, 5, static_cast<RecordKind>(9))}) {
        const std::vector<TransactionRecord> batch{record(0, 10, 100, RecordKind::purchase), bad};
        auto result = store->store_records(terminal, batch);
        ASSERT_FALSE(result.has_value());
        EXPECT_EQ(result.error().code, Errc::invalid_argument);
    }
    EXPECT_EQ(snapshot(), before);
}

// Records need the terminal's serial number, which identifies them.
TEST_P(Records, recordsNeedTheTerminalSerial) {
    const auto unread = add_tcp_terminal("T2", 1503).id;
    const std::vector<TransactionRecord> batch{record(0, 10, 100, RecordKind::purchase)};
    const std::string before = snapshot();
    EXPECT_EQ(store->store_records(unread, batch).error().code, Errc::conflict);
    EXPECT_EQ(store->set_terminal_serial(unread, 0).error().code, Errc::invalid_argument);
    EXPECT_EQ(snapshot(), before);
}

}  // namespace
}  // namespace cardd::test
