// synchronise() against card-termsim's Terminal, in-process: every branch of
// the distribution algorithm on the real CT-1 state machine.

#include "daemon/terminal/blacklist_sync.hpp"

#include <memory>
#include <numeric>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/terminal/terminal_client.hpp"
#include "protocol/checksum.hpp"
#include "protocol/wire_cost.hpp"
#include "tests/daemon/terminal/planner.hpp"
#include "tests/daemon/terminal/sim_link.hpp"
#include "tools/termsim/terminal.hpp"

namespace cardd::daemon::test {
namespace {

using protocol::Opcode;
using protocol::Status;
using Kind = SyncOutcome::Kind;

std::vector<std::uint32_t> range(std::uint32_t first, std::uint32_t count, std::uint32_t step = 1) {
    std::vector<std::uint32_t> cards(static_cast<std::size_t>(count));
    for (std::size_t i = 0; i < cards.size(); ++i) cards[i] = first + static_cast<std::uint32_t>(i) * step;
    return cards;
}

std::vector<std::uint32_t> wire(const std::vector<std::uint32_t>& cards) { return {cards.begin(), cards.end()}; }

class BlacklistSyncTest : public ::testing::Test {
protected:
    void make_terminal(std::uint32_t capacity = 10000, std::uint32_t bitmap_limit = 0) {
        terminal_ = std::make_unique<termsim::Terminal>(termsim::TerminalConfig{.serial = 7001,
                                                                                .firmware = 0x0102,
                                                                                .capacity = capacity,
                                                                                .bitmap_limit = bitmap_limit,
                                                                                .model = "CT-TEST"});
        link_ = std::make_unique<SimLink>(*terminal_);
    }
    void SetUp() override { make_terminal(); }

    // What the flash of a terminal would hold: a version and a set.
    void put_terminal_at(std::int64_t version, const std::vector<std::uint32_t>& cards) {
        termsim::PersistentState saved = terminal_->persistent();
        saved.version = static_cast<std::uint32_t>(version);
        saved.blacklist = wire(cards);
        ASSERT_TRUE(terminal_->restore(saved).has_value());
    }

    SyncOutcome sync(protocol::Transport transport = protocol::Transport::tcp) {
        TerminalClient client(*link_, 0x1000);
        SyncOutcome outcome = synchronise(client, planner_.plan(transport));
        planner_.record(outcome);
        return outcome;
    }

    void expect_level() {
        EXPECT_EQ(std::int64_t{terminal_->state().blacklist_version}, planner_.planned());
        EXPECT_EQ(terminal_->blacklist().cards(), wire(planner_.desired()));
        EXPECT_EQ(terminal_->state().checksum, protocol::blacklist_checksum(wire(planner_.desired())));
        EXPECT_EQ(planner_.confirmed(), planner_.planned());
    }

