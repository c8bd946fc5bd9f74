// card-info and pending: a card as the store holds it, and the card writes
// still unresolved in the journal.

#include "daemon/control/arguments.hpp"
#include "daemon/json_view.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/service.hpp"
#include "protocol/money.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

void register_write_commands(CommandRegistry& registry, Service& service) {
    registry.add("card-info", Role::viewer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no"});
        const store::CardNo card_no = args::required_int(request.arguments, "card_no");
        auto card = service.store.card(card_no);
        if (!card) co_return from_error(card.error());
        auto ledger = service.store.ledger(card_no);
        if (!ledger) co_return from_error(ledger.error());
        auto pending = service.store.open_write_for_card(card_no);
        if (!pending) co_return from_error(pending.error());
        auto losses = service.store.losses({});
        if (!losses) co_return from_error(losses.error());
        json lines = json::array();
        for (const auto& entry : *ledger) lines.push_back(to_json(entry));
        json card_losses = json::array();
        for (const auto& loss : *losses) {
            if (loss.card_no == card_no) card_losses.push_back(to_json(loss));
        }
        const store::UnixTime now = store::system_clock_now();
        std::string text = "card " + std::to_string(card_no) + " of " + card->staff_no + " " + card->name + ", " +
                           std::string(to_string(card->state)) + ", balance " + protocol::format_yuan(card->balance);
        if (*pending) {
            text += "; a " + std::string(to_string((*pending)->kind)) + " write of it is unresolved (not counted in "
                    "the balance): place the card on an encoder to settle it";
        }
        co_return Answer::ok(text, {{"card", to_json(*card)},
                                    {"ledger", lines},
                                    {"losses", card_losses},
                                    {"pending", *pending ? to_json(**pending, now) : json(nullptr)}});
    });

    registry.add("pending", Role::viewer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {});
        auto open = service.store.open_writes();
        if (!open) co_return from_error(open.error());
        const store::UnixTime now = store::system_clock_now();
        json list = json::array();
        for (const auto& intent : *open) list.push_back(to_json(intent, now));
        std::string text = open->empty() ? "no card write is unresolved"
                                         : std::to_string(open->size()) +
                                               (open->size() == 1 ? " card write is" : " card writes are") +
                                               " unresolved: place each card on an encoder (cardctl card read) to "
                                               "settle it";
        co_return Answer::ok(text, {{"pending", list}});
    });
}

}  // namespace cardd::daemon
