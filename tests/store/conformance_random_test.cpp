// Thousands of random operations on each backend, checked against a model of
// the rules after every step: every balance equals the model's and its ledger
// sum, refused operations change nothing, and no invariant breaks.

#include <cstdlib>
#include <map>
#include <random>
#include <set>

#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::CardNo;
using store::CardState;
using store::Cents;
using store::PushTarget;

struct ModelCard {
    std::string staff_no;
    CardState state = CardState::active;
    Cents balance = 0;
};

class RandomOperations : public StoreTest {
protected:
    std::mt19937_64 rng;
    std::map<CardNo, ModelCard> cards;
    std::map<std::string, CardNo> live;  // staff number -> active or lost card
    std::vector<std::string> staff;
    std::vector<store::DeviceId> terminals;
    std::set<std::pair<int, std::uint32_t>> records_seen;

    int roll(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }

    CardNo any_card() {
        if (cards.empty() || roll(0, 9) == 0) return roll(1, 600000);  // sometimes unknown or out of range
        auto it = cards.begin();
        std::advance(it, roll(0, static_cast<int>(cards.size()) - 1));
        return it->first;
    }

    CardNo fresh_number() {
        switch (roll(0, 19)) {
            case 0: return 500001;
            case 1: return 1234567;
            case 2: return cards.empty() ? 0 : any_card();  // reuse, refused
            default: return roll(1, 500000);
        }
    }

    bool valid_new_number(CardNo n) const { return n >= 1 && n <= 500000 && !cards.contains(n); }

    PushTarget any_push() {
        switch (roll(0, 2)) {
            case 0: return PushTarget::none();
            case 1: return PushTarget::all();
            default: return PushTarget::named({"T" + std::to_string(roll(1, 3))});
        }
    }

    std::int64_t last_audit_id() {
        const auto log = must(store->audit_log(1));
        return log.empty() ? 0 : log.front().id;
    }