    std::unique_ptr<termsim::Terminal> terminal_;
    std::unique_ptr<SimLink> link_;
    Planner planner_;
};

// A terminal already at the planned version with the right set is level, and nothing is written.
TEST_F(BlacklistSyncTest, levelTerminalGetsNoCommand) {
    planner_.add({11, 12, 13});
    put_terminal_at(planner_.planned(), planner_.desired());
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_TRUE(link_->delivered.empty());
    EXPECT_EQ(outcome.confirmed_version, planner_.planned());
    ASSERT_TRUE(outcome.state.has_value());
    EXPECT_EQ(outcome.state->serial, 7001u);
    expect_level();
}

// A new terminal with nothing planned is level at version 0, and no version is offered for confirmation.
TEST_F(BlacklistSyncTest, emptyTerminalWithEmptyPlanIsLevel) {
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::level);
    EXPECT_FALSE(outcome.confirmed_version.has_value());
    EXPECT_EQ(link_->requests, 1);
}

// Deltas from the terminal's version go out in order, ADD and REMOVE, each base -> new.
TEST_F(BlacklistSyncTest, deltasFromTheBaseBringTerminalLevel) {
    planner_.add({500, 20, 31});
    planner_.add({44});
    planner_.remove({20});
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    // The two adds in a row go as one command; the remove after them cannot join it.
    EXPECT_EQ(link_->opcodes(), (std::vector{Opcode::add, Opcode::remove}));
    EXPECT_EQ(link_->delivered[0].arg1, 0u);
    EXPECT_EQ(link_->delivered[0].n, 4);
    EXPECT_EQ(link_->delivered[0].arg2, link_->delivered[1].arg1);
    EXPECT_FALSE(outcome.full_sync_format.has_value());
    expect_level();
}

// Deltas start where the terminal is: the batches it confirmed earlier are not sent again.
TEST_F(BlacklistSyncTest, deltasStartFromConfirmedVersion) {
    planner_.add({1, 2, 3});
    ASSERT_EQ(sync().kind, Kind::level);
    link_->delivered.clear();
    planner_.add({4});
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    ASSERT_EQ(link_->delivered.size(), 1u);
    EXPECT_EQ(link_->delivered[0].n, 1);
    expect_level();
}

// One lost answer is repaired in the run: the same ADD goes again and the terminal says OK_ALREADY.
TEST_F(BlacklistSyncTest, lostAnswerIsRetriedAndAnsweredOkAlready) {
    planner_.add({7, 8});
    planner_.add({9});
    planner_.remove({7});
    link_->lose_answer = first_n(Opcode::add, 1);
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(link_->opcodes(), (std::vector{Opcode::add, Opcode::add, Opcode::remove}));
    EXPECT_EQ(link_->delivered[1].arg2, link_->delivered[0].arg2);
    EXPECT_EQ(link_->answered, (std::vector{Status::ok, Status::ok_already, Status::ok}));
    expect_level();
}

// When every answer to a batch is lost the run fails as a timeout, confirming what the terminal acknowledged;
// the next run finds the terminal further along the chain and sends only what it still lacks.
TEST_F(BlacklistSyncTest, retryAfterLostAnswersSkipsBatchesTheTerminalHas) {
    planner_.add({7, 8});
    planner_.remove({8});
    planner_.add({10});
    const auto first_batch = planner_.pending()[0].new_version;
    // The first batch is answered; every answer to the second is lost, though the terminal applies it.
    int commands = 0;
    link_->lose_answer = [&](const protocol::Command&) { return ++commands >= 2; };
    auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_EQ(outcome.error, LinkError::Kind::timeout);
    EXPECT_EQ(outcome.confirmed_version, first_batch);
    EXPECT_EQ(planner_.confirmed(), first_batch);

    link_->lose_answer = nullptr;
    link_->delivered.clear();
    outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    // The terminal was at the second batch's version: only the third goes out.
    ASSERT_EQ(link_->delivered.size(), 1u);
    EXPECT_EQ(link_->delivered[0].arg2, static_cast<std::uint32_t>(planner_.planned()));
    expect_level();
}

// Adds waiting in a row go as one command while their cards fit one 0x17 (76 entries), and the
// terminal ends at the last one's version.
TEST_F(BlacklistSyncTest, pendingAddsAreCoalescedUpTo76Entries) {
    for (std::uint32_t i = 0; i < 10; ++i) planner_.add(range(1 + i * 10, 10));  // 100 cards in 10 batches
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    ASSERT_EQ(link_->opcodes(), (std::vector{Opcode::add, Opcode::add}));
    EXPECT_EQ(link_->delivered[0].n, 70);
    EXPECT_EQ(link_->delivered[1].n, 30);
    EXPECT_EQ(link_->delivered[1].arg2, static_cast<std::uint32_t>(planner_.planned()));
    expect_level();
}

// Expected where it was left, a terminal gets its delta in one round trip: no state read before,
// none after (the 0x17 reads back version and checksum).
TEST_F(BlacklistSyncTest, expectedTerminalTakesADeltaInOneRoundTrip) {
    planner_.add({1, 2, 3});
    ASSERT_EQ(sync().kind, Kind::level);
    planner_.add({4});
    planner_.add({5});
    link_->requests = 0;
    link_->delivered.clear();
    TerminalClient client(*link_, 0x2000);
    SyncPlan plan = planner_.plan();
    plan.expected_version = planner_.confirmed();
    const auto outcome = synchronise(client, plan);
    planner_.record(outcome);
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(link_->requests, 1);
    ASSERT_EQ(link_->delivered.size(), 1u);
    EXPECT_EQ(link_->delivered[0].n, 2);
    expect_level();
}

// Another terminal at the address (its serial not the one on record) is
// read and written nothing, whether it would take deltas or a full sync,
// and nothing is offered for confirmation.
TEST_F(BlacklistSyncTest, anotherSerialIsWrittenNothing) {
    planner_.add({1, 2, 3});
    for (const bool full : {false, true}) {
        if (full) put_terminal_at(99, {7});
        link_->requests = 0;
        link_->delivered.clear();
        TerminalClient client(*link_, 0x2000);
        SyncPlan plan = planner_.plan();
        plan.expected_serial = 7002;
        const auto outcome = synchronise(client, plan);
        EXPECT_EQ(outcome.kind, Kind::failed);
        EXPECT_EQ(outcome.error, LinkError::Kind::wrong_terminal);
        EXPECT_EQ(outcome.reason,
                  "the terminal answers as serial 7001, not 7002 as on record; nothing was written to it");
        EXPECT_FALSE(outcome.confirmed_version.has_value());
        EXPECT_FALSE(outcome.held_records.has_value());
        EXPECT_EQ(link_->requests, 1) << "only the state read";
        EXPECT_TRUE(link_->delivered.empty());
    }
    EXPECT_EQ(terminal_->state().blacklist_version, 99u);
}

// A terminal that is not where it was expected (restarted empty) refuses the delta, and the run
// goes the long way: a state read, then the full sync it needs.
TEST_F(BlacklistSyncTest, expectedVersionThatIsWrongFallsBackToAStateRead) {
    planner_.add({1, 2, 3});
    ASSERT_EQ(sync().kind, Kind::level);
    planner_.add({4});
    put_terminal_at(0, {});
    link_->delivered.clear();
    link_->answered.clear();
    TerminalClient client(*link_, 0x2000);
    SyncPlan plan = planner_.plan();
    plan.expected_version = planner_.confirmed();
    const auto outcome = synchronise(client, plan);
    EXPECT_EQ(outcome.kind, Kind::needs_full_sync) << outcome.reason;
    ASSERT_TRUE(outcome.state.has_value());
    EXPECT_EQ(outcome.state->blacklist_version, 0u);
    EXPECT_FALSE(outcome.confirmed_version.has_value());
    EXPECT_EQ(link_->answered, (std::vector{Status::version_mismatch}));
    EXPECT_EQ(terminal_->blacklist().cards(), std::vector<std::uint32_t>{});
}

// A terminal at a version the daemon never planned needs a full sync, and nothing is sent before that.
TEST_F(BlacklistSyncTest, unknownVersionNeedsFullSync) {
    planner_.add({1, 2});
    put_terminal_at(42, {1, 2, 3});
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::needs_full_sync);
    EXPECT_NE(outcome.reason.find("version 42, from which no pending batch leads"), std::string::npos)
        << outcome.reason;
    EXPECT_TRUE(link_->delivered.empty());
    EXPECT_FALSE(outcome.confirmed_version.has_value());
}

