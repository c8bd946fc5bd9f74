// Terminal leases among instances sharing one store, and the fence on every
// write about a terminal, on both backends. Each instance is a CardStore of
// its own on the same database, as two cardd processes would hold.

#include <algorithm>
#include <chrono>
#include <map>
#include <thread>

#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::DeviceId;
using store::Errc;
using store::LeaseRequest;
using store::LeaseRound;
using store::RtuAddress;
using store::TransactionRecord;

constexpr std::int64_t long_lease = 60'000;
// Short enough to lapse within the test, long enough to outlive its round.
constexpr std::int64_t short_lease = 300;

void let_lapse() { std::this_thread::sleep_for(std::chrono::milliseconds(short_lease + 200)); }

class Leases : public StoreTest {
protected:
    LeaseRound round(store::CardStore& instance, const std::string& owner, std::int64_t duration = long_lease,
                     std::vector<std::string> buses = {}) {
        return must(instance.lease_round(LeaseRequest{owner, duration, std::move(buses)}));
    }
    std::vector<DeviceId> terminals_of(const LeaseRound& held) {
        std::vector<DeviceId> out;
        for (const auto& lease : held.held) out.push_back(lease.terminal);
        return out;
    }
    /// Owner of each terminal as the store has it ("" for free).
    std::map<std::string, std::string> owners() {
        std::map<std::string, std::string> out;
        for (const auto& lease : must(store->leases())) out[lease.name] = lease.owner.value_or("");
        return out;
    }
    std::vector<store::Device> add_terminals(int count) {
        std::vector<store::Device> out;
        for (int n = 0; n < count; ++n) out.push_back(add_tcp_terminal("pos-" + std::to_string(n), 5020 + n));
        return out;
    }
};
INSTANTIATE_FOR_BOTH_BACKENDS(Leases);

