// The journal of card writes, on both backends: an intent is committed
// with nothing else changed, applying it makes its store change and closes
// it in one transaction, dropping it changes nothing, an open intent blocks
// every other change of its card, and every refusal ends its transaction.

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <sstream>
#include <utility>
#include <vector>

#include "store/sql_connection.hpp"
#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::Card;
using store::CardContent;
using store::CardNo;
using store::CardState;
using store::Errc;
using store::IntentState;
using store::LedgerKind;
using store::PushTarget;
using store::WriteIntent;
using store::WriteKind;

/// A real connection whose next COMMIT fails (a full disk, a lost server):
/// the one failure the store cannot foresee after a card was written.
class CommitFailsOnce final : public store::SqlConnection {
public:
    explicit CommitFailsOnce(std::unique_ptr<store::SqlConnection> inner) : inner_(std::move(inner)) {}

    bool fail_next_commit = false;

    store::Dialect dialect() const noexcept override { return inner_->dialect(); }
    store::Result<std::uint64_t> execute(std::string_view sql, std::span<const store::Value> params) override {
        return inner_->execute(sql, params);
    }
    store::Result<std::vector<store::Row>> query(std::string_view sql, std::span<const store::Value> params) override {
        return inner_->query(sql, params);
    }
    std::int64_t last_insert_id() override { return inner_->last_insert_id(); }
    store::Result<void> begin() override { return inner_->begin(); }
    store::Result<void> commit() override {
        if (std::exchange(fail_next_commit, false)) return store::fail(Errc::storage, "disk full (test)");
        return inner_->commit();
    }
    store::Result<void> rollback() override { return inner_->rollback(); }

private:
    std::unique_ptr<store::SqlConnection> inner_;
};

/// Every field of a card on one line, so two cards compare as text.
std::string describe(const Card& card) {
    std::ostringstream out;
    out << "card " << card.card_no << " serial=" << card.serial << " holder=" << card.staff_no << '/' << card.name
        << '/' << card.department << " uid=" << card.uid.value_or("-") << " state=" << store::to_string(card.state)
        << " issued_at=" << card.issued_at << " closed_at=" << (card.closed_at ? std::to_string(*card.closed_at) : "-")
        << " replaced_by=" << (card.replaced_by ? std::to_string(*card.replaced_by) : "-")
        << " replaces=" << (card.replaces ? std::to_string(*card.replaces) : "-") << " balance=" << card.balance;
    return out.str();
}

class CardWrites : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        terminal = add_tcp_terminal("T1", 1502).id;
        add_person("E1", "Wang");
        add_person("E2", "Zhao");
        issue("E2", 20, 300);  // another holder's card, so a change that touches the wrong card shows
    }

    /// The store as its own connection sees it, through the domain API. snapshot()
    /// reads on a second connection and so sees committed rows only; this view
    /// would also show a transaction the failed write left open.
    std::string domain_view() {
        std::ostringstream out;
        for (const store::Person& person : must(store->people())) {
            out << "person " << person.staff_no << ' ' << person.name << ' ' << person.department
                << " card=" << (person.card_no ? std::to_string(*person.card_no) : "-") << '\n';
        }
        for (const Card& card : must(store->cards())) {
            out << describe(card) << " balance()=" << must(store->balance(card.card_no)) << '\n';
            for (const store::LedgerEntry& line : must(store->ledger(card.card_no))) {
                out << "  ledger " << line.id << ' ' << store::to_string(line.kind) << ' ' << line.amount << ' '
                    << line.cash << ' ' << line.at << '\n';
            }
        }
        for (const store::Loss& loss : must(store->losses({}))) {
            out << "loss " << loss.id << ' ' << loss.card_no << ' ' << store::to_string(loss.push)
                << " unlocked_at=" << (loss.unlocked_at ? std::to_string(*loss.unlocked_at) : "-") << '\n';
        }
        for (const store::BlacklistBatch& batch : must(store->batches(terminal))) {
            out << "batch " << batch.base_version << "->" << batch.new_version << ' ' << store::to_string(batch.op)
                << ' ' << store::to_string(batch.state) << " cards";
            for (CardNo card_no : batch.cards) out << ' ' << card_no;
            out << '\n';
        }
        out << "desired blacklist";
        for (CardNo card_no : must(store->desired_blacklist(terminal))) out << ' ' << card_no;
        out << "\nplanned version " << must(store->device(terminal)).planned_version << '\n';
        out << "audit lines " << must(store->audit_log(100000)).size() << '\n';
        return out.str();
    }

    /// Both views of the store, taken before a change.
    struct Before {
        std::string rows;
        std::string domain;
    };
    Before before() { return {snapshot(), domain_view()}; }

    void expect_invariants() { EXPECT_EQ(must(store->check_invariants()), std::vector<std::string>{}); }

    store::DeviceId terminal = 0;
};
INSTANTIATE_FOR_BOTH_BACKENDS(CardWrites);

