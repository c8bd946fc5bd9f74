#include "tests/reliability/operation.hpp"

#include "protocol/money.hpp"

namespace cardd::reliability {

using nlohmann::json;

namespace {

// Every card request waits briefly: the driver places the card before it
// asks, so a missing card is a failure to see at once, not a 30 s wait.
constexpr int card_wait_s = 2;

json command(const char* name, json arguments) { return {{"command", name}, {"arguments", std::move(arguments)}}; }

}  // namespace

json Operation::request() const {
    switch (kind) {
        case OpKind::issue:
            return command(
                "person-add",
                {{"staff_no", staff_no},
                 {"name", "Person " + staff_no},
                 {"issue", {{"card_no", card}, {"opening", amount}, {"cost", cost}, {"wait_s", card_wait_s}}}});
        case OpKind::top_up:
            return command("card-topup", {{"card_no", card}, {"amount", amount}, {"wait_s", card_wait_s}});
        case OpKind::refund_close:
            return command("card-refund-close", {{"card_no", card}, {"wipe", wipe}, {"wait_s", card_wait_s}});
        case OpKind::loss: return command("card-loss", {{"card_no", card}, {"push", true}, {"devices", "all"}});
        case OpKind::unlock: return command("card-unlock", {{"card_no", card}, {"push", true}, {"devices", "all"}});
        case OpKind::replace:
            return command("card-replace",
                           {{"card_no", card}, {"new_card_no", new_card}, {"cost", cost}, {"wait_s", card_wait_s}});
        case OpKind::return_wipe:
            return command("card-return", {{"card_no", card}, {"wipe", true}, {"wait_s", card_wait_s}});
        case OpKind::collect: return command("collect", json::object());
        case OpKind::tap: break;
    }
    return nullptr;
}

std::string Operation::describe() const {
    const std::string number = "card " + std::to_string(card);
    switch (kind) {
        case OpKind::issue:
            return "issue of " + number + " to a new person " + staff_no + " on blank chip " + uid + " (opening " +
                   protocol::format_yuan(amount) + ", cost " + protocol::format_yuan(cost) + ")";
        case OpKind::top_up: return "top-up of " + number + " by " + protocol::format_yuan(amount);
        case OpKind::refund_close: return "refund-close of " + number + (wipe ? " with wipe" : " without the card");
        case OpKind::loss: return "loss report of " + number + " pushed to all terminals";
        case OpKind::unlock: return "unlock of " + number + " pushed to all terminals";
        case OpKind::replace:
            return "replacement of lost " + number + " by card " + std::to_string(new_card) + " on blank chip " + uid +
                   " (cost " + protocol::format_yuan(cost) + ")";
        case OpKind::return_wipe: return "return with wipe of " + number;
        case OpKind::tap: return "purchase of " + protocol::format_yuan(amount) + " with " + number + " at " + terminal;
        case OpKind::collect: return "collection of every terminal's records";
    }
    return "an unknown operation";
}

bool Operation::writes_card() const {
    return kind == OpKind::issue || kind == OpKind::top_up || kind == OpKind::replace || kind == OpKind::return_wipe ||
           (kind == OpKind::refund_close && wipe);
}

}  // namespace cardd::reliability