// One instance alone takes every terminal, each at generation 1, and
// renewing keeps the generation.
TEST_P(Leases, anInstanceAloneLeasesEveryTerminal) {
    const auto terminals = add_terminals(4);
    const auto first = round(*store, "a");
    EXPECT_EQ(first.instances, 1);
    EXPECT_EQ(first.share, 4);
    ASSERT_EQ(first.held.size(), 4u);
    for (const auto& lease : first.held) EXPECT_EQ(lease.generation, 1);
    const auto again = round(*store, "a");
    ASSERT_EQ(again.held.size(), 4u);
    for (const auto& lease : again.held) EXPECT_EQ(lease.generation, 1);
    EXPECT_EQ(store->held_generation(terminals[2].id), 1);
    for (const auto& lease : must(store->leases())) {
        EXPECT_EQ(lease.owner, "a");
        EXPECT_GT(lease.expires_in_ms, 50'000);
    }
}

// A second instance gets half: the first hands back what is above its share
// at its next round, the second claims it at its own.
TEST_P(Leases, twoInstancesShareTheTerminalsEvenly) {
    add_terminals(5);
    auto b = reopen();
    EXPECT_EQ(round(*store, "a").held.size(), 5u);
    const auto b_first = round(*b, "b");
    EXPECT_EQ(b_first.instances, 2);
    EXPECT_EQ(b_first.share, 3);
    EXPECT_TRUE(b_first.held.empty()) << "nothing is free yet";
    const auto a_second = round(*store, "a");
    EXPECT_EQ(a_second.handed_back, 2);
    EXPECT_EQ(a_second.held.size(), 3u);
    const auto b_second = round(*b, "b");
    EXPECT_EQ(b_second.held.size(), 2u);
    for (const auto& lease : b_second.held) EXPECT_EQ(lease.generation, 2) << "claimed after a's generation 1";
    std::size_t of_a = 0;
    std::size_t of_b = 0;
    for (const auto& [name, owner] : owners()) {
        of_a += owner == "a";
        of_b += owner == "b";
    }
    EXPECT_EQ(of_a, 3u);
    EXPECT_EQ(of_b, 2u);
    // Stable from then on: no lease moves.
    EXPECT_EQ(terminals_of(round(*store, "a")), terminals_of(a_second));
    EXPECT_EQ(terminals_of(round(*b, "b")), terminals_of(b_second));
}

// An instance that froze past its lease finds every write about its old
// terminals refused, the store unchanged, while its successor writes.
TEST_P(Leases, aStaleOwnerIsFencedAndChangesNothing) {
    const auto terminal = add_tcp_terminal("pos-1", 5020);
    const auto planned = must(store->plan_full_sync(terminal.id));  // not fenced yet: no round held
    round(*store, "a", short_lease);
    let_lapse();
    auto b = reopen();
    const auto successor = round(*b, "b");
    ASSERT_EQ(successor.held.size(), 1u);
    EXPECT_EQ(successor.held.front().generation, 2);

    const std::string before = snapshot();
    const auto expect_fenced = [](const auto& result, const char* what) {
        ASSERT_FALSE(result.has_value()) << what;
        EXPECT_EQ(result.error().code, Errc::fenced) << what;
        EXPECT_NE(result.error().message.find("passed on"), std::string::npos) << result.error().message;
    };
    expect_fenced(store->confirm_version(terminal.id, planned.new_version), "confirm");
    expect_fenced(store->plan_full_sync(terminal.id), "full sync");
    expect_fenced(store->record_sync_failure(terminal.id, "timeout", now + 10), "retry queue");
    expect_fenced(store->record_sync_success(terminal.id), "retry queue cleared");
    expect_fenced(store->set_terminal_serial(terminal.id, 77), "serial");
    const DeviceId ids[] = {terminal.id};
    expect_fenced(store->mark_collected(ids), "collected");
    const TransactionRecord records[] = {{1, 100001, 250, 750, now, 3, store::RecordKind::purchase}};
    expect_fenced(store->store_records(terminal.id, records), "records");
    EXPECT_EQ(snapshot(), before);

    // The successor's writes are its own.
    must(b->set_terminal_serial(terminal.id, 77));
    must(b->confirm_version(terminal.id, planned.new_version));
    EXPECT_EQ(must(store->device(terminal.id)).confirmed_version, planned.new_version);
}

// An expired lease is claimed afresh, even by the instance that held it:
// writes carrying the generation from before the lapse are refused.
TEST_P(Leases, aLapsedLeaseIsClaimedAtANewGeneration) {
    const auto terminal = add_tcp_terminal("pos-1", 5020);
    auto paused = reopen();  // the same instance before a pause, as it saw its lease
    EXPECT_EQ(round(*paused, "a", short_lease).held.front().generation, 1);
    let_lapse();
    const auto again = round(*store, "a");
    ASSERT_EQ(again.held.size(), 1u);
    EXPECT_EQ(again.held.front().generation, 2);
    const auto refused = paused->record_sync_success(terminal.id);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::fenced);
    must(store->record_sync_success(terminal.id));
}

// A clean stop hands every lease back at once: the other instance takes
// them at its next round, not after the lease time.
TEST_P(Leases, aCleanStopHandsTheLeasesBack) {
    add_terminals(4);
    auto b = reopen();
    round(*store, "a");
    round(*b, "b");
    round(*store, "a");
    round(*b, "b");
    must(store->release_leases("a"));
    const auto all = round(*b, "b");
    EXPECT_EQ(all.instances, 1);
    EXPECT_EQ(all.held.size(), 4u);
    for (const auto& [name, owner] : owners()) EXPECT_EQ(owner, "b") << name;
    // Its terminals are not its own any more.
    const auto refused = store->record_sync_success(all.held.front().terminal);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::fenced);
}