// A terminal ahead of the plan needs a full sync.
TEST_F(BlacklistSyncTest, versionAbovePlannedNeedsFullSync) {
    planner_.add({1});
    put_terminal_at(planner_.planned() + 1000, {1});
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::needs_full_sync);
    EXPECT_NE(outcome.reason.find("above the planned"), std::string::npos) << outcome.reason;
}

// A terminal restarted empty (version 0, known) with nothing pending from 0 gets a full sync, and ends level.
TEST_F(BlacklistSyncTest, terminalRestartedEmptyGetsFullSync) {
    planner_.add({5, 6, 7});
    ASSERT_EQ(sync().kind, Kind::level);
    put_terminal_at(0, {});
    auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::needs_full_sync);
    EXPECT_NE(outcome.reason.find("no pending batch"), std::string::npos) << outcome.reason;
    planner_.full();
    outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(outcome.full_sync_format, protocol::SyncFormat::list);
    expect_level();
}

// At the planned version with the wrong set, the checksum gives it away: full sync, nothing confirmed.
TEST_F(BlacklistSyncTest, checksumMismatchAtPlannedVersionNeedsFullSync) {
    planner_.add({1, 2, 3});
    put_terminal_at(planner_.planned(), {1, 2});
    auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::needs_full_sync);
    EXPECT_NE(outcome.reason.find("checksum"), std::string::npos);
    EXPECT_FALSE(outcome.confirmed_version.has_value());
    EXPECT_TRUE(link_->delivered.empty());
    planner_.full();
    outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    expect_level();
}