/// A card's content as the daemon would describe it; the store keeps the blocks opaque.
CardContent content(std::string blocks, std::optional<store::Cents> balance, std::optional<std::int64_t> counter,
                    std::string keys = "card") {
    return CardContent{std::move(keys), std::move(blocks), balance, counter};
}

WriteIntent intent_for(WriteKind kind, CardNo card_no, store::Actor actor) {
    WriteIntent intent;
    intent.kind = kind;
    intent.card_no = card_no;
    intent.actor = actor;
    intent.uid = "0A0B0C" + std::to_string(card_no % 100);
    return intent;
}

/// The after-state function the daemon gives: here a fixed content.
std::function<CardContent(const WriteIntent&)> fixed(CardContent after) {
    return [after](const WriteIntent&) { return after; };
}

/// A top-up of card 20 by 150, from 300 with counter 4 to 450 with counter 5.
WriteIntent topup_of_20(store::Actor actor) {
    WriteIntent intent = intent_for(WriteKind::topup, 20, actor);
    intent.amount = 150;
    intent.before = content("aa", 300, 4);
    return intent;
}
const CardContent topped_up_20 = content("bb", 450, 5);

// A chip that holds a live card of the store (its money is in the ledger)
// is not written afresh: it is returned first. Any other chip may be, and
// asking changes nothing.
TEST_P(CardWrites, aChipHoldingALiveCardIsNotWrittenAfresh) {
    must(store->set_card_uid(clerk, 20, "C1A020"));
    const Before was = before();
    const auto active = store->check_chip_reusable(20, "C1A020");
    ASSERT_FALSE(active.has_value());
    EXPECT_EQ(active.error().code, Errc::conflict);
    EXPECT_EQ(active.error().message,
              "the card is card 20 of E2 Zhao, still active; return it first (cardctl card return 20 --wipe), or "
              "place a blank card");
    EXPECT_TRUE(store->check_chip_reusable(20, "0BE4").has_value()) << "a copy of card 20 on another chip";
    EXPECT_TRUE(store->check_chip_reusable(777, "C1A020").has_value()) << "a card the store never issued";
    EXPECT_EQ(snapshot(), was.rows);

    must(store->report_loss(clerk, 20, PushTarget{}));
    const auto lost = store->check_chip_reusable(20, "C1A020");
    ASSERT_FALSE(lost.has_value());
    EXPECT_NE(lost.error().message.find("still lost"), std::string::npos) << lost.error().message;

    must(store->unlock(clerk, 20, PushTarget{}));
    must(store->return_card(clerk, 20, true));
    EXPECT_TRUE(store->check_chip_reusable(20, "C1A020").has_value()) << "a returned card's chip is free";
}

// Opening an intent commits it and nothing else: no ledger line, no audit
// line, the balance unchanged; the intent carries both states and the caller.
TEST_P(CardWrites, openingAnIntentChangesNothingButTheJournal) {
    const std::string was = domain_view();
    const WriteIntent opened = must(store->open_write(topup_of_20(clerk), fixed(topped_up_20)));
    EXPECT_GT(opened.id, 0);
    EXPECT_EQ(opened.state, IntentState::open);
    EXPECT_EQ(opened.created_at, now);
    EXPECT_EQ(domain_view(), was);
    const auto other = reopen();
    const auto open = must(other->open_writes());
    ASSERT_EQ(open.size(), 1u);
    EXPECT_EQ(open[0].id, opened.id);
    EXPECT_EQ(open[0].kind, WriteKind::topup);
    EXPECT_EQ(open[0].actor.uid, clerk.uid);
    EXPECT_EQ(open[0].amount, 150);
    EXPECT_EQ(open[0].before, content("aa", 300, 4));
    EXPECT_EQ(open[0].after, topped_up_20);
    EXPECT_EQ(must(other->balance(20)), 300);
    expect_invariants();
}

