// Losses and unlocks of several cards in one transaction, with their reason, on both backends.

#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::BatchOp;
using store::CardNo;
using store::CardRefusal;
using store::CardState;
using store::Errc;
using store::LossReason;
using store::PushTarget;

using Cards = std::vector<CardNo>;

class SeveralLosses : public StoreTest {
protected:
    void SetUp() override {
        StoreTest::SetUp();
        t1 = add_tcp_terminal("T1", 1502).id;
        t2 = add_tcp_terminal("T2", 1503).id;
        for (int i = 1; i <= 5; ++i) {
            add_person("E" + std::to_string(i));
            issue("E" + std::to_string(i), 100 + i, 1000 * i);
        }
    }
    Cards refused_by(store::DeviceId terminal) { return must(store->desired_blacklist(terminal)); }
    store::LossReport report(Cards cards, PushTarget push = PushTarget::all(), LossReason reason = LossReason::lost) {
        return {std::move(cards), std::move(push), reason};
    }

    store::DeviceId t1 = 0;
    store::DeviceId t2 = 0;
};
INSTANTIATE_FOR_BOTH_BACKENDS(SeveralLosses);

// Three cards reported lost at once: each lost with its reason and its own
// loss record, and each terminal's set changed by one batch holding all three.
TEST_P(SeveralLosses, severalCardsAreReportedInOneChangePerTerminal) {
    store::BlacklistChange change;
    const auto losses =
        must(store->report_losses(clerk, report({103, 101, 104}, PushTarget::all(), LossReason::damaged), &change));
    ASSERT_EQ(losses.size(), 3u);
    EXPECT_EQ(losses[0].card_no, 103);
    EXPECT_EQ(losses[1].card_no, 101);
    EXPECT_EQ(losses[2].card_no, 104);
    for (const auto& loss : losses) {
        EXPECT_EQ(loss.reason, LossReason::damaged);
        EXPECT_EQ(loss.push, PushTarget::Scope::all);
        EXPECT_EQ(must(store->card(loss.card_no)).state, CardState::lost);
    }
    EXPECT_EQ(losses[1].staff_no, "E1");
    ASSERT_EQ(change.batches.size(), 2u);
    for (const auto& batch : change.batches) {
        EXPECT_EQ(batch.op, BatchOp::add);
        EXPECT_EQ(batch.cards, (Cards{101, 103, 104}));
    }
    EXPECT_EQ(refused_by(t1), (Cards{101, 103, 104}));
    EXPECT_EQ(refused_by(t2), (Cards{101, 103, 104}));
    EXPECT_EQ(refused_by(add_tcp_terminal("T3", 1504).id), (Cards{101, 103, 104}));
    const auto listed = must(store->losses({}));
    ASSERT_EQ(listed.size(), 3u);
    for (const auto& loss : listed) EXPECT_EQ(loss.reason, LossReason::damaged);
    EXPECT_TRUE(must(store->check_invariants()).empty());
}

// More cards than one batch holds go out as a chain of batches per terminal, every card in one of them.
TEST_P(SeveralLosses, manyCardsFillAChainOfBatches) {
    Cards cards;
    for (int i = 0; i < 100; ++i) {
        add_person("M" + std::to_string(i));
        issue("M" + std::to_string(i), 1000 + i);
        cards.push_back(1000 + i);
    }
    store::BlacklistChange change;
    must(store->report_losses(clerk, report(cards, PushTarget::named({"T2"})), &change));
    ASSERT_EQ(change.batches.size(), 2u);
    EXPECT_EQ(change.batches[0].cards.size() + change.batches[1].cards.size(), 100u);
    EXPECT_EQ(change.batches[1].base_version, change.batches[0].new_version);
    EXPECT_EQ(refused_by(t2), cards);
    EXPECT_TRUE(refused_by(t1).empty());
}

// A card that cannot be reported lost refuses the whole report: nothing
// changes, and every refused card is named with why.
TEST_P(SeveralLosses, oneRefusedCardRefusesTheWholeReport) {
    must(store->report_loss(clerk, 102, PushTarget::none()));
    const std::string before = snapshot();
    std::vector<CardRefusal> refused;
    const auto refusal = store->report_losses(clerk, report({101, 999, 102, 103}), nullptr, &refused);
    ASSERT_FALSE(refusal.has_value());
    EXPECT_EQ(refusal.error().code, Errc::conflict);
    EXPECT_NE(refusal.error().message.find("2 of 4 cards cannot be reported lost"), std::string::npos)
        << refusal.error().message;
    ASSERT_EQ(refused.size(), 2u);
    EXPECT_EQ(refused[0].card_no, 999);
    EXPECT_EQ(refused[0].code, Errc::not_found);
    EXPECT_EQ(refused[0].text, "no card with number 999");
    EXPECT_EQ(refused[1].card_no, 102);
    EXPECT_EQ(refused[1].code, Errc::conflict);
    EXPECT_EQ(refused[1].text, "card 102 is lost; only an active card can be reported lost");
    EXPECT_EQ(snapshot(), before);

    // The same refusal, read before anything is asked of the terminals.
    std::vector<CardRefusal> checked;
    EXPECT_EQ(store->check_losses(Cards{101, 999, 102, 103}, &checked).error().code, Errc::conflict);
    EXPECT_EQ(checked.size(), 2u);
    EXPECT_TRUE(store->check_losses(Cards{101, 103}).has_value());

    // Only unknown cards: not found. A card named twice: refused as asked wrongly.
    EXPECT_EQ(store->report_losses(clerk, report({998, 999})).error().code, Errc::not_found);
    EXPECT_EQ(store->report_losses(clerk, report({101, 103, 101})).error().code, Errc::invalid_argument);
    EXPECT_EQ(store->report_losses(clerk, report({})).error().code, Errc::invalid_argument);
    EXPECT_EQ(snapshot(), before);
}