// Deltas applied to a terminal whose set had drifted leave the wrong checksum: the check after the change
// catches it, confirms nothing, and a full sync repairs it.
TEST_F(BlacklistSyncTest, checksumMismatchAfterDeltasNeedsFullSync) {
    planner_.add({1, 2});
    ASSERT_EQ(sync().kind, Kind::level);
    put_terminal_at(planner_.planned(), {1, 2, 99});  // a stray card the store does not know of
    link_->delivered.clear();
    planner_.add({3});
    auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::needs_full_sync);
    EXPECT_FALSE(outcome.confirmed_version.has_value());
    EXPECT_EQ(link_->opcodes(), std::vector{Opcode::add});
    planner_.full();
    outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_FALSE(terminal_->blacklist().contains(99));
    expect_level();
}

// The run after one that asked for a full sync starts it from what that run
// read: the terminal's state is read once for the whole resync.
TEST_F(BlacklistSyncTest, fullSyncAfterAskingForItReadsTheStateOnce) {
    planner_.add(range(1000, 200, 7));
    put_terminal_at(900, {5});  // off the chain: restarted with another flash
    auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::needs_full_sync) << outcome.reason;
    EXPECT_EQ(link_->requests, 1);
    planner_.full();
    SyncPlan plan = planner_.plan(protocol::Transport::tcp);
    plan.known_state = outcome.state;
    TerminalClient client(*link_, 0x2000);
    outcome = synchronise(client, plan);
    planner_.record(outcome);
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(link_->requests, 1 + 5);  // FULL_BEGIN, three chunks, FULL_COMMIT
    expect_level();
}

// A full sync by list: FULL_BEGIN, chunks of at most 76 entries, FULL_COMMIT, with the list's CRC.
TEST_F(BlacklistSyncTest, fullSyncByListInChunks) {
    planner_.add(range(1000, 200, 7));
    planner_.full();
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(outcome.full_sync_format, protocol::SyncFormat::list);
    EXPECT_EQ(link_->opcodes(), (std::vector{Opcode::full_begin, Opcode::full_list_chunk, Opcode::full_list_chunk,
                                             Opcode::full_list_chunk, Opcode::full_commit}));
    EXPECT_EQ(link_->delivered[1].n, 76);
    EXPECT_EQ(link_->delivered[3].arg2, 152u);
    EXPECT_EQ(link_->delivered[4].arg2, protocol::list_crc(wire(planner_.desired())));
    // One state read first; the commit's own read-back confirms the new set.
    EXPECT_EQ(link_->requests, 1 + 5);
    EXPECT_EQ(outcome.state->blacklist_count, 200u);
    expect_level();
}

// With bitmap support, a dense set goes as a bitmap, as the wire-cost rule says.
TEST_F(BlacklistSyncTest, fullSyncByBitmapWhenCheaper) {
    make_terminal(10000, 500000);
    planner_.add(range(1, 1000, 2));  // 1000 cards below 2000: 251 bytes of bitmap against 3000 of list
    planner_.full();
    const auto cards = wire(planner_.desired());
    ASSERT_EQ(protocol::choose_full_sync_format(cards, protocol::Transport::tcp, 500000, 1,
                                                protocol::WriteFunction::read_write_multiple),
              protocol::SyncFormat::bitmap);
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(outcome.full_sync_format, protocol::SyncFormat::bitmap);
    EXPECT_EQ(link_->opcodes(), (std::vector{Opcode::full_begin, Opcode::full_bitmap_chunk, Opcode::full_bitmap_chunk,
                                             Opcode::full_commit}));
    EXPECT_EQ(link_->delivered[0].payload[0], protocol::raw(protocol::SyncFormat::bitmap));
    expect_level();
}