// Applying makes the store change and closes the intent in one transaction.
TEST_P(CardWrites, applyingAnIntentMakesItsChangeAndClosesIt) {
    const WriteIntent opened = must(store->open_write(topup_of_20(clerk), fixed(topped_up_20)));
    now += 5;
    const store::AppliedWrite applied = must(store->apply_write(opened.id, "written"));
    ASSERT_TRUE(applied.card.has_value());
    EXPECT_EQ(applied.card->balance, 450);
    EXPECT_EQ(applied.intent.state, IntentState::applied);
    const auto other = reopen();
    EXPECT_EQ(must(other->balance(20)), 450);
    const WriteIntent closed = must(other->write_intent(opened.id));
    EXPECT_EQ(closed.state, IntentState::applied);
    EXPECT_EQ(closed.closed_at, now);
    EXPECT_EQ(closed.resolution, "written");
    EXPECT_TRUE(must(other->open_writes()).empty());
    const auto ledger = must(other->ledger(20));
    ASSERT_FALSE(ledger.empty());
    EXPECT_EQ(ledger.back().kind, LedgerKind::topup);
    EXPECT_EQ(ledger.back().amount, 150);
    EXPECT_EQ(ledger.back().cash, 150);
    // An intent is applied once.
    const auto again = store->apply_write(opened.id, "written");
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, Errc::conflict);
    EXPECT_EQ(must(other->balance(20)), 450);
    expect_invariants();
}

// Dropping closes the intent and changes nothing else but an audit line.
TEST_P(CardWrites, droppingAnIntentChangesNothingElse) {
    const std::string was = domain_view();
    const WriteIntent opened = must(store->open_write(topup_of_20(clerk), fixed(topped_up_20)));
    const WriteIntent dropped = must(store->drop_write(opened.id, "the card was not written"));
    EXPECT_EQ(dropped.state, IntentState::dropped);
    EXPECT_EQ(must(store->balance(20)), 300);
    EXPECT_TRUE(must(store->open_writes()).empty());
    EXPECT_EQ(must(store->audit_log(1)).front().action, "card.write_dropped");
    // The card is free for the next write.
    EXPECT_TRUE(store->open_write(topup_of_20(clerk), fixed(topped_up_20)).has_value());
    (void)was;
    expect_invariants();
}

// While a write of a card is open, every other change of that card is
// refused with a message that says why and what to do; a loss report is not
// (a lost card is money walking away).
TEST_P(CardWrites, anOpenIntentBlocksEveryOtherChangeOfItsCard) {
    const WriteIntent opened = must(store->open_write(topup_of_20(clerk), fixed(topped_up_20)));
    const auto expect_blocked = [](const auto& result, const char* what) {
        ASSERT_FALSE(result.has_value()) << what;
        EXPECT_EQ(result.error().code, Errc::conflict) << what;
        EXPECT_NE(result.error().message.find("cardctl pending"), std::string::npos) << result.error().message;
    };
    const std::string was = snapshot();
    expect_blocked(store->open_write(topup_of_20(clerk), fixed(topped_up_20)), "a second top-up intent");
    expect_blocked(store->rehearse_write(topup_of_20(clerk)), "a rehearsal");
    expect_blocked(store->top_up(clerk, 20, 100), "a top-up");
    expect_blocked(store->refund(clerk, 20, 100), "a refund");
    expect_blocked(store->refund_close(clerk, 20), "a refund and close");
    expect_blocked(store->return_card(clerk, 20, true), "a return");
    expect_blocked(store->set_card_uid(clerk, 20, "DEADBEEF"), "a new UID");
    WriteIntent same_chip = intent_for(WriteKind::init, 0, clerk);
    same_chip.uid = opened.uid;
    expect_blocked(store->open_write(same_chip, fixed(content("", std::nullopt, std::nullopt, "transport"))),
                   "another write of the same chip");
    EXPECT_EQ(snapshot(), was);
    // Still served: the loss, and the next request on the same connection.
    EXPECT_TRUE(store->report_loss(clerk, 20, PushTarget::all()).has_value());
    EXPECT_EQ(must(store->balance(20)), 300);
    // Applied after the loss, the top-up follows the card, which holds it.
    EXPECT_EQ(must(store->apply_write(opened.id, "written")).card->balance, 450);
    expect_invariants();
}

