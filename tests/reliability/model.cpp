#include "tests/reliability/model.hpp"

#include "protocol/money.hpp"

#include <cstdio>

namespace cardd::reliability {

namespace {

std::string signed_yuan(Cents cents) { return (cents >= 0 ? "+" : "") + protocol::format_yuan(cents); }

}  // namespace

std::string LedgerLine::describe() const {
    return kind + " " + signed_yuan(amount) + " (cash " + signed_yuan(cash) + ")";
}

std::string_view to_string(State state) {
    switch (state) {
        case State::active: return "active";
        case State::lost: return "lost";
        case State::replaced: return "replaced";
        case State::returned: return "returned";
    }
    return "unknown";
}

std::optional<State> state_from(std::string_view text) {
    for (const State state : {State::active, State::lost, State::replaced, State::returned}) {
        if (text == to_string(state)) return state;
    }
    return std::nullopt;
}

Cents ModelCard::balance() const {
    Cents sum = 0;
    for (const auto& line : ledger) sum += line.amount;
    return sum;
}

std::string Model::next_staff_no() {
    char text[16];
    std::snprintf(text, sizeof text, "P%03d", ++people_made_);
    return text;
}

CardNo Model::next_card_no() { return next_card_++; }

void Model::blank_placed(const std::string& uid) { chips[uid] = ModelChip{uid, std::nullopt, 0}; }

void Model::issued(const Operation& op, const std::string& origin) {
    ModelCard card;
    card.card_no = op.card;
    card.staff_no = op.staff_no;
    card.uid = op.uid;
    if (op.amount > 0) card.ledger.push_back({"opening", op.amount, op.amount, origin});
    if (op.cost > 0) card.ledger.push_back({"card_cost", 0, op.cost, origin});
    card.last_operation = origin;
    cards[op.card] = card;
    people[op.staff_no] = op.card;
    chips[op.uid] = ModelChip{op.uid, op.card, op.amount};
}

void Model::topped_up(const Operation& op, const std::string& origin) {
    ModelCard& card = cards.at(op.card);
    card.ledger.push_back({"topup", op.amount, op.amount, origin});
    card.last_operation = origin;
    chips[card.uid].balance += op.amount;
}

void Model::refund_closed(const Operation& op, const std::string& origin) {
    ModelCard& card = cards.at(op.card);
    // cardd collects every terminal first, so the refund is the whole
    // balance, every purchase included.
    const Cents balance = card.balance();
    if (balance > 0) card.ledger.push_back({"refund", -balance, -balance, origin});
    card.closed_unwiped = !op.wipe;
    card.wiped = op.wipe;
    if (op.wipe) chips[card.uid].balance = 0;
    card.state = State::returned;
    card.last_operation = origin;
    people[card.staff_no] = std::nullopt;
}

void Model::lost(const Operation& op) {
    ModelCard& card = cards.at(op.card);
    card.state = State::lost;
    card.last_operation = op.describe();
}

void Model::unlocked(const Operation& op) {
    ModelCard& card = cards.at(op.card);
    card.state = State::active;
    card.last_operation = op.describe();
}

void Model::replaced(const Operation& op, const std::string& origin) {
    ModelCard& old_card = cards.at(op.card);
    const Cents balance = old_card.balance();
    ModelCard card;
    card.card_no = op.new_card;
    card.staff_no = old_card.staff_no;
    card.uid = op.uid;
    card.last_operation = origin;
    if (balance != 0) {
        old_card.ledger.push_back({"carry_out", -balance, 0, origin});
        card.ledger.push_back({"carry_in", balance, 0, origin});
    }
    if (op.cost > 0) card.ledger.push_back({"card_cost", 0, op.cost, origin});
    old_card.state = State::replaced;
    old_card.carried = balance;
    old_card.last_operation = origin;
    people[card.staff_no] = op.new_card;
    chips[op.uid] = ModelChip{op.uid, op.new_card, balance};
    cards[op.new_card] = card;
}

void Model::returned_wiped(const Operation& op, const std::string& origin) {
    ModelCard& card = cards.at(op.card);
    const Cents balance = card.balance();
    if (balance > 0) card.ledger.push_back({"refund", -balance, -balance, origin});
    card.state = State::returned;
    card.wiped = true;
    card.last_operation = origin;
    people[card.staff_no] = std::nullopt;
    chips[card.uid].balance = 0;
}

void Model::tapped(const Operation& op, const std::string& origin) {
    ModelCard& card = cards.at(op.card);
    card.ledger.push_back({"purchase", -op.amount, 0, origin});
    card.last_operation = origin;
    chips[card.uid].balance -= op.amount;
}

void Model::happened(const Operation& op, const std::string& origin) {
    switch (op.kind) {
        case OpKind::issue: issued(op, origin); break;
        case OpKind::top_up: topped_up(op, origin); break;
        case OpKind::refund_close: refund_closed(op, origin); break;
        case OpKind::loss: lost(op); break;
        case OpKind::unlock: unlocked(op); break;
        case OpKind::replace: replaced(op, origin); break;
        case OpKind::return_wipe: returned_wiped(op, origin); break;
        case OpKind::tap: tapped(op, origin); break;
        case OpKind::collect: break;
    }
}

std::vector<CardNo> Model::usable(State state) const {
    std::vector<CardNo> found;
    for (const auto& [number, card] : cards) {
        if (card.state == state && !retired.contains(number)) found.push_back(number);
    }
    return found;
}

std::set<CardNo> Model::blacklist() const {
    std::set<CardNo> refused;
    for (const auto& [number, card] : cards) {
        if (card.state == State::lost || card.state == State::replaced || card.closed_unwiped) refused.insert(number);
    }
    return refused;
}

std::map<State, int> Model::counts() const {
    std::map<State, int> counted{{State::active, 0}, {State::lost, 0}, {State::replaced, 0}, {State::returned, 0}};
    for (const auto& [number, card] : cards) ++counted[card.state];
    return counted;
}

}  // namespace cardd::reliability
