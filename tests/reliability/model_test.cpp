// The crash driver's own bookkeeping, checked alone: a wrong model would
// report faults cardd does not have, or hide ones it has.

#include <cstdlib>
#include <stdexcept>

#include <gtest/gtest.h>

#include "tests/reliability/model.hpp"
#include "tests/reliability/run_settings.hpp"

namespace cardd::reliability {
namespace {

Operation issue(Model& model, Cents opening, Cents cost) {
    Operation op;
    op.kind = OpKind::issue;
    op.staff_no = model.next_staff_no();
    op.card = model.next_card_no();
    op.uid = "04A2000" + std::to_string(op.card % 10);
    op.amount = opening;
    op.cost = cost;
    model.blank_placed(op.uid);
    model.happened(op, "issue");
    return op;
}

Operation on(OpKind kind, CardNo card, Cents amount = 0) {
    Operation op;
    op.kind = kind;
    op.card = card;
    op.amount = amount;
    return op;
}

TEST(CrashModel, anIssueOpensTheLedgerAndTheChip) {
    Model model;
    const Operation op = issue(model, 5000, 500);
    const ModelCard& card = model.cards.at(op.card);
    ASSERT_EQ(card.ledger.size(), 2u);
    EXPECT_EQ(card.ledger[0].describe(), "opening +50.00 (cash +50.00)");
    EXPECT_EQ(card.ledger[1].describe(), "card_cost +0.00 (cash +5.00)");
    EXPECT_EQ(card.balance(), 5000);
    EXPECT_EQ(model.chips.at(op.uid).card, op.card);
    EXPECT_EQ(model.chips.at(op.uid).balance, 5000);
    EXPECT_EQ(model.people.at(op.staff_no), op.card);
    EXPECT_EQ(model.usable(State::active), std::vector<CardNo>{op.card});
}

// cardd collects before it refunds, so the refund is the balance after
// every purchase; a card closed with a wipe holds nothing, one closed
// without it (lost, or not handed in) must be refused everywhere.
TEST(CrashModel, aRefundIsTheWholeBalanceAfterPurchases) {
    Model model;
    const CardNo kept = issue(model, 3000, 0).card;
    const CardNo lost = issue(model, 2000, 0).card;
    model.happened(on(OpKind::tap, kept, 450), "tap");
    Operation wiped = on(OpKind::refund_close, kept);
    wiped.wipe = true;
    model.happened(wiped, "refund");
    EXPECT_TRUE(model.cards.at(kept).wiped);
    EXPECT_EQ(model.chips.at(model.cards.at(kept).uid).balance, 0);
    EXPECT_EQ(model.cards.at(kept).ledger.back().describe(), "refund -25.50 (cash -25.50)");
    EXPECT_EQ(model.cards.at(kept).balance(), 0);
    model.happened(on(OpKind::loss, lost), "loss");
    EXPECT_EQ(model.blacklist(), std::set<CardNo>{lost});
    model.happened(on(OpKind::refund_close, lost), "refund");
    EXPECT_EQ(model.cards.at(lost).state, State::returned);
    EXPECT_EQ(model.blacklist(), std::set<CardNo>{lost}) << "closed while lost: still refused";
    EXPECT_EQ(model.counts().at(State::returned), 2);
    const CardNo unwiped = issue(model, 900, 0).card;
    model.happened(on(OpKind::refund_close, unwiped), "refund");
    EXPECT_EQ(model.blacklist(), (std::set<CardNo>{lost, unwiped})) << "closed without the card: refused";
}

TEST(CrashModel, aReplacementCarriesTheBalanceAndKeepsTheOldCardRefused) {
    Model model;
    const Operation first = issue(model, 4000, 0);
    model.happened(on(OpKind::tap, first.card, 1000), "tap");
    model.happened(on(OpKind::loss, first.card), "loss");
    Operation replace = on(OpKind::replace, first.card);
    replace.new_card = model.next_card_no();
    replace.uid = "04A20099";
    replace.cost = 1000;
    model.happened(replace, "replace");
    const ModelCard& old_card = model.cards.at(first.card);
    const ModelCard& new_card = model.cards.at(replace.new_card);
    EXPECT_EQ(old_card.state, State::replaced);
    EXPECT_EQ(old_card.carried, 3000);
    EXPECT_EQ(old_card.balance(), 0);
    EXPECT_EQ(new_card.balance(), 3000);
    EXPECT_EQ(new_card.ledger.back().describe(), "card_cost +0.00 (cash +10.00)");
    EXPECT_EQ(model.chips.at("04A20099").balance, 3000);
    EXPECT_EQ(model.people.at(first.staff_no), replace.new_card);
    EXPECT_EQ(model.blacklist(), std::set<CardNo>{first.card});
}

TEST(CrashModel, requestsAreTheControlSocketOnes) {
    Operation top_up = on(OpKind::top_up, 1003, 1250);
    EXPECT_EQ(top_up.request().dump(),
              R"({"arguments":{"amount":1250,"card_no":1003,"wait_s":2},"command":"card-topup"})");
    EXPECT_EQ(top_up.describe(), "top-up of card 1003 by 12.50");
    EXPECT_TRUE(top_up.writes_card());
    EXPECT_EQ(on(OpKind::loss, 1003).request().at("arguments").at("devices"), "all");
    EXPECT_FALSE(on(OpKind::loss, 1003).writes_card());
    EXPECT_FALSE(on(OpKind::tap, 1003).is_one_request());
}

TEST(CrashSettings, theEnvironmentIsReadStrictly) {
    ::setenv("CARDD_CRASH_SEED", "42", 1);
    ::setenv("CARDD_CRASH_KILLS", "200", 1);
    const RunSettings settings = run_settings_from_environment();
    EXPECT_EQ(settings.seed, 42u);
    EXPECT_EQ(settings.kills, 200);
    EXPECT_EQ(describe(settings), "seed 42, 200 kills (CARDD_CRASH_SEED=42 CARDD_CRASH_KILLS=200 replays it)");
    ::setenv("CARDD_CRASH_KILLS", "many", 1);
    EXPECT_THROW(run_settings_from_environment(), std::invalid_argument);
    ::unsetenv("CARDD_CRASH_KILLS");
    EXPECT_EQ(run_settings_from_environment().kills, default_kills);
    ::unsetenv("CARDD_CRASH_SEED");
}

}  // namespace
}  // namespace cardd::reliability