// With bitmap support, a sparse set of high numbers still goes as a list, the cheaper form.
TEST_F(BlacklistSyncTest, fullSyncByListWhenBitmapCostsMore) {
    make_terminal(10000, 500000);
    planner_.add({100000, 250000, 499999});
    planner_.full();
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(outcome.full_sync_format, protocol::SyncFormat::list);
    EXPECT_EQ(link_->delivered[0].payload[0], protocol::raw(protocol::SyncFormat::list));
    expect_level();
}

// An empty desired set is a full sync of nothing: begin, commit with CRC 0.
TEST_F(BlacklistSyncTest, fullSyncOfEmptySet) {
    put_terminal_at(0, {4, 5});
    planner_.full();
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(link_->opcodes(), (std::vector{Opcode::full_begin, Opcode::full_commit}));
    EXPECT_EQ(terminal_->state().checksum, 0u);
    expect_level();
}

// A chunk whose answer was lost is sent again and answered OK_ALREADY; the sync completes.
TEST_F(BlacklistSyncTest, fullSyncRetriesChunkWithLostAnswer) {
    planner_.add(range(1, 100));
    planner_.full();
    link_->lose_answer = first_n(Opcode::full_list_chunk, 1);
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(link_->opcodes(), (std::vector{Opcode::full_begin, Opcode::full_list_chunk, Opcode::full_list_chunk,
                                             Opcode::full_list_chunk, Opcode::full_commit}));
    expect_level();
}

// A commit whose answer was lost is repeated and answered OK_ALREADY.
TEST_F(BlacklistSyncTest, fullSyncRetriesCommitWithLostAnswer) {
    planner_.add(range(1, 10));
    planner_.full();
    link_->lose_answer = first_n(Opcode::full_commit, 1);
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(link_->answered.back(), Status::ok_already);
    expect_level();
}

// A chunk that never reached the terminal (the line lied OK) makes the next one SEQUENCE; the sync resumes
// from the terminal's progress register and completes.
TEST_F(BlacklistSyncTest, fullSyncResumesFromProgressAfterSequence) {
    planner_.add(range(1, 200));
    planner_.full();
    int chunks = 0;
    link_->intercept = [&](const protocol::Command& command) -> std::optional<Status> {
        if (command.opcode == Opcode::full_list_chunk && ++chunks == 2) return Status::ok;  // swallowed
        return std::nullopt;
    };
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    // Chunk at 0, (76 swallowed), 152 -> SEQUENCE, resume at 76, then 152.
    std::vector<std::uint32_t> positions;
    for (const auto& command : link_->delivered) {
        if (command.opcode == Opcode::full_list_chunk) positions.push_back(command.arg2);
    }
    EXPECT_EQ(positions, (std::vector<std::uint32_t>{0, 152, 76, 152}));
    expect_level();
}

// A full batch followed by deltas: the full sync goes first, then the deltas, then one check.
TEST_F(BlacklistSyncTest, fullBatchStandsForTheDeltasAfterIt) {
    planner_.add({1, 2, 3});
    planner_.full();
    planner_.add({4});
    planner_.remove({1});
    put_terminal_at(0, {77});
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    // The desired set after the deltas goes whole at the planned version.
    EXPECT_EQ(link_->opcodes(), (std::vector{Opcode::full_begin, Opcode::full_list_chunk, Opcode::full_commit}));
    EXPECT_EQ(link_->delivered.front().arg2, static_cast<std::uint32_t>(planner_.planned()));  // FULL_BEGIN target
    EXPECT_EQ(outcome.confirmed_version, planner_.planned());
    expect_level();
}

// A terminal that took the full sync but lost the deltas after it gets only the deltas.
TEST_F(BlacklistSyncTest, terminalAtFullBatchVersionGetsOnlyDeltas) {
    planner_.add({1, 2, 3});
    planner_.full();
    const auto full_version = planner_.planned();
    planner_.add({4});
    put_terminal_at(full_version, {1, 2, 3});
    const auto outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(link_->opcodes(), std::vector{Opcode::add});
    expect_level();
}

