// A store change together with its card write (CardStep), on both backends:
// the write sees the card as the change leaves it, the change commits only
// after a successful write, and a failed write leaves nothing behind.

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
using store::CardNo;
using store::CardState;
using store::Errc;
using store::LedgerKind;
using store::PushTarget;

/// A CardStep that records every call; its write fails with `failure` when one is set.
class StepProbe {
public:
    explicit StepProbe(std::optional<store::Error> failure = std::nullopt) : failure_(std::move(failure)) {
        step_.write = [this](const Card& card) -> store::Result<void> {
            seen.push_back(card);
            if (on_write) on_write(card);
            if (failure_) return std::unexpected(*failure_);
            return {};
        };
        step_.undo = [this] { ++undos; };
    }
    StepProbe(const StepProbe&) = delete;
    StepProbe& operator=(const StepProbe&) = delete;

    const store::CardStep* step() const { return &step_; }

    std::vector<Card> seen;  ///< the card each write was given
    int undos = 0;
    std::function<void(const Card&)> on_write;  ///< runs inside the write, before it answers

private:
    std::optional<store::Error> failure_;
    store::CardStep step_;
};

/// What the encoder driver reports when the card is pulled away mid-write.
const store::Error card_pulled{Errc::card, "the card was taken off the encoder before it was written"};

/// Every field of a card on one line, so two cards compare as text.
std::string describe(const Card& card) {
    std::ostringstream out;
    out << "card " << card.card_no << " serial=" << card.serial << " holder=" << card.staff_no << '/' << card.name
        << '/' << card.department << " uid=" << card.uid.value_or("-") << " state=" << store::to_string(card.state)
        << " issued_at=" << card.issued_at
        << " closed_at=" << (card.closed_at ? std::to_string(*card.closed_at) : "-")
        << " replaced_by=" << (card.replaced_by ? std::to_string(*card.replaced_by) : "-")
        << " replaces=" << (card.replaces ? std::to_string(*card.replaces) : "-") << " balance=" << card.balance;
    return out.str();
}

class CardSteps : public StoreTest {
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

    /// The change was refused with the write's own error, the write was reached
    /// once, nothing was undone (nothing was committed) and the store is as before.
    void expect_rolled_back(const Before& was, const store::Result<Card>& result, const StepProbe& probe) {
        ASSERT_FALSE(result.has_value()) << describe(*result);
        EXPECT_EQ(result.error().code, card_pulled.code) << result.error().message;
        EXPECT_EQ(result.error().message, card_pulled.message);
        EXPECT_EQ(probe.seen.size(), 1u);
        EXPECT_EQ(probe.undos, 0);
        EXPECT_EQ(snapshot(), was.rows);
        EXPECT_EQ(domain_view(), was.domain);
        expect_invariants();
    }

    /// The write was called once with the card exactly as it was committed, and
    /// nothing was undone. The committed card is read on a second connection.
    void expect_committed(const store::Result<Card>& result, const StepProbe& probe) {
        ASSERT_TRUE(result.has_value()) << result.error().message;
        ASSERT_EQ(probe.seen.size(), 1u);
        EXPECT_EQ(probe.undos, 0);
        const auto other = reopen();
        EXPECT_EQ(describe(probe.seen.front()), describe(must(other->card(result->card_no))));
        EXPECT_EQ(describe(*result), describe(probe.seen.front()));
        expect_invariants();
    }

    void expect_invariants() { EXPECT_EQ(must(store->check_invariants()), std::vector<std::string>{}); }

    store::DeviceId terminal = 0;
};
INSTANTIATE_FOR_BOTH_BACKENDS(CardSteps);

