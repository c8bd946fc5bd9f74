// card-info and pending: a card as the store holds it, and the card writes
// still unresolved in the journal.

#include "daemon/commands/writes.hpp"

#include "daemon/control/co_try.hpp"
#include "daemon/json_view.hpp"
#include "daemon/service.hpp"
#include "protocol/money.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

CardNoArgs parse_card_no(const json& a) {
    args::only(a, {"card_no"});
    return {args::required_int(a, "card_no")};
}

awaitable<Answer> card_info(Service& service, Request&, const CardNoArgs& arguments) {
    const store::CardNo card_no = arguments.card_no;
    CARDD_CO_TRY(card, service.store.card(card_no));
    CARDD_CO_TRY(ledger, service.store.ledger(card_no));
    CARDD_CO_TRY(open, service.store.open_write_for_card(card_no));
    CARDD_CO_TRY(losses, service.store.losses({}));
    json lines = json::array();
    for (const auto& entry : ledger) lines.push_back(to_json(entry));
    json card_losses = json::array();
    for (const auto& loss : losses) {
        if (loss.card_no == card_no) card_losses.push_back(to_json(loss));
    }
    const store::UnixTime now = store::system_clock_now();
    std::string text = "card " + std::to_string(card_no) + " of " + card.staff_no + " " + card.name + ", " +
                       std::string(to_string(card.state)) + ", balance " + protocol::format_yuan(card.balance);
    if (open) {
        text += "; a " + std::string(to_string(open->kind)) +
                " write of it is unresolved (not counted in "
                "the balance): place the card on an encoder to settle it";
    }
    co_return Answer::ok(text, {{"card", to_json(card)},
                                {"ledger", lines},
                                {"losses", card_losses},
                                {"pending", open ? to_json(*open, now) : json(nullptr)}});
}

awaitable<Answer> pending(Service& service, Request&, const NoArguments&) {
    CARDD_CO_TRY(open, service.store.open_writes());
    const store::UnixTime now = store::system_clock_now();
    json list = json::array();
    for (const auto& intent : open) list.push_back(to_json(intent, now));
    std::string text = open.empty()
                           ? "no card write is unresolved"
                           : std::to_string(open.size()) + (open.size() == 1 ? " card write is" : " card writes are") +
                                 " unresolved: place each card on an encoder (cardctl card read) to "
                                 "settle it";
    co_return Answer::ok(text, {{"pending", list}});
}

}  // namespace cardd::daemon