// Pending deltas that cost more bytes than a full sync (a terminal far behind) ask for a full sync.
TEST_F(BlacklistSyncTest, costlyDeltasNeedFullSync) {
    // Churn: 760 cards added and removed again, then one card; the final set is tiny.
    const auto churn = range(1, 760);
    planner_.add(churn);
    planner_.remove(churn);
    planner_.add({9});
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::needs_full_sync);
    EXPECT_NE(outcome.reason.find("bytes on the wire"), std::string::npos) << outcome.reason;
    EXPECT_TRUE(link_->delivered.empty());
    planner_.full();
    ASSERT_EQ(sync().kind, Kind::level);
    expect_level();
}

// A set larger than the terminal's capacity fails as capacity, and nothing is sent.
TEST_F(BlacklistSyncTest, setAboveCapacityFailsWithoutSending) {
    make_terminal(5);
    planner_.add(range(1, 6));
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_EQ(outcome.error, LinkError::Kind::capacity);
    EXPECT_NE(outcome.reason.find("at most 5"), std::string::npos) << outcome.reason;
    EXPECT_TRUE(link_->delivered.empty());
}

// CAPACITY on a delta while the final set fits (an intermediate overflow) asks for a full sync, which fits.
TEST_F(BlacklistSyncTest, intermediateCapacityNeedsFullSync) {
    make_terminal(5);
    planner_.add({1, 2, 3, 4});
    ASSERT_EQ(sync().kind, Kind::level);
    planner_.add({5, 6});     // 6 entries: above capacity for a moment
    planner_.remove({1, 2});  // final 4
    auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::needs_full_sync);
    EXPECT_NE(outcome.reason.find("CAPACITY"), std::string::npos) << outcome.reason;
    planner_.full();
    outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    expect_level();
}

// With bitmap support, a card above the bitmap limit is refused by CT-1 in any command: fail clearly, send nothing.
TEST_F(BlacklistSyncTest, cardAboveBitmapLimitFailsClearly) {
    make_terminal(10000, 1000);
    planner_.add({5, 1001});
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_EQ(outcome.error, LinkError::Kind::capacity);
    EXPECT_NE(outcome.reason.find("bitmap limit 1000"), std::string::npos) << outcome.reason;
    EXPECT_TRUE(link_->delivered.empty());
}

// A busy terminal fails the run as busy and changes nothing; once free, the same plan brings it level.
TEST_F(BlacklistSyncTest, busyTerminalFailsThenSucceeds) {
    planner_.add({1, 2});
    terminal_->set_busy(true);
    auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_EQ(outcome.error, LinkError::Kind::busy);
    EXPECT_EQ(terminal_->state().blacklist_version, 0u);
    terminal_->set_busy(false);
    outcome = sync();
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    expect_level();
}

// BUSY in the middle of a full sync fails as busy and aborts the staging; the enforced list is untouched.
TEST_F(BlacklistSyncTest, busyDuringFullSyncAbortsStaging) {
    put_terminal_at(0, {42});
    planner_.add(range(1, 100));
    planner_.full();
    link_->after_command = [&](const protocol::Command& command) {
        if (command.opcode == Opcode::full_list_chunk) terminal_->set_busy(true);
    };
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_EQ(outcome.error, LinkError::Kind::busy);
    EXPECT_EQ(terminal_->blacklist().cards(), std::vector<std::uint32_t>{42});
    EXPECT_EQ(link_->delivered.back().opcode, Opcode::full_abort);
}

// The terminal moved between the state read and the ADD (VERSION_MISMATCH): full sync.
TEST_F(BlacklistSyncTest, versionMismatchNeedsFullSync) {
    planner_.add({1});
    // The intercept fires before the terminal runs the ADD, so the terminal answers for real.
    link_->intercept = [&, moved = false](const protocol::Command&) mutable -> std::optional<Status> {
        if (!moved) put_terminal_at(555, {});
        moved = true;
        return std::nullopt;
    };
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::needs_full_sync);
    EXPECT_NE(outcome.reason.find("VERSION_MISMATCH"), std::string::npos) << outcome.reason;
}

