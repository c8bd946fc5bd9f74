// Devices and the per-terminal blacklist versions, on both backends.

#include <set>

#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::as_int;
using store::BatchOp;
using store::BatchState;
using store::BlacklistChange;
using store::CardNo;
using store::DeviceId;
using store::Errc;
using store::LossReason;
using store::LossReport;
using store::PushTarget;
using store::RtuAddress;
using store::TcpAddress;
using store::TerminalSpec;

class Devices : public StoreTest {};
INSTANTIATE_FOR_BOTH_BACKENDS(Devices);

// Terminals on TCP and RS-485 and encoders are listed as added.
TEST_P(Devices, terminalsAndEncodersAreListed) {
    must(store->add_terminal(clerk, {"pos-1", TcpAddress{"10.0.0.5", 502}, 1}));
    must(store->add_terminal(clerk, {"pos-2", RtuAddress{"/dev/ttyUSB0", 9600, 'N'}, 7}));
    must(store->add_encoder(clerk, {"desk", false, 0x072f, 0x2200}));
    must(store->add_encoder(clerk, {"sim", true, 0, 0}));
    const auto all = must(store->devices());
    ASSERT_EQ(all.size(), 4u);
    const auto rtu = must(store->device("pos-2"));
    ASSERT_TRUE(rtu.terminal.has_value());
    const auto& address = std::get<RtuAddress>(rtu.terminal->address);
    EXPECT_EQ(address.device, "/dev/ttyUSB0");
    EXPECT_EQ(address.baud, 9600);
    EXPECT_EQ(address.parity, 'N');
    EXPECT_EQ(rtu.terminal->unit_id, 7);
    const auto encoder = must(store->device("desk"));
    ASSERT_TRUE(encoder.encoder.has_value());
    EXPECT_EQ(encoder.encoder->vendor_id, 0x072f);
    EXPECT_TRUE(must(store->device("sim")).encoder->simulated);
}

// Bad or clashing devices are refused with a reason, and change nothing.
TEST_P(Devices, badOrClashingDevicesAreRefused) {
    must(store->add_terminal(clerk, {"pos-1", TcpAddress{"10.0.0.5", 502}, 1}));
    must(store->add_terminal(clerk, {"bus-1", RtuAddress{"/dev/ttyS1", 19200, 'E'}, 1}));
    const std::string before = snapshot();
    const auto refused = [&](const TerminalSpec& spec, Errc code) {
        auto result = store->add_terminal(clerk, spec);
        ASSERT_FALSE(result.has_value()) << spec.name;
        EXPECT_EQ(result.error().code, code) << result.error().message;
    };
    refused({"pos-1", TcpAddress{"10.0.0.6", 502}, 1}, Errc::conflict);           // name taken
    refused({"pos-9", TcpAddress{"10.0.0.5", 502}, 1}, Errc::conflict);           // same address and unit
    refused({"bus-2", RtuAddress{"/dev/ttyS1", 19200, 'E'}, 1}, Errc::conflict);  // unit taken on the bus
    refused({"bus-3", RtuAddress{"/dev/ttyS1", 9600, 'E'}, 2}, Errc::conflict);   // other speed on one bus
    refused({"bus-4", RtuAddress{"/dev/ttyS2", 12345, 'E'}, 1}, Errc::invalid_argument);
    refused({"bus-5", RtuAddress{"/dev/ttyS2", 9600, 'X'}, 1}, Errc::invalid_argument);
    refused({"pos-3", TcpAddress{"10.0.0.7", 0}, 1}, Errc::invalid_argument);
    refused({"pos-4", TcpAddress{"10.0.0.7", 502}, 248}, Errc::invalid_argument);
    refused({"all", TcpAddress{"10.0.0.7", 502}, 1}, Errc::invalid_argument);
    refused({"two words", TcpAddress{"10.0.0.7", 502}, 1}, Errc::invalid_argument);
    EXPECT_EQ(store->add_encoder(clerk, {"pos-1", true, 0, 0}).error().code, Errc::conflict);
    EXPECT_EQ(store->add_encoder(clerk, {"usb", false, 0, 0}).error().code, Errc::invalid_argument);
    EXPECT_EQ(snapshot(), before);
    must(store->add_terminal(clerk, {"bus-2", RtuAddress{"/dev/ttyS1", 19200, 'E'}, 2}));
}

