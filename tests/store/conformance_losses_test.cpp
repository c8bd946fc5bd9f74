// Loss reports, unlocks, replacements and what each terminal must refuse, on both backends.

#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::BatchOp;
using store::CardNo;
using store::CardState;
using store::Errc;
using store::PushTarget;

using Cards = std::vector<CardNo>;

class Losses : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        t1 = add_tcp_terminal("T1", 1502).id;
        t2 = add_tcp_terminal("T2", 1503).id;
        for (int i = 1; i <= 4; ++i) {
            add_person("E" + std::to_string(i));
            issue("E" + std::to_string(i), 100 + i, 1000 * i);
        }
    }
    Cards refused_by(store::DeviceId terminal) { return must(store->desired_blacklist(terminal)); }

    store::DeviceId t1 = 0;
    store::DeviceId t2 = 0;
};
INSTANTIATE_FOR_BOTH_BACKENDS(Losses);

// A loss without a push is recorded in the database only: no terminal's set changes, no batch is written.
TEST_P(Losses, lossWithoutPushChangesNoTerminal) {
    store::BlacklistChange change;
    const auto loss = must(store->report_loss(clerk, 101, PushTarget::none(), &change));
    EXPECT_EQ(loss.push, PushTarget::Scope::none);
    EXPECT_EQ(must(store->card(101)).state, CardState::lost);
    EXPECT_TRUE(change.batches.empty());
    EXPECT_TRUE(refused_by(t1).empty());
    EXPECT_TRUE(must(store->batches(t1)).empty());
}

// A loss pushed to all reaches every terminal, and a terminal added later too.
TEST_P(Losses, lossPushedToAllReachesEveryTerminalIncludingLaterOnes) {
    store::BlacklistChange change;
    must(store->report_loss(clerk, 101, PushTarget::all(), &change));
    EXPECT_EQ(refused_by(t1), Cards{101});
    EXPECT_EQ(refused_by(t2), Cards{101});
    ASSERT_EQ(change.batches.size(), 2u);
    EXPECT_EQ(change.batches[0].op, BatchOp::add);
    EXPECT_EQ(change.batches[0].cards, Cards{101});
    const auto t3 = add_tcp_terminal("T3", 1504).id;
    EXPECT_EQ(refused_by(t3), Cards{101});
    ASSERT_EQ(must(store->pending_batches(t3)).size(), 1u);
}

// A loss pushed to named terminals reaches those only, and not a terminal added later.
TEST_P(Losses, lossPushedToNamedTerminalsReachesOnlyThose) {
    const auto loss = must(store->report_loss(clerk, 102, PushTarget::named({"T2"})));
    EXPECT_EQ(loss.terminals, std::vector<std::string>{"T2"});
    EXPECT_TRUE(refused_by(t1).empty());
    EXPECT_EQ(refused_by(t2), Cards{102});
    EXPECT_TRUE(refused_by(add_tcp_terminal("T3", 1504).id).empty());
}

// A push to an unknown terminal, or a loss of a card that is not active, is refused and changes nothing.
TEST_P(Losses, badLossRequestsAreRefused) {
    const std::string before = snapshot();
    auto unknown = store->report_loss(clerk, 101, PushTarget::named({"T1", "nope"}));
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, Errc::not_found);
    EXPECT_NE(unknown.error().message.find("nope"), std::string::npos);
    EXPECT_EQ(store->report_loss(clerk, 999, PushTarget::all()).error().code, Errc::not_found);
    EXPECT_EQ(snapshot(), before);
    must(store->report_loss(clerk, 101, PushTarget::none()));
    const std::string lost = snapshot();
    EXPECT_EQ(store->report_loss(clerk, 101, PushTarget::all()).error().code, Errc::conflict);
    EXPECT_EQ(snapshot(), lost);
}

// Unlock with a push removes the entry from the chosen terminals; the others keep refusing the card.
TEST_P(Losses, unlockWithPushRemovesTheEntryFromChosenTerminals) {
    must(store->report_loss(clerk, 101, PushTarget::all()));
    store::BlacklistChange change;
    const auto unlocked = must(store->unlock(clerk, 101, PushTarget::named({"T1"}), &change));
    EXPECT_TRUE(unlocked.unlocked_at.has_value());
    EXPECT_EQ(unlocked.unlock_push, PushTarget::Scope::named);
    EXPECT_EQ(must(store->card(101)).state, CardState::active);
    EXPECT_TRUE(refused_by(t1).empty());
    EXPECT_EQ(refused_by(t2), Cards{101});
    ASSERT_EQ(change.batches.size(), 1u);
    EXPECT_EQ(change.batches[0].op, BatchOp::remove);
    // A card usable again is not taught to terminals added from now on.
    EXPECT_TRUE(refused_by(add_tcp_terminal("T3", 1504).id).empty());
}

