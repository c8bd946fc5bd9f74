// Full sync on a CT-1 terminal: FULL_BEGIN, list and bitmap chunks,
// FULL_COMMIT and FULL_ABORT, with every status they can answer.

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
using Bytes = std::vector<std::uint8_t>;

class TerminalFullSync : public TerminalFixture {
protected:
    Status begin_list(std::uint32_t session, std::uint32_t target, std::uint32_t total) {
        return run(p::make_full_begin(1, session, target, SyncFormat::list, total));
    }
    Status chunk(std::uint32_t session, std::uint32_t index, const Cards& cards) {
        return run(p::make_full_list_chunk(2, session, index, cards));
    }
    Status commit(std::uint32_t session, std::uint32_t crc) { return run(p::make_full_commit(3, session, crc)); }
};

// A list sync stages beside the enforced list and replaces it at commit only.
TEST_F(TerminalFullSync, listSyncReplacesListAtCommit) {
    ASSERT_EQ(run(p::make_add(1, 0, 4, Cards{1, 2})), Status::ok);
    const Cards next{50, 40, 60, 40};
    ASSERT_EQ(begin_list(0xABCD, 9, 4), Status::ok);
    EXPECT_EQ(state().full_sync_state, p::FullSyncState::receiving);
    EXPECT_EQ(state().full_sync_progress, 0u);
    ASSERT_EQ(chunk(0xABCD, 0, {50, 40}), Status::ok);
    EXPECT_EQ(state().full_sync_progress, 2u);
    ASSERT_EQ(chunk(0xABCD, 2, {60, 40}), Status::ok);
    EXPECT_EQ(state().full_sync_progress, 4u);
    EXPECT_EQ(list(), (Cards{1, 2}));  // the old list stays enforced
    EXPECT_EQ(state().blacklist_version, 4u);
    ASSERT_EQ(commit(0xABCD, p::list_crc(next)), Status::ok);
    EXPECT_EQ(list(), (Cards{40, 50, 60}));
    EXPECT_EQ(state().blacklist_version, 9u);
    EXPECT_EQ(state().blacklist_count, 3u);
    EXPECT_EQ(state().checksum, p::blacklist_checksum(Cards{40, 50, 60}));
    EXPECT_EQ(state().full_sync_state, p::FullSyncState::idle);
    EXPECT_EQ(state().full_sync_progress, 0u);
}

// An empty list is a valid full sync: total 0 and the CRC of nothing, 0.
TEST_F(TerminalFullSync, emptyListSyncClearsTheList) {
    ASSERT_EQ(run(p::make_add(1, 0, 4, Cards{1, 2})), Status::ok);
    ASSERT_EQ(begin_list(5, 10, 0), Status::ok);
    EXPECT_EQ(commit(5, 0), Status::ok);
    EXPECT_TRUE(list().empty());
    EXPECT_EQ(state().blacklist_version, 10u);
}

// A chunk received before is OK_ALREADY; one that overlaps or leaves a gap is SEQUENCE.
TEST_F(TerminalFullSync, chunkPlacementDecidesItsStatus) {
    ASSERT_EQ(begin_list(5, 10, 6), Status::ok);
    ASSERT_EQ(chunk(5, 0, {1, 2, 3}), Status::ok);
    EXPECT_EQ(chunk(5, 0, {1, 2, 3}), Status::ok_already);
    EXPECT_EQ(chunk(5, 1, {2, 3}), Status::ok_already);
    EXPECT_EQ(chunk(5, 2, {3, 4}), Status::sequence);  // overlaps the end
    EXPECT_EQ(chunk(5, 4, {5}), Status::sequence);     // leaves a gap
    EXPECT_EQ(state().full_sync_progress, 3u);
    EXPECT_EQ(chunk(5, 3, {4, 5, 6}), Status::ok);
    EXPECT_EQ(commit(5, p::list_crc(Cards{1, 2, 3, 4, 5, 6})), Status::ok);
}

// Chunks for another session, or with no session open, are NO_SESSION.
TEST_F(TerminalFullSync, chunkWithoutItsSessionIsNoSession) {
    EXPECT_EQ(chunk(5, 0, {1}), Status::no_session);
    ASSERT_EQ(begin_list(5, 10, 2), Status::ok);
    EXPECT_EQ(chunk(6, 0, {1}), Status::no_session);
    EXPECT_EQ(run(p::make_full_bitmap_chunk(2, 6, 0, Bytes{0x40})), Status::no_session);
    EXPECT_EQ(state().full_sync_progress, 0u);
}

