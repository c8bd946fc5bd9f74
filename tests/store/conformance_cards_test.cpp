// Issuing, money and closing cards, on both backends.

#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::CardState;
using store::Errc;
using store::LedgerKind;

class Cards : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        add_person("E1", "Wang");
        add_person("E2", "Zhao");
    }

    /// Expects `result` to be refused with `code` and the store to be as it was.
    template <class T>
    void expect_refused(const std::string& before, const store::Result<T>& result, Errc code) {
        ASSERT_FALSE(result.has_value());
        EXPECT_EQ(result.error().code, code) << result.error().message;
        EXPECT_FALSE(result.error().message.empty());
        EXPECT_EQ(snapshot(), before);
    }
};
INSTANTIATE_FOR_BOTH_BACKENDS(Cards);

// Issue writes the opening amount and the card cost to the ledger; the balance is the opening amount only.
TEST_P(Cards, issueRecordsOpeningAndCardCost) {
    const store::Card card = must(store->issue_card(clerk, "E1", 1001, {5000, 1000, std::nullopt}));
    EXPECT_EQ(card.card_no, 1001);
    EXPECT_EQ(card.state, CardState::active);
    EXPECT_EQ(card.staff_no, "E1");
    EXPECT_EQ(card.balance, 5000);
    const auto ledger = must(store->ledger(1001));
    ASSERT_EQ(ledger.size(), 2u);
    EXPECT_EQ(ledger[0].kind, LedgerKind::opening);
    EXPECT_EQ(ledger[0].amount, 5000);
    EXPECT_EQ(ledger[0].cash, 5000);
    EXPECT_EQ(ledger[1].kind, LedgerKind::card_cost);
    EXPECT_EQ(ledger[1].amount, 0);
    EXPECT_EQ(ledger[1].cash, 1000);
    EXPECT_EQ(must(store->person("E1")).card_no, 1001);
}

// Card serials are assigned by the store, increasing.
TEST_P(Cards, serialsAreAssignedInOrder) {
    const auto first = issue("E1", 7);
    const auto second = issue("E2", 3);
    EXPECT_GT(first.serial, 0);
    EXPECT_GT(second.serial, first.serial);
}

// Card numbers 0, 500001 and 1234567 are refused and change nothing.
TEST_P(Cards, cardNumbersOutOfRangeAreRefused) {
    const std::string before = snapshot();
    for (store::CardNo bad : {store::CardNo{0}, store::CardNo{-5}, store::CardNo{500001}, store::CardNo{1234567}}) {
        expect_refused(before, store->issue_card(clerk, "E1", bad, {}), Errc::invalid_argument);
    }
    EXPECT_TRUE(store->issue_card(clerk, "E1", 500000, {}).has_value());
}

// A person holds one live card; a second one is refused until the first is closed.
TEST_P(Cards, secondLiveCardForOnePersonIsRefused) {
    issue("E1", 10);
    expect_refused(snapshot(), store->issue_card(clerk, "E1", 11, {}), Errc::conflict);
    must(store->report_loss(clerk, 10, store::PushTarget::none()));
    expect_refused(snapshot(), store->issue_card(clerk, "E1", 11, {}), Errc::conflict);
    must(store->unlock(clerk, 10, store::PushTarget::none()));
    must(store->return_card(clerk, 10, true));
    EXPECT_EQ(issue("E1", 11).state, CardState::active);
}

// A number issued once is never issued again, even after its card was returned.
TEST_P(Cards, cardNumbersAreNeverReused) {
    issue("E1", 10);
    must(store->return_card(clerk, 10, true));
    expect_refused(snapshot(), store->issue_card(clerk, "E2", 10, {}), Errc::conflict);
}

// Issuing to an unknown person, or with a negative amount, is refused.
TEST_P(Cards, issueWithBadArgumentsIsRefused) {
    const std::string before = snapshot();
    expect_refused(before, store->issue_card(clerk, "nobody", 10, {}), Errc::not_found);
    expect_refused(before, store->issue_card(clerk, "E1", 10, {-1, 0, std::nullopt}), Errc::invalid_argument);
    expect_refused(before, store->issue_card(clerk, "E1", 10, {0, -100, std::nullopt}), Errc::invalid_argument);
}