// A new card's serial is reserved when its intent opens, and the after-state
// function sees it, since the serial is written on the card before the card
// row exists; the card then has that serial and the intent's time.
TEST_P(CardWrites, issueReservesTheSerialTheCardIsWrittenWith) {
    WriteIntent asked = intent_for(WriteKind::issue, 10, clerk);
    asked.person.staff_no = "E1";
    asked.opening = 500;
    asked.cost = 200;
    asked.before = content("00", std::nullopt, std::nullopt, "transport");
    std::int64_t seen_serial = 0;
    const WriteIntent opened = must(store->open_write(asked, [&](const WriteIntent& intent) {
        seen_serial = intent.serial;
        return content("serial " + std::to_string(intent.serial), 500, 1);
    }));
    EXPECT_GT(seen_serial, must(store->card(20)).serial);
    EXPECT_EQ(opened.serial, seen_serial);
    EXPECT_FALSE(store->card(10).has_value());
    // The holder and the number are taken by the open intent.
    WriteIntent other = asked;
    other.card_no = 11;
    other.uid = "11111111";
    const auto refused = store->open_write(other, fixed(content("x", 0, 1)));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::conflict);
    now += 60;
    const Card card = *must(store->apply_write(opened.id, "written")).card;
    EXPECT_EQ(card.serial, seen_serial);
    EXPECT_EQ(card.issued_at, opened.created_at);
    EXPECT_EQ(card.uid, asked.uid);
    EXPECT_EQ(card.balance, 500);
    EXPECT_EQ(must(store->person("E1")).card_no, 10);
    expect_invariants();
}

// Onboarding: the person and the card appear together, at apply only.
TEST_P(CardWrites, onboardingCreatesThePersonOnlyWhenApplied) {
    WriteIntent asked = intent_for(WriteKind::onboard, 30, clerk);
    asked.person = {"E9", "Li Si", "Kitchen"};
    asked.before = content("00", std::nullopt, std::nullopt, "transport");
    const WriteIntent opened = must(store->open_write(asked, fixed(content("new", 0, 1))));
    EXPECT_FALSE(store->person("E9").has_value());
    const WriteIntent dropped = must(store->drop_write(opened.id, "not written"));
    (void)dropped;
    EXPECT_FALSE(store->person("E9").has_value());
    const WriteIntent again = must(store->open_write(asked, fixed(content("new", 0, 1))));
    must(store->apply_write(again.id, "written"));
    EXPECT_EQ(must(store->person("E9")).card_no, 30);
    expect_invariants();
}

// A rule that fails when the intent would open changes nothing, and the
// next request on the same connection works: the transaction was ended.
TEST_P(CardWrites, aRefusedIntentEndsItsTransaction) {
    const std::string was = snapshot();
    WriteIntent too_much = topup_of_20(clerk);
    too_much.amount = store::max_card_balance;
    const auto refused = store->open_write(too_much, fixed(topped_up_20));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::invalid_argument);
    EXPECT_EQ(snapshot(), was);
    EXPECT_EQ(must(store->top_up(clerk, 20, 100)).balance, 400);
    expect_invariants();
}

/// Card 20 with purchases collected beyond its ledger balance: -200.
void drive_negative(store::CardStore& store, store::DeviceId terminal, store::UnixTime now) {
    must(store.set_terminal_serial(terminal, 7001));
    const store::TransactionRecord purchase{1, 20, 500, 0, now, 3, store::RecordKind::purchase};
    must(store.store_records(terminal, std::span(&purchase, 1)));
}