// A chunk that would pass the announced total is BAD_ARGUMENT and not taken.
TEST_F(TerminalFullSync, chunkPastTotalIsBadArgument) {
    ASSERT_EQ(begin_list(5, 10, 2), Status::ok);
    EXPECT_EQ(chunk(5, 0, {1, 2, 3}), Status::bad_argument);
    EXPECT_EQ(state().full_sync_progress, 0u);
}

// Chunk entries follow ADD's card rules: no 0, nothing above the limit.
TEST_F(TerminalFullSync, chunkWithBadCardIsBadArgument) {
    ASSERT_EQ(begin_list(5, 10, 2), Status::ok);
    EXPECT_EQ(chunk(5, 0, {0, 1}), Status::bad_argument);
    EXPECT_EQ(chunk(5, 0, {1, 500001}), Status::bad_argument);
    EXPECT_EQ(state().full_sync_progress, 0u);
}

// A new FULL_BEGIN throws away whatever was staged before.
TEST_F(TerminalFullSync, newBeginDiscardsEarlierStaging) {
    ASSERT_EQ(begin_list(5, 10, 2), Status::ok);
    ASSERT_EQ(chunk(5, 0, {1}), Status::ok);
    ASSERT_EQ(begin_list(5, 11, 1), Status::ok);
    EXPECT_EQ(state().full_sync_progress, 0u);
    EXPECT_EQ(chunk(5, 1, {2}), Status::sequence);
    ASSERT_EQ(chunk(5, 0, {9}), Status::ok);
    EXPECT_EQ(commit(5, p::list_crc(Cards{9})), Status::ok);
    EXPECT_EQ(list(), (Cards{9}));
    EXPECT_EQ(state().blacklist_version, 11u);
}

// FULL_BEGIN with session 0, n other than 3, a bad format or extra registers is BAD_ARGUMENT.
TEST_F(TerminalFullSync, malformedBeginIsBadArgument) {
    EXPECT_EQ(begin_list(0, 10, 2), Status::bad_argument);
    p::Command c = p::make_full_begin(1, 5, 10, SyncFormat::list, 2);
    c.n = 2;
    EXPECT_EQ(run(c), Status::bad_argument);
    c = p::make_full_begin(1, 5, 10, SyncFormat::list, 2);
    c.payload[0] = 2;
    EXPECT_EQ(run(c), Status::bad_argument);
    c = p::make_full_begin(1, 5, 10, SyncFormat::list, 2);
    c.payload.push_back(0);
    EXPECT_EQ(run(c), Status::bad_argument);
    c = p::make_full_begin(1, 5, 10, SyncFormat::list, 2);
    c.payload.pop_back();
    EXPECT_EQ(run(c), Status::bad_argument);
    EXPECT_FALSE(terminal_.staging().receiving());
}

// A refused FULL_BEGIN leaves an open session alone.
TEST_F(TerminalFullSync, refusedBeginKeepsEarlierStaging) {
    ASSERT_EQ(begin_list(5, 10, 2), Status::ok);
    ASSERT_EQ(chunk(5, 0, {1}), Status::ok);
    EXPECT_EQ(begin_list(0, 10, 2), Status::bad_argument);
    EXPECT_EQ(state().full_sync_progress, 1u);
}

// A list larger than the capacity is refused at FULL_BEGIN with CAPACITY.
TEST_F(TerminalFullSync, listBeginPastCapacityIsCapacity) {
    EXPECT_EQ(begin_list(5, 10, 101), Status::capacity);
    EXPECT_FALSE(terminal_.staging().receiving());
    EXPECT_EQ(begin_list(5, 10, 100), Status::ok);
}

// Commit before every entry arrived is INCOMPLETE, and the staging is gone.
TEST_F(TerminalFullSync, earlyCommitIsIncompleteAndDiscards) {
    ASSERT_EQ(run(p::make_add(1, 0, 4, Cards{1})), Status::ok);
    ASSERT_EQ(begin_list(5, 10, 2), Status::ok);
    ASSERT_EQ(chunk(5, 0, {7}), Status::ok);
    EXPECT_EQ(commit(5, p::list_crc(Cards{7})), Status::incomplete);
    EXPECT_FALSE(terminal_.staging().receiving());
    EXPECT_EQ(list(), (Cards{1}));
    EXPECT_EQ(state().blacklist_version, 4u);
    EXPECT_EQ(chunk(5, 1, {8}), Status::no_session);
}