// Issue: the write gets the new card with the serial the store assigned, the
// opening balance and the UID from the options; the card is committed.
TEST_P(CardSteps, issueWritesTheNewCardAndCommits) {
    const Card other = must(store->card(20));
    StepProbe probe;
    const auto result = store->issue_card(clerk, "E1", 1001, {5000, 1000, "04A1B2C3"}, probe.step());
    expect_committed(result, probe);
    const Card& seen = probe.seen.front();
    EXPECT_EQ(seen.card_no, 1001);
    EXPECT_GT(seen.serial, other.serial);
    EXPECT_EQ(seen.staff_no, "E1");
    EXPECT_EQ(seen.state, CardState::active);
    EXPECT_EQ(seen.balance, 5000);  // the card cost is cash, not on the card
    EXPECT_EQ(seen.uid, "04A1B2C3");
    EXPECT_EQ(seen.issued_at, now);
    EXPECT_EQ(must(reopen()->person("E1")).card_no, 1001);
}

// Issue with a failed write: no card, no ledger line, no audit line, and the write's error as it was.
TEST_P(CardSteps, issueWithFailedWriteChangesNothing) {
    const Before was = before();
    StepProbe probe(card_pulled);
    expect_rolled_back(was, store->issue_card(clerk, "E1", 1001, {5000, 1000, "04A1B2C3"}, probe.step()), probe);
    EXPECT_EQ(probe.seen.front().card_no, 1001);
    // The transaction is closed: the same issue goes through afterwards.
    EXPECT_EQ(must(store->issue_card(clerk, "E1", 1001, {5000, 1000, "04A1B2C3"})).balance, 5000);
}

// Onboarding: the write gets the card of the person just created, and both are committed.
TEST_P(CardSteps, onboardWritesTheNewCardAndCommits) {
    StepProbe probe;
    const auto result = store->onboard(clerk, {"E9", "赵六", "Kitchen"}, 900, {200, 0, "04C0FFEE"}, probe.step());
    expect_committed(result, probe);
    const Card& seen = probe.seen.front();
    EXPECT_EQ(seen.card_no, 900);
    EXPECT_GT(seen.serial, 0);
    EXPECT_EQ(seen.staff_no, "E9");
    EXPECT_EQ(seen.name, "赵六");
    EXPECT_EQ(seen.department, "Kitchen");
    EXPECT_EQ(seen.balance, 200);
    EXPECT_EQ(seen.uid, "04C0FFEE");
    EXPECT_EQ(must(reopen()->person("E9")).card_no, 900);
}

// Onboarding with a failed write leaves neither the person nor the card behind.
TEST_P(CardSteps, onboardWithFailedWriteLeavesNoPerson) {
    const Before was = before();
    StepProbe probe(card_pulled);
    expect_rolled_back(was, store->onboard(clerk, {"E9", "赵六", "Kitchen"}, 900, {200, 0, std::nullopt}, probe.step()),
                       probe);
    EXPECT_EQ(store->person("E9").error().code, Errc::not_found);
    EXPECT_EQ(must(store->onboard(clerk, {"E9", "赵六", "Kitchen"}, 900, {})).staff_no, "E9");
}

// Top-up: the write gets the balance after the top-up, the value the card must hold.
TEST_P(CardSteps, topUpWritesTheBalanceAfterAndCommits) {
    issue("E1", 10, 700);
    StepProbe probe;
    const auto result = store->top_up(clerk, 10, 2550, probe.step());
    expect_committed(result, probe);
    EXPECT_EQ(probe.seen.front().card_no, 10);
    EXPECT_EQ(probe.seen.front().balance, 3250);
    EXPECT_EQ(probe.seen.front().state, CardState::active);
    EXPECT_EQ(must(reopen()->balance(10)), 3250);
}

// A top-up whose write failed takes no cash and leaves the balance as the card still holds it.
TEST_P(CardSteps, topUpWithFailedWriteChangesNothing) {
    issue("E1", 10, 700);
    const Before was = before();
    StepProbe probe(card_pulled);
    expect_rolled_back(was, store->top_up(clerk, 10, 2550, probe.step()), probe);
    EXPECT_EQ(probe.seen.front().balance, 3250);  // what would have been written
    EXPECT_EQ(must(store->balance(10)), 700);
    EXPECT_EQ(must(store->top_up(clerk, 10, 2550)).balance, 3250);
}

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