// Removing a device removes its blacklist state; removing an unknown one is refused.
TEST_P(Devices, removingATerminalDropsItsBlacklistState) {
    add_person("E1");
    issue("E1", 5);
    add_tcp_terminal("T1", 1502);
    must(store->report_loss(clerk, 5, PushTarget::all()));
    must(store->remove_device(clerk, "T1"));
    EXPECT_EQ(store->device("T1").error().code, Errc::not_found);
    EXPECT_EQ(store->remove_device(clerk, "T1").error().code, Errc::not_found);
    auto db = connect();
    EXPECT_TRUE(must(db->query("SELECT * FROM terminal_exceptions")).empty());
    EXPECT_TRUE(must(db->query("SELECT * FROM blacklist_batches")).empty());
}

// Batches chain base to new version, versions only grow, and one is never reused, even across re-registration.
TEST_P(Devices, versionsGrowAndAreNeverReused) {
    for (int i = 1; i <= 3; ++i) {
        add_person("E" + std::to_string(i));
        issue("E" + std::to_string(i), i);
    }
    auto t1 = add_tcp_terminal("T1", 1502).id;
    must(store->report_loss(clerk, 1, PushTarget::all()));
    must(store->report_loss(clerk, 2, PushTarget::all()));
    must(store->unlock(clerk, 2, PushTarget::all()));
    const auto chain = must(store->batches(t1));
    ASSERT_EQ(chain.size(), 3u);
    EXPECT_EQ(chain[0].base_version, 0);
    for (std::size_t i = 1; i < chain.size(); ++i) {
        EXPECT_EQ(chain[i].base_version, chain[i - 1].new_version);
        EXPECT_GT(chain[i].new_version, chain[i].base_version);
    }
    EXPECT_EQ(chain[2].op, BatchOp::remove);
    EXPECT_EQ(must(store->device(t1)).planned_version, chain[2].new_version);

    std::set<std::int64_t> seen;
    for (const auto& batch : chain) seen.insert(batch.new_version);
    must(store->remove_device(clerk, "T1"));
    t1 = add_tcp_terminal("T1", 1502).id;
    for (const auto& batch : must(store->batches(t1))) EXPECT_FALSE(seen.contains(batch.new_version));
    const auto full = must(store->plan_full_sync(t1));
    EXPECT_FALSE(seen.contains(full.new_version));
}

// A change bigger than one CT-1 command is split into batches of at most 76 cards.
TEST_P(Devices, bigChangesAreSplitIntoCommandSizedBatches) {
    const auto t1 = add_tcp_terminal("T1", 1502).id;
    std::vector<CardNo> cards;
    for (int i = 1; i <= 200; ++i) {
        add_person("E" + std::to_string(i));
        issue("E" + std::to_string(i), i);
        cards.push_back(i);
    }
    const std::vector<std::string> names{"T1"};
    const auto change = must(store->add_to_blacklists(clerk, cards, names));
    ASSERT_EQ(change.batches.size(), 3u);
    EXPECT_EQ(change.batches[0].cards.size(), 76u);
    EXPECT_EQ(change.batches[1].cards.size(), 76u);
    EXPECT_EQ(change.batches[2].cards.size(), 48u);
    EXPECT_EQ(change.batches[1].base_version, change.batches[0].new_version);
    EXPECT_EQ(must(store->desired_blacklist(t1)).size(), 200u);
    // Adding what is already there writes nothing.
    EXPECT_TRUE(must(store->add_to_blacklists(clerk, cards, names)).batches.empty());
}

// Confirming a version confirms it and every earlier batch; unknown versions are refused.
TEST_P(Devices, confirmingAVersionConfirmsEarlierBatches) {
    add_person("E1");
    add_person("E2");
    issue("E1", 1);
    issue("E2", 2);
    const auto t1 = add_tcp_terminal("T1", 1502).id;
    must(store->report_loss(clerk, 1, PushTarget::all()));
    must(store->report_loss(clerk, 2, PushTarget::all()));
    const auto chain = must(store->batches(t1));
    ASSERT_EQ(chain.size(), 2u);
    EXPECT_EQ(store->confirm_version(t1, 123456).error().code, Errc::not_found);
    must(store->confirm_version(t1, chain[1].new_version));
    EXPECT_TRUE(must(store->pending_batches(t1)).empty());
    EXPECT_EQ(must(store->device(t1)).confirmed_version, chain[1].new_version);
    for (const auto& batch : must(store->batches(t1))) EXPECT_EQ(batch.state, BatchState::confirmed);
}