// Commit with a CRC other than the staged data's is CRC_MISMATCH, staging gone.
TEST_F(TerminalFullSync, wrongCrcIsCrcMismatchAndDiscards) {
    ASSERT_EQ(begin_list(5, 10, 2), Status::ok);
    ASSERT_EQ(chunk(5, 0, {7, 8}), Status::ok);
    // The CRC covers the entries in the order sent, so the sorted order is wrong too.
    EXPECT_EQ(commit(5, p::list_crc(Cards{8, 7})), Status::crc_mismatch);
    EXPECT_FALSE(terminal_.staging().receiving());
    EXPECT_TRUE(list().empty());
    EXPECT_EQ(state().blacklist_version, 0u);
}

// A repeated successful commit is OK_ALREADY; another CRC or session is NO_SESSION.
TEST_F(TerminalFullSync, repeatedCommitIsOkAlready) {
    ASSERT_EQ(begin_list(5, 10, 1), Status::ok);
    ASSERT_EQ(chunk(5, 0, {7}), Status::ok);
    const std::uint32_t crc = p::list_crc(Cards{7});
    ASSERT_EQ(commit(5, crc), Status::ok);
    ASSERT_EQ(run(p::make_add(1, 10, 11, Cards{8})), Status::ok);
    EXPECT_EQ(commit(5, crc), Status::ok_already);
    EXPECT_EQ(list(), (Cards{7, 8}));  // nothing changed by the repeat
    EXPECT_EQ(state().blacklist_version, 11u);
    EXPECT_EQ(commit(5, crc + 1), Status::no_session);
    EXPECT_EQ(commit(6, crc), Status::no_session);
}

// Commit with nothing staged and nothing committed is NO_SESSION.
TEST_F(TerminalFullSync, commitWithoutSessionIsNoSession) {
    EXPECT_EQ(commit(5, 0), Status::no_session);
    ASSERT_EQ(begin_list(5, 10, 0), Status::ok);
    EXPECT_EQ(commit(6, 0), Status::no_session);
    EXPECT_TRUE(terminal_.staging().receiving());  // another session's commit leaves it be
}

// FULL_ABORT discards its own session's staging and is OK whatever the session.
TEST_F(TerminalFullSync, abortDiscardsItsSessionOnly) {
    ASSERT_EQ(begin_list(5, 10, 2), Status::ok);
    EXPECT_EQ(run(p::make_full_abort(4, 6)), Status::ok);
    EXPECT_TRUE(terminal_.staging().receiving());
    EXPECT_EQ(run(p::make_full_abort(4, 5)), Status::ok);
    EXPECT_FALSE(terminal_.staging().receiving());
    EXPECT_EQ(chunk(5, 0, {1}), Status::no_session);
    EXPECT_EQ(run(p::make_full_abort(4, 5)), Status::ok);
}

// ADD during a sync changes the enforced list; the commit then replaces it.
TEST_F(TerminalFullSync, addDuringSyncActsOnEnforcedList) {
    ASSERT_EQ(begin_list(5, 10, 1), Status::ok);
    ASSERT_EQ(run(p::make_add(1, 0, 1, Cards{3})), Status::ok);
    EXPECT_EQ(list(), (Cards{3}));
    ASSERT_EQ(chunk(5, 0, {4}), Status::ok);
    ASSERT_EQ(commit(5, p::list_crc(Cards{4})), Status::ok);
    EXPECT_EQ(list(), (Cards{4}));
}

// A bitmap sync: bytes in chunks, bit c / 8 mask 0x80 >> c % 8, CRC over the bytes.
TEST_F(TerminalFullSync, bitmapSyncReplacesList) {
    const Cards cards{1, 9, 17, 400000, 500000};
    const Bytes bitmap = p::build_bitmap(cards);
    ASSERT_EQ(bitmap.size(), 62501u);
    ASSERT_EQ(run(p::make_full_begin(1, 77, 3, SyncFormat::bitmap, 62501)), Status::ok);
    for (std::size_t offset = 0; offset < bitmap.size(); offset += 232) {
        const std::size_t n = std::min<std::size_t>(232, bitmap.size() - offset);
        ASSERT_EQ(run(p::make_full_bitmap_chunk(2, 77, static_cast<std::uint32_t>(offset),
                                                std::span(bitmap).subspan(offset, n))),
                  Status::ok)
            << "offset " << offset;
    }
    EXPECT_EQ(state().full_sync_progress, 62501u);
    EXPECT_EQ(run(p::make_full_bitmap_chunk(2, 77, 0, std::span(bitmap).first(232))), Status::ok_already);
    ASSERT_EQ(commit(77, p::bitmap_crc(bitmap)), Status::ok);
    EXPECT_EQ(list(), cards);
    EXPECT_EQ(state().blacklist_version, 3u);
    EXPECT_EQ(state().checksum, p::blacklist_checksum(cards));
}

