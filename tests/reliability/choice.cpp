#include "tests/reliability/choice.hpp"

#include <algorithm>
#include <utility>

namespace cardd::reliability {

namespace {

// Few enough live cards that each is used often, so a fault is found soon
// after the kill that caused it.
constexpr std::size_t most_live_cards = 8;

// Relative weights of the mix: purchases and top-ups are what a canteen does
// most; the rarer workflows still come up every few kills.
std::vector<std::pair<OpKind, int>> weights(Mix mix, std::size_t live, std::size_t active) {
    const int issue = live >= most_live_cards ? 0 : active < 3 ? 30 : 10;
    std::vector<std::pair<OpKind, int>> table{
        {OpKind::issue, issue}, {OpKind::top_up, 18}, {OpKind::replace, 7}, {OpKind::return_wipe, 5}};
    if (mix == Mix::card_writes) return table;
    table.insert(table.end(),
                 {{OpKind::refund_close, 4}, {OpKind::loss, 8}, {OpKind::unlock, 5}, {OpKind::collect, 5}});
    if (mix == Mix::everything) table.emplace_back(OpKind::tap, 25);
    return table;
}

}  // namespace

std::int64_t Choice::between(std::int64_t least, std::int64_t most) {
    return std::uniform_int_distribution<std::int64_t>(least, most)(random_);
}

CardNo Choice::pick(const std::vector<CardNo>& cards) {
    return cards[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(cards.size()) - 1))];
}

std::optional<Operation> Choice::next(Model& model, Mix mix) {
    const std::size_t active = model.usable(State::active).size();
    const std::size_t live = active + model.usable(State::lost).size();
    auto table = weights(mix, live, active);
    // Kinds that cannot apply now are dropped by trying another draw; a few
    // tries always find one while an issue is possible.
    for (int attempt = 0; attempt < 20; ++attempt) {
        int total = 0;
        for (const auto& [kind, weight] : table) total += weight;
        if (total == 0) return std::nullopt;
        std::int64_t draw = between(1, total);
        for (const auto& [kind, weight] : table) {
            draw -= weight;
            if (draw > 0) continue;
            if (auto op = of(model, kind)) return op;
            break;
        }
    }
    return std::nullopt;
}

std::optional<Operation> Choice::of(Model& model, OpKind kind) {
    Operation op;
    op.kind = kind;
    const auto active = model.usable(State::active);
    const auto lost = model.usable(State::lost);
    switch (kind) {
        case OpKind::issue:
            op.staff_no = model.next_staff_no();
            op.card = model.next_card_no();
            op.amount = between(0, 3) == 0 ? 0 : between(5, 100) * 100;
            op.cost = between(0, 2) == 0 ? 500 : 0;
            return op;
        case OpKind::top_up:
            if (active.empty()) return std::nullopt;
            op.card = pick(active);
            op.amount = between(1, 50) * 100 + between(0, 1) * 50;
            return op;
        case OpKind::refund_close: {
            std::vector<CardNo> closable = active;
            closable.insert(closable.end(), lost.begin(), lost.end());
            if (closable.empty()) return std::nullopt;
            op.card = pick(closable);
            // An active card is handed in and wiped, or closed without it
            // (then blacklisted); a lost one is not there to wipe.
            op.wipe = model.cards.at(op.card).state == State::active && between(0, 1) == 0;
            return op;
        }
        case OpKind::loss:
        case OpKind::return_wipe:
            if (active.empty()) return std::nullopt;
            op.card = pick(active);
            return op;
        case OpKind::unlock:
            if (lost.empty()) return std::nullopt;
            op.card = pick(lost);
            return op;
        case OpKind::replace:
            if (lost.empty()) return std::nullopt;
            op.card = pick(lost);
            op.new_card = model.next_card_no();
            op.cost = between(0, 1) == 0 ? 1000 : 0;
            return op;
        case OpKind::tap: {
            std::vector<CardNo> with_money;
            for (const CardNo card : active) {
                if (model.chips[model.cards.at(card).uid].balance > 0) with_money.push_back(card);
            }
            if (with_money.empty() || terminals_.empty()) return std::nullopt;
            op.card = pick(with_money);
            op.uid = model.cards.at(op.card).uid;
            op.amount = between(1, std::min<Cents>(model.chips[op.uid].balance, 1500));
            op.terminal =
                terminals_[static_cast<std::size_t>(between(0, static_cast<std::int64_t>(terminals_.size()) - 1))];
            return op;
        }
        case OpKind::collect: return op;
    }
    return std::nullopt;
}

}  // namespace cardd::reliability