// BAD_ARGUMENT to a batch fails with a reason naming the batch.
TEST_F(BlacklistSyncTest, badArgumentFails) {
    planner_.add({1});
    link_->intercept = [](const protocol::Command&) -> std::optional<Status> { return Status::bad_argument; };
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_EQ(outcome.error, LinkError::Kind::protocol);
    EXPECT_NE(outcome.reason.find("BAD_ARGUMENT"), std::string::npos) << outcome.reason;
    EXPECT_NE(outcome.reason.find("add batch 0->"), std::string::npos) << outcome.reason;
}

// CRC_MISMATCH at the commit fails the full sync; the terminal keeps its old list.
TEST_F(BlacklistSyncTest, commitCrcMismatchFails) {
    put_terminal_at(0, {42});
    planner_.add({1, 2});
    planner_.full();
    link_->intercept = [](const protocol::Command& command) -> std::optional<Status> {
        if (command.opcode == Opcode::full_commit) return Status::crc_mismatch;
        return std::nullopt;
    };
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_NE(outcome.reason.find("CRC_MISMATCH"), std::string::npos) << outcome.reason;
    EXPECT_EQ(terminal_->blacklist().cards(), std::vector<std::uint32_t>{42});
    EXPECT_FALSE(outcome.confirmed_version.has_value());
}

// A terminal that still disagrees after a full sync fails rather than asking for another one (no loop).
TEST_F(BlacklistSyncTest, mismatchAfterFullSyncFails) {
    planner_.add({1, 2});
    planner_.full();
    // The commit's own read-back shows the terminal holding another set.
    bool committed = false;
    link_->after_command = [&](const protocol::Command& command) {
        if (command.opcode != Opcode::full_commit) return;
        put_terminal_at(planner_.planned(), {1, 2, 3});
        committed = true;
    };
    link_->tamper = [&](std::uint16_t address, std::vector<std::uint16_t>& regs) {
        if (!committed) return;
        committed = false;
        regs = *terminal_->read_registers(address, static_cast<std::uint16_t>(regs.size()));
    };
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_NE(outcome.reason.find("even after a full sync"), std::string::npos) << outcome.reason;
    EXPECT_FALSE(outcome.confirmed_version.has_value());
}

// A terminal that cannot be reached fails with the link's error kind, and nothing is confirmed.
TEST_F(BlacklistSyncTest, unreachableTerminalFails) {
    planner_.add({1});
    link_->down = LinkError::Kind::timeout;
    const auto outcome = sync();
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_EQ(outcome.error, LinkError::Kind::timeout);
    EXPECT_FALSE(outcome.state.has_value());
    EXPECT_FALSE(outcome.confirmed_version.has_value());
    EXPECT_EQ(link_->requests, 1);  // the first read is not repeated: a dead terminal holds the bus once
}

// RTU and TCP plans both work; the transport only changes the cost arithmetic.
TEST_F(BlacklistSyncTest, rtuTransportPlan) {
    planner_.add(range(1, 80));
    const auto outcome = sync(protocol::Transport::rtu);
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    expect_level();
}

// A session id of 0 is a caller bug (CT-1 forbids it).
TEST_F(BlacklistSyncTest, sessionZeroThrows) {
    TerminalClient client(*link_);
    auto plan = planner_.plan();
    plan.session_id = 0;
    EXPECT_THROW((void)synchronise(client, plan), std::invalid_argument);
}

// A plan whose batches do not chain is refused without touching the terminal.
TEST_F(BlacklistSyncTest, brokenChainIsRefused) {
    planner_.add({1});
    planner_.add({2});
    auto plan = planner_.plan();
    plan.pending[1].base_version += 1;
    TerminalClient client(*link_);
    const auto outcome = synchronise(client, plan);
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_FALSE(outcome.error.has_value());
    EXPECT_NE(outcome.reason.find("does not follow"), std::string::npos) << outcome.reason;
    EXPECT_EQ(link_->requests, 0);
}

}  // namespace
}  // namespace cardd::daemon::test