// A bitmap may end with the byte that holds the limit's bit, and no later.
TEST_F(TerminalFullSync, bitmapBeginPastLimitIsBadArgument) {
    EXPECT_EQ(run(p::make_full_begin(1, 5, 3, SyncFormat::bitmap, 62502)), Status::bad_argument);
    EXPECT_EQ(run(p::make_full_begin(1, 5, 3, SyncFormat::bitmap, 62501)), Status::ok);
}

// A bit for card 0 or for a card above the limit is BAD_ARGUMENT.
TEST_F(TerminalFullSync, bitmapChunkWithBadBitIsBadArgument) {
    ASSERT_EQ(run(p::make_full_begin(1, 5, 3, SyncFormat::bitmap, 62501)), Status::ok);
    EXPECT_EQ(run(p::make_full_bitmap_chunk(2, 5, 0, Bytes{0x80})), Status::bad_argument);
    ASSERT_EQ(run(p::make_full_bitmap_chunk(2, 5, 0, Bytes{0x40})), Status::ok);
    ASSERT_EQ(run(p::make_full_begin(1, 5, 3, SyncFormat::bitmap, 62501)), Status::ok);
    const Bytes zeros(232, 0);
    for (std::uint32_t offset = 0; offset + 232 <= 62500; offset += 232) {
        ASSERT_EQ(run(p::make_full_bitmap_chunk(2, 5, offset, zeros)), Status::ok);
    }
    const std::uint32_t at = 62500 / 232 * 232;
    Bytes tail(62501 - at, 0);
    tail.back() = 0x40;  // card 500001
    EXPECT_EQ(run(p::make_full_bitmap_chunk(2, 5, at, tail)), Status::bad_argument);
    tail.back() = 0x80;  // card 500000, the limit itself
    EXPECT_EQ(run(p::make_full_bitmap_chunk(2, 5, at, tail)), Status::ok);
}

// Without capability bit 0 a bitmap FULL_BEGIN is BAD_ARGUMENT.
TEST(TerminalNoBitmap, bitmapBeginIsBadArgument) {
    TerminalConfig config;
    config.serial = 3;
    Terminal terminal(config);
    ASSERT_TRUE(terminal.write_registers(0x0100, p::encode_command(p::make_full_begin(1, 5, 3, SyncFormat::bitmap, 1)))
                    .has_value());
    EXPECT_EQ(terminal.state().last_status, Status::bad_argument);
}

// A chunk of the other format than the session's is BAD_ARGUMENT.
TEST_F(TerminalFullSync, chunkOfOtherFormatIsBadArgument) {
    ASSERT_EQ(begin_list(5, 10, 2), Status::ok);
    EXPECT_EQ(run(p::make_full_bitmap_chunk(2, 5, 0, Bytes{0x40})), Status::bad_argument);
    ASSERT_EQ(run(p::make_full_begin(1, 6, 3, SyncFormat::bitmap, 10)), Status::ok);
    EXPECT_EQ(chunk(6, 0, {1}), Status::bad_argument);
}

// A bitmap with more cards than the list capacity is CAPACITY at the chunk that passes it.
TEST_F(TerminalFullSync, bitmapPastCapacityIsCapacity) {
    ASSERT_EQ(run(p::make_full_begin(1, 5, 3, SyncFormat::bitmap, 14)), Status::ok);
    Bytes full(12, 0xFF);
    full[0] = 0x7F;  // 95 cards, card 0 left out
    ASSERT_EQ(run(p::make_full_bitmap_chunk(2, 5, 0, full)), Status::ok);
    EXPECT_EQ(run(p::make_full_bitmap_chunk(2, 5, 12, Bytes{0xFF, 0x00})), Status::capacity);
    EXPECT_EQ(state().full_sync_progress, 12u);
    EXPECT_EQ(run(p::make_full_bitmap_chunk(2, 5, 12, Bytes{0xF8, 0x00})), Status::ok);  // 100 cards
}

}  // namespace
}  // namespace cardd::termsim::test