// A top-up whose card was written but whose COMMIT then failed: the step's
// undo puts the card back, and the store is left as it was.
TEST_P(CardSteps, failedCommitAfterTheWriteIsUndone) {
    issue("E1", 10, 700);
    auto connection = std::make_unique<CommitFailsOnce>(connect());
    CommitFailsOnce& flaky = *connection;
    const auto flaky_store = must(store::CardStore::open(std::move(connection), [this] { return now; }));
    const Before was = before();
    StepProbe probe;
    flaky.fail_next_commit = true;
    const auto result = flaky_store->top_up(clerk, 10, 2550, probe.step());
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, Errc::storage);
    EXPECT_EQ(probe.seen.size(), 1u);
    EXPECT_EQ(probe.undos, 1);
    EXPECT_EQ(snapshot(), was.rows);
    EXPECT_EQ(must(flaky_store->balance(10)), 700);
    // The next change on that connection commits as usual.
    EXPECT_EQ(must(flaky_store->top_up(clerk, 10, 100)).balance, 800);
    expect_invariants();
}

// Replacing a lost card: the write gets the NEW card carrying the old balance;
// the old card is replaced and refused by the terminal once committed.
TEST_P(CardSteps, replaceWritesTheNewCardWithTheCarriedBalanceAndCommits) {
    issue("E1", 10, 700);
    must(store->top_up(clerk, 10, 300));
    must(store->report_loss(clerk, 10, PushTarget::none()));
    StepProbe probe;
    store::BlacklistChange change;
    const auto result = store->replace_card(clerk, 10, 11, {0, 1000, "04D00D11"}, &change, probe.step());
    expect_committed(result, probe);
    const Card& seen = probe.seen.front();
    EXPECT_EQ(seen.card_no, 11);
    EXPECT_EQ(seen.replaces, 10);
    EXPECT_EQ(seen.staff_no, "E1");
    EXPECT_EQ(seen.state, CardState::active);
    EXPECT_EQ(seen.balance, 1000);
    EXPECT_EQ(seen.uid, "04D00D11");
    const auto other = reopen();
    const Card old_card = must(other->card(10));
    EXPECT_EQ(old_card.state, CardState::replaced);
    EXPECT_EQ(old_card.replaced_by, 11);
    EXPECT_EQ(old_card.balance, 0);
    EXPECT_EQ(must(other->desired_blacklist(terminal)), std::vector<CardNo>{10});
    EXPECT_EQ(change.batches.size(), 1u);
}

// A replacement whose write failed leaves the old card lost with its balance,
// its loss open, no new card, and the terminal's set and batches untouched.
TEST_P(CardSteps, replaceWithFailedWriteChangesNothing) {
    issue("E1", 10, 700);
    must(store->report_loss(clerk, 10, PushTarget::none()));
    const Before was = before();
    StepProbe probe(card_pulled);
    store::BlacklistChange change;
    expect_rolled_back(was, store->replace_card(clerk, 10, 11, {0, 1000, std::nullopt}, &change, probe.step()), probe);
    EXPECT_EQ(probe.seen.front().card_no, 11);
    const Card old_card = must(store->card(10));
    EXPECT_EQ(old_card.state, CardState::lost);
    EXPECT_EQ(old_card.balance, 700);
    EXPECT_EQ(store->card(11).error().code, Errc::not_found);
    EXPECT_TRUE(must(store->desired_blacklist(terminal)).empty());
    store::LossQuery open_losses;
    open_losses.open_only = true;
    EXPECT_EQ(must(store->losses(open_losses)).size(), 1u);
    EXPECT_EQ(must(store->replace_card(clerk, 10, 11, {0, 1000, std::nullopt})).balance, 700);
}

// Return: the write gets the card as returned (closed, balance refunded), and the person is free.
TEST_P(CardSteps, returnWritesTheReturnedCardAndCommits) {
    issue("E1", 10, 700);
    now += 60;
    StepProbe probe;
    const auto result = store->return_card(clerk, 10, true, probe.step());
    expect_committed(result, probe);
    const Card& seen = probe.seen.front();
    EXPECT_EQ(seen.card_no, 10);
    EXPECT_EQ(seen.state, CardState::returned);
    EXPECT_EQ(seen.closed_at, now);
    EXPECT_EQ(seen.balance, 0);
    const auto other = reopen();
    EXPECT_FALSE(must(other->person("E1")).card_no.has_value());
    EXPECT_EQ(must(other->ledger(10)).back().kind, LedgerKind::refund);
}