// A full sync carries the whole set at a fresh version and supersedes pending deltas.
TEST_P(Devices, fullSyncSupersedesPendingDeltas) {
    add_person("E1");
    add_person("E2");
    issue("E1", 1);
    issue("E2", 2);
    const auto t1 = add_tcp_terminal("T1", 1502).id;
    must(store->report_loss(clerk, 2, PushTarget::all()));
    must(store->report_loss(clerk, 1, PushTarget::all()));
    const auto full = must(store->plan_full_sync(t1));
    EXPECT_EQ(full.op, BatchOp::full);
    // The batch carries no cards: the sender sends the desired set as it is.
    EXPECT_TRUE(full.cards.empty());
    EXPECT_EQ(must(store->desired_blacklist(t1)), (std::vector<CardNo>{1, 2}));
    const auto pending = must(store->pending_batches(t1));
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].new_version, full.new_version);
    const auto chain = must(store->batches(t1));
    EXPECT_EQ(chain[0].state, BatchState::superseded);
    EXPECT_EQ(store->confirm_version(t1, chain[0].new_version).error().code, Errc::conflict);
    must(store->confirm_version(t1, full.new_version));
    EXPECT_EQ(must(store->device(t1)).confirmed_version, full.new_version);
}

// A loss to all is one row, whatever the number of terminals: no terminal
// holds a copy, and one registered later copies nothing (a list longer than
// one command is planned as one full batch without cards).
TEST_P(Devices, storeGrowsWithCardsNotWithTerminals) {
    for (int i = 1; i <= 3; ++i) add_tcp_terminal("T" + std::to_string(i), 1500 + i);
    std::vector<CardNo> cards;
    for (int i = 1; i <= 100; ++i) {
        add_person("E" + std::to_string(i));
        issue("E" + std::to_string(i), i);
        cards.push_back(i);
    }
    must(store->report_losses(clerk, LossReport{cards, PushTarget::all(), LossReason::lost}));
    auto db = connect();
    EXPECT_EQ(as_int(must(db->query("SELECT COUNT(*) FROM blacklist_all")).front()[0]), 100);
    EXPECT_EQ(as_int(must(db->query("SELECT COUNT(*) FROM terminal_exceptions")).front()[0]), 0);
    const auto t4 = add_tcp_terminal("T4", 1504).id;
    EXPECT_EQ(as_int(must(db->query("SELECT COUNT(*) FROM terminal_exceptions")).front()[0]), 0);
    const auto planned = must(store->batches(t4));
    ASSERT_EQ(planned.size(), 1u);
    EXPECT_EQ(planned[0].op, BatchOp::full);
    EXPECT_TRUE(planned[0].cards.empty());
    EXPECT_EQ(must(store->device(t4)).planned_version, planned[0].new_version);
    EXPECT_EQ(must(store->desired_blacklist(t4)), cards);
    EXPECT_TRUE(must(store->check_invariants()).empty());
}