// Unlock without a push changes the database only; every terminal still refuses the card.
TEST_P(Losses, unlockWithoutPushLeavesTerminalsAsTheyWere) {
    must(store->report_loss(clerk, 101, PushTarget::all()));
    must(store->unlock(clerk, 101, PushTarget::none()));
    EXPECT_EQ(refused_by(t1), Cards{101});
    EXPECT_EQ(refused_by(t2), Cards{101});
    EXPECT_EQ(store->unlock(clerk, 101, PushTarget::none()).error().code, Errc::conflict);
}

// Losses are found by date range and by card serial, open and unlocked alike.
TEST_P(Losses, lossesAreFoundByDateRangeAndSerial) {
    now = 1000;
    must(store->report_loss(clerk, 101, PushTarget::none()));
    now = 2000;
    must(store->report_loss(clerk, 102, PushTarget::named({"T1", "T2"})));
    now = 3000;
    must(store->report_loss(clerk, 103, PushTarget::none()));
    must(store->unlock(clerk, 103, PushTarget::none()));

    const auto in_range = must(store->losses({1500, 3000, std::nullopt, false}));
    ASSERT_EQ(in_range.size(), 2u);
    EXPECT_EQ(in_range[0].card_no, 102);
    EXPECT_EQ(in_range[0].terminals, (std::vector<std::string>{"T1", "T2"}));
    EXPECT_EQ(in_range[1].card_no, 103);
    EXPECT_TRUE(in_range[1].unlocked_at.has_value());

    const auto open = must(store->losses({std::nullopt, std::nullopt, std::nullopt, true}));
    EXPECT_EQ(open.size(), 2u);

    const auto by_serial = must(store->losses({std::nullopt, std::nullopt, must(store->card(101)).serial, false}));
    ASSERT_EQ(by_serial.size(), 1u);
    EXPECT_EQ(by_serial[0].card_no, 101);
    EXPECT_EQ(by_serial[0].reported_at, 1000);
    EXPECT_EQ(by_serial[0].reported_by, clerk.uid);
}

// Replacing a card that is not lost is refused and changes nothing.
TEST_P(Losses, replacingACardThatIsNotLostIsRefused) {
    const std::string before = snapshot();
    auto refused = store->replace_card(clerk, 101, 201, {});
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::conflict);
    EXPECT_NE(refused.error().message.find("lost"), std::string::npos);
    EXPECT_EQ(snapshot(), before);
}

// Replacement gives a new number, carries the balance and leaves the old card blacklisted on every terminal.
TEST_P(Losses, replacementCarriesTheBalanceAndKeepsTheOldCardBlacklisted) {
    must(store->report_loss(clerk, 102, PushTarget::named({"T1"})));
    const std::string before = snapshot();
    EXPECT_EQ(store->replace_card(clerk, 102, 102, {}).error().code, Errc::invalid_argument);
    EXPECT_EQ(store->replace_card(clerk, 102, 101, {}).error().code, Errc::conflict);  // number in use
    EXPECT_EQ(store->replace_card(clerk, 102, 600000, {}).error().code, Errc::invalid_argument);
    EXPECT_EQ(snapshot(), before);

    const auto fresh = must(store->replace_card(clerk, 102, 202, {0, 500, std::nullopt}));
    EXPECT_EQ(fresh.balance, 2000);
    EXPECT_EQ(fresh.replaces, 102);
    EXPECT_EQ(fresh.staff_no, "E2");
    const auto old = must(store->card(102));
    EXPECT_EQ(old.state, CardState::replaced);
    EXPECT_EQ(old.replaced_by, 202);
    EXPECT_EQ(old.balance, 0);
    EXPECT_EQ(must(store->person("E2")).card_no, 202);
    EXPECT_EQ(refused_by(t1), Cards{102});
    EXPECT_EQ(refused_by(t2), Cards{102});
    EXPECT_EQ(refused_by(add_tcp_terminal("T3", 1504).id), Cards{102});
    EXPECT_TRUE(must(store->check_invariants()).empty());
}

// The seed's "resend failed card numbers": chosen cards onto chosen terminals.
TEST_P(Losses, chosenCardsCanBeAddedToChosenTerminals) {
    const std::vector<std::string> names{"T2"};
    const Cards cards{103, 101};
    const auto change = must(store->add_to_blacklists(clerk, cards, names));
    ASSERT_EQ(change.batches.size(), 1u);
    EXPECT_EQ(change.batches[0].cards, (Cards{101, 103}));
    EXPECT_EQ(refused_by(t2), (Cards{101, 103}));
    EXPECT_TRUE(refused_by(t1).empty());
    const Cards unknown{101, 999};
    const std::string before = snapshot();
    EXPECT_EQ(store->add_to_blacklists(clerk, unknown, names).error().code, Errc::not_found);
    EXPECT_EQ(snapshot(), before);
}

}  // namespace
}  // namespace cardd::test