    /// Runs one random operation; returns whether the model says it must succeed, and whether it did.
    std::pair<bool, bool> step(std::string& what) {
        const int op = roll(0, 9);
        switch (op) {
            case 0:
            case 1: {  // issue
                const std::string who = staff[static_cast<std::size_t>(roll(0, static_cast<int>(staff.size()) - 1))];
                const CardNo n = fresh_number();
                const Cents opening = roll(0, 9) == 0 ? -100 : roll(0, 5000);
                what = "issue " + who + " " + std::to_string(n);
                const bool ok = !live.contains(who) && valid_new_number(n) && opening >= 0;
                const bool done =
                    store->issue_card(clerk, who, n, {opening, roll(0, 1) * 500, std::nullopt}).has_value();
                if (done) {
                    cards[n] = {who, CardState::active, opening};
                    live[who] = n;
                }
                return {ok, done};
            }
            case 2: {  // top-up
                const CardNo n = any_card();
                const Cents amount = roll(-100, 20000);
                what = "topup " + std::to_string(n) + " " + std::to_string(amount);
                const bool ok = cards.contains(n) && cards[n].state == CardState::active && amount > 0;
                const bool done = store->top_up(clerk, n, amount).has_value();
                if (done) cards[n].balance += amount;
                return {ok, done};
            }
            case 3: {  // partial refund
                const CardNo n = any_card();
                const Cents balance = cards.contains(n) ? cards[n].balance : 0;
                const Cents amount = roll(-10, static_cast<int>(std::max<Cents>(balance, 0)) + 100);
                what = "refund " + std::to_string(n) + " " + std::to_string(amount);
                const bool ok =
                    cards.contains(n) && cards[n].state == CardState::active && amount > 0 && amount <= balance;
                const bool done = store->refund(clerk, n, amount).has_value();
                if (done) cards[n].balance -= amount;
                return {ok, done};
            }
            case 4: {  // loss
                const CardNo n = any_card();
                what = "loss " + std::to_string(n);
                const bool ok = cards.contains(n) && cards[n].state == CardState::active;
                const bool done = store->report_loss(clerk, n, any_push()).has_value();
                if (done) cards[n].state = CardState::lost;
                return {ok, done};
            }
            case 5: {  // unlock
                const CardNo n = any_card();
                what = "unlock " + std::to_string(n);
                const bool ok = cards.contains(n) && cards[n].state == CardState::lost;
                const bool done = store->unlock(clerk, n, any_push()).has_value();
                if (done) cards[n].state = CardState::active;
                return {ok, done};
            }
            case 6: {  // replacement
                const CardNo old_no = any_card();
                const CardNo new_no = fresh_number();
                what = "replace " + std::to_string(old_no) + " by " + std::to_string(new_no);
                // A negative balance is a discrepancy between card and ledger: refused.
                const bool ok = cards.contains(old_no) && cards[old_no].state == CardState::lost &&
                                cards[old_no].balance >= 0 && valid_new_number(new_no);
                const bool done = store->replace_card(clerk, old_no, new_no, {0, 300, std::nullopt}).has_value();
                if (done) {
                    ModelCard& old_card = cards[old_no];
                    cards[new_no] = {old_card.staff_no, CardState::active, old_card.balance};
                    old_card.state = CardState::replaced;
                    old_card.balance = 0;
                    live[old_card.staff_no] = new_no;
                }
                return {ok, done};
            }
            case 7: {  // return or refund-close
                const CardNo n = any_card();
                if (roll(0, 1) == 0) {
                    const bool refund = roll(0, 1) == 1;
                    what = "return " + std::to_string(n);
                    const bool ok = cards.contains(n) && cards[n].state == CardState::active && cards[n].balance >= 0;
                    const bool done = store->return_card(clerk, n, refund).has_value();
                    if (done) {
                        cards[n].state = CardState::returned;
                        if (refund && cards[n].balance > 0) cards[n].balance = 0;
                        live.erase(cards[n].staff_no);
                    }
                    return {ok, done};
                }
                what = "refund-close " + std::to_string(n);
                const bool ok = cards.contains(n) &&
                                (cards[n].state == CardState::active || cards[n].state == CardState::lost) &&
                                cards[n].balance >= 0;
                const bool done = store->refund_close(clerk, n).has_value();
                if (done) {
                    cards[n].state = CardState::returned;
                    cards[n].balance = 0;
                    live.erase(cards[n].staff_no);
                }
                return {ok, done};
            }
            default: {  // records collected from a terminal, duplicates included
                const int t = roll(0, 2);
                std::vector<store::TransactionRecord> batch;
                std::vector<std::pair<CardNo, Cents>> effects;
                std::set<std::pair<int, std::uint32_t>> in_batch;
                for (int i = roll(1, 4); i > 0; --i) {
                    const auto seq = static_cast<std::uint32_t>(roll(0, 300));
                    const CardNo n = any_card();
                    const int kind = roll(1, 3);
                    const std::int32_t amount = kind == 1 ? roll(0, 800) : kind == 2 ? -roll(0, 300) : 0;
                    batch.push_back({seq, n, amount, 0, 1'764'000'000, 1, static_cast<store::RecordKind>(kind)});
                    const auto key = std::make_pair(t, seq);
                    if (!records_seen.contains(key) && !in_batch.contains(key)) {
                        in_batch.insert(key);
                        if (cards.contains(n)) effects.emplace_back(n, -amount);
                    }
                }
                what = "records from T" + std::to_string(t + 1);
                const bool done = store->store_records(terminals[static_cast<std::size_t>(t)], batch).has_value();
                if (done) {
                    records_seen.insert(in_batch.begin(), in_batch.end());
                    for (auto [n, delta] : effects) cards[n].balance += delta;
                }
                return {true, done};
            }
        }
    }

    void check_against_model(const std::string& what, bool full) {
        const auto stored = must(store->cards());
        ASSERT_EQ(stored.size(), cards.size()) << what;
        for (const store::Card& card : stored) {
            const ModelCard& model = cards.at(card.card_no);
            ASSERT_EQ(card.balance, model.balance) << what << ": card " << card.card_no;
            ASSERT_EQ(card.state, model.state) << what << ": card " << card.card_no;
            ASSERT_EQ(card.staff_no, model.staff_no) << what;
            if (full) {
                Cents sum = 0;
                for (const auto& entry : must(store->ledger(card.card_no))) sum += entry.amount;
                ASSERT_EQ(sum, card.balance) << what << ": ledger of card " << card.card_no;
            }
        }
        const auto violations = must(store->check_invariants());
        ASSERT_TRUE(violations.empty()) << what << ": " << violations.front();
    }
};
INSTANTIATE_FOR_BOTH_BACKENDS(RandomOperations);

// Every step leaves balances equal to the model and to the ledger, and every invariant intact.
TEST_P(RandomOperations, balancesFollowTheLedgerThroughThousandsOfOperations) {
    const char* seed_text = std::getenv("CARDD_RANDOM_SEED");
    const std::uint64_t seed = seed_text ? std::strtoull(seed_text, nullptr, 10) : std::random_device{}();
    const char* steps_text = std::getenv("CARDD_RANDOM_STEPS");
    const int steps = steps_text ? std::atoi(steps_text) : 2000;
    SCOPED_TRACE("CARDD_RANDOM_SEED=" + std::to_string(seed));
    rng.seed(seed);

    for (int i = 1; i <= 3; ++i) {
        const auto id = add_tcp_terminal("T" + std::to_string(i), 1500 + i).id;
        must(store->set_terminal_serial(id, static_cast<std::uint32_t>(i)));
        terminals.push_back(id);
    }
    for (int i = 0; i < 40; ++i) {
        staff.push_back("S" + std::to_string(i));
        add_person(staff.back(), "名字 " + std::to_string(i));
    }

    int successes = 0;
    int refusals = 0;
    for (int i = 0; i < steps; ++i) {
        const std::int64_t audit_before = last_audit_id();
        std::string what;
        const auto [expected, done] = step(what);
        ASSERT_EQ(done, expected) << "step " << i << ": " << what;
        if (!done) {
            ++refusals;
            ASSERT_EQ(last_audit_id(), audit_before) << "a refused " << what << " wrote to the audit log";
        } else {
            ++successes;
        }
        ASSERT_NO_FATAL_FAILURE(check_against_model("step " + std::to_string(i) + ": " + what, i % 200 == 0));
    }
    ASSERT_NO_FATAL_FAILURE(check_against_model("end", true));
    // The mix must really exercise both paths, or the test proves little.
    EXPECT_GT(successes, steps / 4);
    EXPECT_GT(refusals, steps / 10);
}

}  // namespace
}  // namespace cardd::test