// A terminal's own differences from the list everywhere: a loss pushed to one
// terminal is a plus row of its own; an unlock pushed to one terminal takes
// the card off the list and off that terminal, and the others keep refusing
// it by plus rows until they are pushed; a terminal registered later lacks it.
TEST_P(Devices, exceptionsKeepWhatEachTerminalWasTold) {
    const auto t1 = add_tcp_terminal("T1", 1501).id;
    const auto t2 = add_tcp_terminal("T2", 1502).id;
    const auto t3 = add_tcp_terminal("T3", 1503).id;
    add_person("E1");
    add_person("E2");
    issue("E1", 1);
    issue("E2", 2);
    must(store->report_loss(clerk, 1, PushTarget::named({"T1"})));
    EXPECT_EQ(must(store->desired_blacklist(t1)), std::vector<CardNo>{1});
    EXPECT_TRUE(must(store->desired_blacklist(t2)).empty());
    EXPECT_EQ(must(store->exceptions(t1)).plus, std::vector<CardNo>{1});

    must(store->report_loss(clerk, 2, PushTarget::all()));
    BlacklistChange change;
    must(store->unlock(clerk, 2, PushTarget::named({"T2"}), &change));
    ASSERT_EQ(change.batches.size(), 1u);
    EXPECT_EQ(change.batches[0].terminal_id, t2);
    EXPECT_EQ(change.batches[0].op, BatchOp::remove);
    EXPECT_EQ(must(store->desired_blacklist(t1)), (std::vector<CardNo>{1, 2}));
    EXPECT_TRUE(must(store->desired_blacklist(t2)).empty());
    EXPECT_EQ(must(store->desired_blacklist(t3)), std::vector<CardNo>{2});
    EXPECT_TRUE(must(store->everywhere()).cards->empty());
    const auto t4 = add_tcp_terminal("T4", 1504).id;
    EXPECT_TRUE(must(store->desired_blacklist(t4)).empty());
    EXPECT_TRUE(must(store->batches(t4)).empty());
    EXPECT_TRUE(must(store->check_invariants()).empty());

    // Lost again, to all: the plus rows give way to the list everywhere, and
    // only the terminals that lacked the card get a batch.
    change = {};
    must(store->report_loss(clerk, 2, PushTarget::all(), &change));
    std::set<DeviceId> changed;
    for (const auto& batch : change.batches) {
        if (batch.cards == std::vector<CardNo>{2} && batch.op == BatchOp::add) changed.insert(batch.terminal_id);
    }
    EXPECT_EQ(changed, (std::set<DeviceId>{t2, t4}));
    EXPECT_EQ(must(store->exceptions(t3)).plus, std::vector<CardNo>{});
    EXPECT_EQ(must(store->everywhere()).cards->size(), 1u);
    EXPECT_TRUE(must(store->check_invariants()).empty());
}

// Old confirmed batches go; the one at the confirmed version, the pending
// ones and the young ones stay.
TEST_P(Devices, pruningKeepsTheConfirmedVersionAndWhatIsPending) {
    for (int i = 1; i <= 3; ++i) {
        add_person("E" + std::to_string(i));
        issue("E" + std::to_string(i), i);
    }
    const auto t1 = add_tcp_terminal("T1", 1502).id;
    now = 1000;
    must(store->report_loss(clerk, 1, PushTarget::all()));
    must(store->report_loss(clerk, 2, PushTarget::all()));
    const auto confirmed = must(store->batches(t1)).back().new_version;
    must(store->confirm_version(t1, confirmed));
    now = 5000;
    must(store->report_loss(clerk, 3, PushTarget::all()));
    EXPECT_EQ(must(store->prune_batches(1001)), 1u);
    const auto left = must(store->batches(t1));
    ASSERT_EQ(left.size(), 2u);
    EXPECT_EQ(left[0].new_version, confirmed);
    EXPECT_EQ(left[1].state, BatchState::pending);
    EXPECT_EQ(must(store->prune_batches(1001)), 0u);
}

// The retry queue lives in the store: failures count up, survive a reopen, fall due, and clear on success.
TEST_P(Devices, retryQueueSurvivesAReopen) {
    const auto t1 = add_tcp_terminal("T1", 1502).id;
    const auto t2 = add_tcp_terminal("T2", 1503).id;
    now = 100;
    must(store->record_sync_failure(t1, "timeout after 1000 ms", 110));
    now = 105;
    must(store->record_sync_failure(t1, "connection refused", 130));
    must(store->record_sync_failure(t2, "busy", 200));
    store = reopen();
    const auto failed = must(store->device(t1));
    EXPECT_EQ(failed.sync_attempts, 2);
    EXPECT_EQ(failed.sync_error, "connection refused");
    EXPECT_EQ(failed.sync_failed_since, 100);
    EXPECT_EQ(failed.sync_next_at, 130);
    EXPECT_TRUE(must(store->due_retries(129)).empty());
    EXPECT_EQ(must(store->due_retries(130)), std::vector<store::DeviceId>{t1});
    EXPECT_EQ(must(store->due_retries(500)), (std::vector<store::DeviceId>{t1, t2}));
    must(store->record_sync_success(t1));
    const auto level = must(store->device(t1));
    EXPECT_EQ(level.sync_attempts, 0);
    EXPECT_FALSE(level.sync_error.has_value());
    EXPECT_FALSE(level.sync_next_at.has_value());
    EXPECT_EQ(must(store->due_retries(500)), std::vector<store::DeviceId>{t2});
}

}  // namespace
}  // namespace cardd::test