// Onboarding creates the person and the card together, or neither.
TEST_P(Cards, onboardingIsAllOrNothing) {
    const auto card = must(store->onboard(clerk, {"E9", "赵六", "Kitchen"}, 900, {200, 0, std::nullopt}));
    EXPECT_EQ(card.name, "赵六");
    EXPECT_EQ(card.balance, 200);
    // The person is valid but the card number is taken: no person may be left behind.
    expect_refused(snapshot(), store->onboard(clerk, {"E10", "Qian", ""}, 900, {}), Errc::conflict);
    EXPECT_EQ(store->person("E10").error().code, Errc::not_found);
}

// Top-ups add to the balance; zero, negative and above-limit amounts and closed or lost cards are refused.
TEST_P(Cards, topUpAddsAndRefusesBadAmounts) {
    issue("E1", 10, 100);
    EXPECT_EQ(must(store->top_up(clerk, 10, 2550)).balance, 2650);
    const std::string before = snapshot();
    expect_refused(before, store->top_up(clerk, 10, -500), Errc::invalid_argument);
    expect_refused(before, store->top_up(clerk, 10, 0), Errc::invalid_argument);
    expect_refused(before, store->top_up(clerk, 10, store::max_card_balance), Errc::invalid_argument);
    expect_refused(before, store->top_up(clerk, 99, 100), Errc::not_found);
    must(store->report_loss(clerk, 10, store::PushTarget::none()));
    expect_refused(snapshot(), store->top_up(clerk, 10, 100), Errc::conflict);
}

// A refund takes cash out up to the balance, never beyond.
TEST_P(Cards, refundBeyondTheBalanceIsRefused) {
    issue("E1", 10, 1000);
    EXPECT_EQ(must(store->refund(clerk, 10, 400)).balance, 600);
    const std::string before = snapshot();
    expect_refused(before, store->refund(clerk, 10, 601), Errc::invalid_argument);
    expect_refused(before, store->refund(clerk, 10, -1), Errc::invalid_argument);
    EXPECT_EQ(must(store->refund(clerk, 10, 600)).balance, 0);
}

// Refund and close pays the whole balance back and frees the person for a new card.
TEST_P(Cards, refundCloseEmptiesAndClosesTheCard) {
    issue("E1", 10, 1234);
    const auto closed = must(store->refund_close(clerk, 10));
    EXPECT_EQ(closed.state, CardState::returned);
    EXPECT_EQ(closed.balance, 0);
    EXPECT_TRUE(closed.closed_at.has_value());
    const auto ledger = must(store->ledger(10));
    ASSERT_EQ(ledger.back().kind, LedgerKind::refund);
    EXPECT_EQ(ledger.back().cash, -1234);
    EXPECT_FALSE(must(store->person("E1")).card_no.has_value());
    expect_refused(snapshot(), store->refund_close(clerk, 10), Errc::conflict);
}

// Refund-closing a lost card blacklists it on every terminal: the refunded money must not be spendable.
TEST_P(Cards, refundCloseOfALostCardBlacklistsItEverywhere) {
    const auto terminal = add_tcp_terminal("T1", 1502);
    issue("E1", 10, 500);
    must(store->report_loss(clerk, 10, store::PushTarget::none()));
    store::BlacklistChange change;
    must(store->refund_close(clerk, 10, &change));
    EXPECT_EQ(must(store->desired_blacklist(terminal.id)), std::vector<store::CardNo>{10});
    EXPECT_EQ(change.batches.size(), 1u);
}

// A returned card keeps or refunds its balance as asked; only an active card can be returned.
TEST_P(Cards, returnRefundsOnlyWhenAsked) {
    issue("E1", 10, 700);
    issue("E2", 20, 300);
    EXPECT_EQ(must(store->return_card(clerk, 10, true)).balance, 0);
    const auto kept = must(store->return_card(clerk, 20, false));
    EXPECT_EQ(kept.state, CardState::returned);
    EXPECT_EQ(kept.balance, 300);
    expect_refused(snapshot(), store->return_card(clerk, 20, true), Errc::conflict);
}

// The chip UID is recorded once an encoder wrote it; garbage is refused.
TEST_P(Cards, uidIsRecordedAndValidated) {
    issue("E1", 10);
    EXPECT_EQ(must(store->set_card_uid(clerk, 10, "04A1B2C3")).uid, "04A1B2C3");
    expect_refused(snapshot(), store->set_card_uid(clerk, 10, "zz'; --"), Errc::invalid_argument);
}

}  // namespace
}  // namespace cardd::test