// A negative ledger balance at replacement means the card and the ledger
// disagree: the replacement is refused plainly, nothing changes, and the
// next request works (on SQLite a transaction left open would refuse it,
// on MariaDB commit the refused change).
TEST_P(CardWrites, replacingACardWithANegativeBalanceIsRefusedPlainly) {
    drive_negative(*store, terminal, now);
    ASSERT_EQ(must(store->balance(20)), -200);
    must(store->report_loss(clerk, 20, PushTarget::all()));
    const std::string was = snapshot();
    WriteIntent replace = intent_for(WriteKind::replace, 21, clerk);
    replace.old_card_no = 20;
    const auto refused = store->open_write(replace, fixed(content("new", 0, 1)));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Errc::conflict);
    EXPECT_NE(refused.error().message.find("negative ledger balance of -2.00"), std::string::npos)
        << refused.error().message;
    EXPECT_NE(refused.error().message.find("Nothing was changed"), std::string::npos);
    EXPECT_EQ(snapshot(), was);
    const auto immediate = store->replace_card(clerk, 20, 21, {});
    ASSERT_FALSE(immediate.has_value());
    EXPECT_EQ(snapshot(), was);
    // The next requests are served: refused by their own rule, or done.
    const auto lost_topup = store->top_up(clerk, 20, 100);
    ASSERT_FALSE(lost_topup.has_value());
    EXPECT_EQ(lost_topup.error().code, Errc::conflict) << lost_topup.error().message;
    EXPECT_TRUE(store->add_person(clerk, {"E5", "Next", ""}).has_value());
    expect_invariants();
}

// An administrator's write-off brings the balance to zero in the ledger,
// under their uid, and the replacement carries nothing.
TEST_P(CardWrites, aWriteOffIsKeptInTheLedgerWithWhoMadeIt) {
    drive_negative(*store, terminal, now);
    must(store->report_loss(clerk, 20, PushTarget::all()));
    const store::Actor admin{0};
    WriteIntent replace = intent_for(WriteKind::replace, 21, admin);
    replace.old_card_no = 20;
    replace.write_off = true;
    const WriteIntent opened = must(store->open_write(replace, fixed(content("new", 0, 1))));
    const store::AppliedWrite applied = must(store->apply_write(opened.id, "written"));
    EXPECT_EQ(applied.written_off, 200);
    EXPECT_EQ(applied.card->balance, 0);
    EXPECT_EQ(must(store->balance(20)), 0);
    bool found = false;
    for (const auto& line : must(store->ledger(20))) {
        if (line.kind != LedgerKind::write_off) continue;
        found = true;
        EXPECT_EQ(line.amount, 200);
        EXPECT_EQ(line.cash, 0);
        EXPECT_EQ(line.by_uid, admin.uid);
    }
    EXPECT_TRUE(found);
    EXPECT_EQ(must(store->desired_blacklist(terminal)), std::vector<CardNo>{20});
    expect_invariants();
}

// Closing a card the card centre did not wipe leaves a card that still holds
// money: it goes on every terminal's blacklist. A journaled close wipes the
// card, so it does not.
TEST_P(CardWrites, aCloseWithoutAWipeBlacklistsTheCardEverywhere) {
    issue("E1", 10, 700);
    store::BlacklistChange change;
    const Card closed = must(store->refund_close(clerk, 10, &change));
    EXPECT_EQ(closed.state, CardState::returned);
    EXPECT_EQ(closed.balance, 0);
    EXPECT_EQ(must(store->desired_blacklist(terminal)), std::vector<CardNo>{10});
    EXPECT_EQ(change.batches.size(), 1u);

    store::BlacklistChange returned;
    must(store->return_card(clerk, 20, false, &returned));
    EXPECT_EQ(must(store->desired_blacklist(terminal)), (std::vector<CardNo>{10, 20}));

    add_person("E3", "Sun");
    issue("E3", 30, 900);
    WriteIntent wipe = intent_for(WriteKind::refund_close, 30, clerk);
    wipe.before = content("card", 900, 2);
    const WriteIntent opened =
        must(store->open_write(wipe, fixed(content("00", std::nullopt, std::nullopt, "transport"))));
    const store::AppliedWrite applied = must(store->apply_write(opened.id, "wiped"));
    EXPECT_EQ(applied.refunded, 900);
    EXPECT_TRUE(applied.change.batches.empty());
    EXPECT_EQ(must(store->desired_blacklist(terminal)), (std::vector<CardNo>{10, 20}));
    EXPECT_EQ(must(store->balance(30)), 0);
    expect_invariants();
}

