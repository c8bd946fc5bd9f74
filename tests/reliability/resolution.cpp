// After a restart, the operation cardd was killed in, when its answer was
// lost: the store says whether it happened, and from then on the model holds
// it as happened or as never asked. Whether it happened whole (the chip, the
// ledger, the blacklists all of a piece) is for the checks that follow.

#include <algorithm>

#include "tests/reliability/crash_fixture.hpp"
#include "protocol/money.hpp"

namespace cardd::reliability {

namespace {

std::optional<State> state_of(const std::optional<json>& info) {
    if (!info) return std::nullopt;
    return state_from(info->at("card").at("state").get<std::string>());
}

long lines_like(const json& ledger, const std::string& kind, Cents amount) {
    return std::ranges::count_if(
        ledger, [&](const json& line) { return line.at("kind") == kind && line.at("amount").get<Cents>() == amount; });
}

}  // namespace

void CrashRun::resolve(const Killed& killed) {
    if (killed.answer) return;  // the client saw how it ended
    const Operation& op = killed.op;
    const std::string lost = "the " + op.describe() + " (its answer lost to kill " + std::to_string(kill_);
    // Named as the card's last operation either way, for the checks' messages.
    if (const auto card = model_.cards.find(op.card); card != model_.cards.end()) {
        card->second.last_operation = lost + "; the store shows it did not happen)";
    }
    const std::string origin = lost + "; the store shows it happened)";
    const std::string subject = "the " + op.describe();
    const auto happened = [&] { model_.happened(op, origin); };
    switch (op.kind) {
        case OpKind::issue:
        case OpKind::replace:
            // A new card exists or not; everything else that goes with it
            // (person, uid, ledger, the old card) is checked against the model.
            if (card_info(op.kind == OpKind::issue ? op.card : op.new_card)) happened();
            return;
        case OpKind::top_up: {
            const auto info = card_info(op.card);
            if (!info) return;
            const long stored = lines_like(info->at("ledger"), "topup", op.amount);
            const long known = std::ranges::count_if(model_.cards.at(op.card).ledger, [&](const LedgerLine& line) {
                return line.kind == "topup" && line.amount == op.amount;
            });
            if (stored == known + 1) {
                happened();
            } else if (stored != known) {
                findings_->fail("an operation happens once or not at all", subject,
                                "the store holds " + std::to_string(stored) + " top-ups of " +
                                    protocol::format_yuan(op.amount) + " on card " + std::to_string(op.card) +
                                    ", the client knows of " + std::to_string(known) + " before this one");
            }
            return;
        }
        case OpKind::refund_close:
        case OpKind::return_wipe:
            if (state_of(card_info(op.card)) == State::returned) happened();
            return;
        case OpKind::loss:
            if (state_of(card_info(op.card)) == State::lost) happened();
            return;
        case OpKind::unlock:
            if (state_of(card_info(op.card)) == State::active) happened();
            return;
        case OpKind::tap:
        case OpKind::collect: return;
    }
}

}  // namespace cardd::reliability