// The terminals of an RS-485 bus belong to the instance wired to it,
// whatever the share; the others never claim them.
TEST_P(Leases, busTerminalsBelongToTheInstanceWiredToTheBus) {
    add_terminals(2);
    const auto unit_1 = must(store->add_terminal(clerk, {"bus-1", RtuAddress{"/dev/ttyUSB0", 9600, 'E'}, 1}));
    const auto unit_2 = must(store->add_terminal(clerk, {"bus-2", RtuAddress{"/dev/ttyUSB0", 9600, 'E'}, 2}));
    auto b = reopen();
    const auto b_alone = round(*b, "b");
    EXPECT_EQ(b_alone.held.size(), 2u) << "the TCP terminals only";
    const auto a_wired = round(*store, "a", long_lease, {"/dev/ttyUSB0"});
    EXPECT_EQ(a_wired.share, 1);
    const auto held = terminals_of(a_wired);
    EXPECT_NE(std::ranges::find(held, unit_1.id), held.end());
    EXPECT_NE(std::ranges::find(held, unit_2.id), held.end());
    round(*b, "b");
    const auto a_then = round(*store, "a", long_lease, {"/dev/ttyUSB0"});
    EXPECT_EQ(a_then.held.size(), 3u) << "both units and its share of one TCP terminal";
    EXPECT_EQ(owners()["bus-1"], "a");
    EXPECT_EQ(owners()["bus-2"], "a");
    // Unwired, it hands the bus back.
    const auto a_unwired = round(*store, "a");
    EXPECT_EQ(a_unwired.handed_back, 2);
    EXPECT_EQ(owners()["bus-1"], "");
}

// A terminal added while instances run is free and claimed at the next round.
TEST_P(Leases, aTerminalAddedLaterIsClaimedAtTheNextRound) {
    add_terminals(1);
    round(*store, "a");
    const auto late = add_tcp_terminal("late", 6000);
    EXPECT_EQ(owners()["late"], "");
    const auto refused = store->record_sync_success(late.id);
    ASSERT_FALSE(refused.has_value()) << "not leased yet";
    EXPECT_EQ(refused.error().code, Errc::fenced);
    EXPECT_EQ(round(*store, "a").held.size(), 2u);
    must(store->record_sync_success(late.id));
}

// A push's confirmations are one transaction: a terminal whose lease passed
// on is that entry's refusal; the others are kept.
TEST_P(Leases, aFencedConfirmationLeavesTheOthersOfItsPush) {
    const auto terminals = add_terminals(2);
    const auto first = must(store->plan_full_sync(terminals[0].id));
    const auto second = must(store->plan_full_sync(terminals[1].id));
    round(*store, "a");  // `store` holds both at generation 1, and keeps believing so
    auto b = reopen();
    round(*b, "b");
    auto a_later = reopen();  // a's next round, from a view of its own
    EXPECT_EQ(round(*a_later, "a").handed_back, 1);
    const auto taken = round(*b, "b");
    ASSERT_EQ(taken.held.size(), 1u);
    EXPECT_EQ(taken.held.front().terminal, terminals[1].id) << "a hands back its highest";

    const store::LevelReport reports[] = {{terminals[0].id, first.new_version}, {terminals[1].id, second.new_version}};
    const auto outcomes = must(store->record_levels(reports));
    ASSERT_EQ(outcomes.size(), 2u);
    EXPECT_FALSE(outcomes[0].has_value());
    ASSERT_TRUE(outcomes[1].has_value());
    EXPECT_EQ(outcomes[1]->code, Errc::fenced);
    EXPECT_NE(outcomes[1]->message.find("generation 1"), std::string::npos) << outcomes[1]->message;
    EXPECT_EQ(must(store->device(terminals[0].id)).confirmed_version, first.new_version);
    EXPECT_EQ(must(store->device(terminals[1].id)).confirmed_version, 0);
}

// Bad requests change nothing.
TEST_P(Leases, badRequestsAreRefused) {
    add_terminals(1);
    const std::string before = snapshot();
    for (const LeaseRequest& bad :
         {LeaseRequest{"", long_lease, {}}, LeaseRequest{"a", 0, {}},
          LeaseRequest{std::string(256, 'x'), long_lease, {}}, LeaseRequest{"a\nb", long_lease, {}}}) {
        const auto refused = store->lease_round(bad);
        ASSERT_FALSE(refused.has_value());
        EXPECT_EQ(refused.error().code, Errc::invalid_argument);
    }
    EXPECT_EQ(snapshot(), before);
    EXPECT_FALSE(store->held_generation(1).has_value());
}

}  // namespace
}  // namespace cardd::test