// A terminal record read the card with a counter and a balance: matching the
// state after the write, the intent is applied; matching the state before,
// it is dropped. Other records decide nothing.
TEST_P(CardWrites, aTerminalRecordSettlesAnOpenWrite) {
    must(store->set_terminal_serial(terminal, 7001));
    const WriteIntent first = must(store->open_write(topup_of_20(clerk), fixed(topped_up_20)));
    // Read with counter 3: a purchase from before the write, which decides nothing.
    const store::TransactionRecord older{1, 20, 10, 290, now, 3, store::RecordKind::purchase};
    EXPECT_TRUE(must(store->store_records(terminal, std::span(&older, 1))).settled.empty());
    EXPECT_EQ(must(store->open_writes()).size(), 1u);
    // Read with 450 and counter 5: the card holds the top-up.
    const store::TransactionRecord after{2, 20, 50, 400, now, 5, store::RecordKind::purchase};
    const auto outcome = must(store->store_records(terminal, std::span(&after, 1)));
    ASSERT_EQ(outcome.settled.size(), 1u);
    EXPECT_EQ(outcome.settled[0].id, first.id);
    EXPECT_EQ(outcome.settled[0].state, IntentState::applied);
    // 300 - 10 + 150 - 50
    EXPECT_EQ(must(store->balance(20)), 390);

    WriteIntent second = topup_of_20(clerk);
    second.before = content("cc", 400, 6);
    const WriteIntent opened = must(store->open_write(second, fixed(content("dd", 550, 7))));
    // Read with 400 and counter 6: the write never reached the card.
    const store::TransactionRecord before{3, 20, 100, 300, now, 6, store::RecordKind::purchase};
    const auto dropped = must(store->store_records(terminal, std::span(&before, 1)));
    ASSERT_EQ(dropped.settled.size(), 1u);
    EXPECT_EQ(dropped.settled[0].id, opened.id);
    EXPECT_EQ(dropped.settled[0].state, IntentState::dropped);
    EXPECT_EQ(must(store->balance(20)), 290);
    expect_invariants();
}

// A rule written as a throw (the card layout refusing a value) inside the
// intent's transaction ends it: nothing is kept and the next request works.
TEST_P(CardWrites, anExceptionInsideAnIntentEndsItsTransaction) {
    const std::string was = snapshot();
    EXPECT_THROW(store->open_write(topup_of_20(clerk),
                                   [](const WriteIntent&) -> CardContent { throw std::invalid_argument("layout"); }),
                 std::invalid_argument);
    EXPECT_EQ(snapshot(), was);
    EXPECT_TRUE(must(store->open_writes()).empty());
    EXPECT_EQ(must(store->top_up(clerk, 20, 100)).balance, 400);
    expect_invariants();
}

// A returned card that was not wiped is on every blacklist; initialising
// (wiping) its chip takes it off again.
TEST_P(CardWrites, wipingAReturnedCardTakesItOffTheBlacklists) {
    must(store->set_card_uid(clerk, 20, "0A0B0C20"));
    must(store->return_card(clerk, 20, true));
    ASSERT_EQ(must(store->desired_blacklist(terminal)), std::vector<CardNo>{20});
    WriteIntent init = intent_for(WriteKind::init, 0, clerk);
    init.uid = "0A0B0C20";
    const WriteIntent opened =
        must(store->open_write(init, fixed(content("00", std::nullopt, std::nullopt, "transport"))));
    const store::AppliedWrite applied = must(store->apply_write(opened.id, "wiped"));
    EXPECT_EQ(applied.change.batches.size(), 1u);
    EXPECT_EQ(must(store->desired_blacklist(terminal)), std::vector<CardNo>{});
    expect_invariants();
}

// A COMMIT that fails while applying leaves the intent open and the store as
// it was; applying again later succeeds. The card already holds the write,
// so nothing is undone on it: the journal keeps the debt.
TEST_P(CardWrites, aFailedCommitAtApplyKeepsTheIntentOpen) {
    auto connection = std::make_unique<CommitFailsOnce>(connect());
    CommitFailsOnce& flaky = *connection;
    const auto flaky_store = must(store::CardStore::open(std::move(connection), [this] { return now; }));
    const WriteIntent opened = must(flaky_store->open_write(topup_of_20(clerk), fixed(topped_up_20)));
    const std::string was = snapshot();
    flaky.fail_next_commit = true;
    const auto failed = flaky_store->apply_write(opened.id, "written");
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(failed.error().code, Errc::storage);
    EXPECT_EQ(snapshot(), was);
    EXPECT_EQ(must(flaky_store->open_writes()).size(), 1u);
    EXPECT_EQ(must(flaky_store->apply_write(opened.id, "written")).card->balance, 450);
    expect_invariants();
}

}  // namespace
}  // namespace cardd::test