// A return whose write failed leaves the card active with its balance and no refund paid.
TEST_P(CardSteps, returnWithFailedWriteChangesNothing) {
    issue("E1", 10, 700);
    const Before was = before();
    StepProbe probe(card_pulled);
    expect_rolled_back(was, store->return_card(clerk, 10, true, probe.step()), probe);
    EXPECT_EQ(probe.seen.front().state, CardState::returned);
    const Card card = must(store->card(10));
    EXPECT_EQ(card.state, CardState::active);
    EXPECT_EQ(card.balance, 700);
    EXPECT_EQ(must(store->return_card(clerk, 10, true)).state, CardState::returned);
}

// A change its rules refuse never reaches the write: no card is touched for a
// request the store would not take (the daemon's rehearsal relies on this).
TEST_P(CardSteps, refusedChangeNeverReachesTheWrite) {
    issue("E1", 10, 700);
    must(store->report_loss(clerk, 10, PushTarget::none()));
    const Before was = before();
    StepProbe probe;
    EXPECT_EQ(store->issue_card(clerk, "E1", 12, {}, probe.step()).error().code, Errc::conflict);
    EXPECT_EQ(store->onboard(clerk, {"E1", "Wang", ""}, 12, {}, probe.step()).error().code, Errc::conflict);
    EXPECT_EQ(store->top_up(clerk, 10, 100, probe.step()).error().code, Errc::conflict);
    EXPECT_EQ(store->replace_card(clerk, 20, 12, {}, nullptr, probe.step()).error().code, Errc::conflict);
    EXPECT_EQ(store->return_card(clerk, 10, true, probe.step()).error().code, Errc::conflict);
    EXPECT_TRUE(probe.seen.empty());
    EXPECT_EQ(probe.undos, 0);
    EXPECT_EQ(snapshot(), was.rows);
    EXPECT_EQ(domain_view(), was.domain);
}

// Inside the write, the store's own connection already sees the change (the
// write may look up what it needs), while another connection still sees the
// store as before: nobody learns of the change before the card is written.
TEST_P(CardSteps, writeSeesTheUncommittedChangeOthersDoNot) {
    issue("E1", 10, 700);
    const std::string committed = snapshot();
    StepProbe probe;
    std::optional<Card> inside;
    std::vector<store::LedgerEntry> ledger_inside;
    std::string outside;
    probe.on_write = [&](const Card& card) {
        inside = must(store->card(card.card_no));
        ledger_inside = must(store->ledger(card.card_no));
        outside = snapshot();
    };
    const auto result = store->top_up(clerk, 10, 2550, probe.step());
    expect_committed(result, probe);
    ASSERT_TRUE(inside.has_value());
    EXPECT_EQ(describe(*inside), describe(probe.seen.front()));
    EXPECT_EQ(inside->balance, 3250);
    ASSERT_EQ(ledger_inside.size(), 2u);
    EXPECT_EQ(ledger_inside.back().kind, LedgerKind::topup);
    EXPECT_EQ(ledger_inside.back().amount, 2550);
    EXPECT_EQ(outside, committed);
    EXPECT_NE(snapshot(), committed);
}

// The same for a new card: the write can read the card it is about to put on the chip.
TEST_P(CardSteps, writeSeesTheUncommittedNewCard) {
    StepProbe probe;
    std::optional<Card> inside;
    probe.on_write = [&](const Card& card) { inside = must(store->card(card.card_no)); };
    const auto result = store->issue_card(clerk, "E1", 1001, {5000, 0, std::nullopt}, probe.step());
    expect_committed(result, probe);
    ASSERT_TRUE(inside.has_value());
    EXPECT_EQ(describe(*inside), describe(probe.seen.front()));
}

}  // namespace
}  // namespace cardd::test