// A loss of one card keeps its own refusal, word for word, and the reason defaults to lost.
TEST_P(SeveralLosses, oneCardKeepsItsOwnRefusal) {
    const auto loss = must(store->report_loss(clerk, 101, PushTarget::none()));
    EXPECT_EQ(loss.reason, LossReason::lost);
    EXPECT_EQ(must(store->losses({})).front().reason, LossReason::lost);
    const auto again = store->report_loss(clerk, 101, PushTarget::none());
    EXPECT_EQ(again.error().code, Errc::conflict);
    EXPECT_EQ(again.error().message, "card 101 is lost; only an active card can be reported lost");
    EXPECT_EQ(store->report_loss(clerk, 999, PushTarget::none()).error().message, "no card with number 999");
}

// Every reason is kept as given.
TEST_P(SeveralLosses, eachReasonIsKept) {
    const std::pair<CardNo, LossReason> reasons[] = {
        {101, LossReason::lost}, {102, LossReason::damaged}, {103, LossReason::expired}, {104, LossReason::other}};
    for (const auto& [card, reason] : reasons) must(store->report_losses(clerk, report({card}, {}, reason)));
    const auto listed = must(reopen()->losses({}));
    ASSERT_EQ(listed.size(), 4u);
    for (std::size_t i = 0; i < listed.size(); ++i) {
        EXPECT_EQ(listed[i].card_no, reasons[i].first);
        EXPECT_EQ(listed[i].reason, reasons[i].second);
    }
}

// Several cards unlocked at once: each terminal's set changed once, the
// losses closed and returned in the order asked.
TEST_P(SeveralLosses, severalCardsAreUnlockedInOneChangePerTerminal) {
    must(store->report_losses(clerk, report({101, 102, 103})));
    store::BlacklistChange change;
    const Cards unlock{103, 101};
    const auto unlocked = must(store->unlock_cards(clerk, unlock, PushTarget::named({"T1"}), &change));
    ASSERT_EQ(unlocked.size(), 2u);
    EXPECT_EQ(unlocked[0].card_no, 103);
    EXPECT_EQ(unlocked[1].card_no, 101);
    for (const auto& loss : unlocked) {
        EXPECT_TRUE(loss.unlocked_at.has_value());
        EXPECT_EQ(loss.unlock_push, PushTarget::Scope::named);
        EXPECT_EQ(must(store->card(loss.card_no)).state, CardState::active);
    }
    ASSERT_EQ(change.batches.size(), 1u);
    EXPECT_EQ(change.batches[0].op, BatchOp::remove);
    EXPECT_EQ(change.batches[0].cards, (Cards{101, 103}));
    EXPECT_EQ(refused_by(t1), Cards{102});
    EXPECT_EQ(refused_by(t2), (Cards{101, 102, 103}));
    EXPECT_EQ(refused_by(add_tcp_terminal("T3", 1504).id), Cards{102});
}

// An unlock with a card that is not lost unlocks nothing.
TEST_P(SeveralLosses, oneRefusedCardRefusesTheWholeUnlock) {
    must(store->report_losses(clerk, report({101, 102})));
    const std::string before = snapshot();
    std::vector<CardRefusal> refused;
    const Cards unlock{101, 103, 102, 999};
    const auto refusal = store->unlock_cards(clerk, unlock, PushTarget::all(), nullptr, &refused);
    ASSERT_FALSE(refusal.has_value());
    EXPECT_EQ(refusal.error().code, Errc::conflict);
    ASSERT_EQ(refused.size(), 2u);
    EXPECT_EQ(refused[0].card_no, 103);
    EXPECT_EQ(refused[0].text, "card 103 is active; only a lost card can be unlocked");
    EXPECT_EQ(refused[1].card_no, 999);
    EXPECT_EQ(refused[1].code, Errc::not_found);
    EXPECT_EQ(snapshot(), before);
}

}  // namespace
}  // namespace cardd::test
