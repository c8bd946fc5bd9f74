// card-topup, card-refund-close, card-info, card-return.

#include "daemon/arguments.hpp"
#include "daemon/json_view.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

// Money paid out must reflect what terminals already took: collect first,
// within the configured bound, and say which terminals could not be read.
awaitable<json> collect_everywhere(Service& service, json& not_collected) {
    auto terminals = terminals_for(service.store, store::PushTarget::all());
    if (!terminals) {
        not_collected = json::array({{{"device", nullptr}, {"text", terminals.error().message}}});
        co_return json::array();
    }
    co_return co_await collect_records(service, std::move(*terminals), not_collected);
}

std::string collection_note(const json& not_collected) {
    if (not_collected.empty()) return "";
    return "; " + std::to_string(not_collected.size()) +
           " terminals could not be collected first, so their latest purchases are not counted yet";
}

}  // namespace

void register_money_commands(CommandRegistry& registry, Service& service) {
    registry.add("card-topup", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no", "amount"});
        const store::Cents amount = args::required_int(request.arguments, "amount");
        auto card = service.store.top_up(actor_of(request), args::required_int(request.arguments, "card_no"), amount);
        if (!card) co_return from_error(card.error());
        co_return Answer::ok("card " + std::to_string(card->card_no) + " topped up by " + yuan(amount) + ", balance " +
                                 yuan(card->balance),
                             {{"card", to_json(*card)}});
    });

    registry.add("card-refund-close", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no"});
        const store::CardNo card_no = args::required_int(request.arguments, "card_no");
        auto before = service.store.card(card_no);
        if (!before) co_return from_error(before.error());
        json not_collected;
        json collected = co_await collect_everywhere(service, not_collected);
        auto balance = service.store.balance(card_no);
        if (!balance) co_return from_error(balance.error());
        store::BlacklistChange change;
        auto card = service.store.refund_close(actor_of(request), card_no, &change);
        if (!card) co_return from_error(card.error());
        std::vector<store::DeviceId> affected;
        for (const auto& batch : change.batches) affected.push_back(batch.terminal_id);
        json failed;
        const auto results = co_await service.distributor.push(affected, service.config.push_timeout);
        json pushed = terminal_results_json(results, failed);
        co_return Answer::ok("card " + std::to_string(card_no) + " closed, " + yuan(*balance) + " refunded in cash" +
                                 collection_note(not_collected),
                             {{"card", to_json(*card)},
                              {"refunded", *balance},
                              {"collected", collected},
                              {"not_collected", not_collected},
                              {"pushed", pushed},
                              {"failed", failed}});
    });

    registry.add("card-info", Role::viewer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no"});
        const store::CardNo card_no = args::required_int(request.arguments, "card_no");
        auto card = service.store.card(card_no);
        if (!card) co_return from_error(card.error());
        auto ledger = service.store.ledger(card_no);
        if (!ledger) co_return from_error(ledger.error());
        auto losses = service.store.losses({});
        if (!losses) co_return from_error(losses.error());
        json lines = json::array();
        for (const auto& entry : *ledger) lines.push_back(to_json(entry));
        json card_losses = json::array();
        for (const auto& loss : *losses) {
            if (loss.card_no == card_no) card_losses.push_back(to_json(loss));
        }
        co_return Answer::ok("card " + std::to_string(card_no) + " of " + card->staff_no + " " + card->name + ", " +
                                 std::string(to_string(card->state)) + ", balance " + yuan(card->balance),
                             {{"card", to_json(*card)}, {"ledger", lines}, {"losses", card_losses}});
    });

    registry.add("card-return", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no", "wipe", "refund"});
        const store::CardNo card_no = args::required_int(request.arguments, "card_no");
        const bool refund = args::optional_bool(request.arguments, "refund", true);
        if (args::optional_bool(request.arguments, "wipe", false)) {
            co_return Answer::failure(ResultCode::unsupported,
                                      "wiping a card needs the encoder driver, not in this build; return without --wipe");
        }
        auto before = service.store.card(card_no);
        if (!before) co_return from_error(before.error());
        json not_collected;
        if (refund) co_await collect_everywhere(service, not_collected);
        // No co_await between reading the balance and returning the card, so
        // nothing can change it in between: the store is served on one thread.
        auto balance = service.store.balance(card_no);
        if (!balance) co_return from_error(balance.error());
        auto card = service.store.return_card(actor_of(request), card_no, refund);
        if (!card) co_return from_error(card.error());
        const store::Cents refunded = refund && *balance > 0 ? *balance : 0;
        co_return Answer::ok("card " + std::to_string(card_no) + " returned" +
                                 (refund ? ", " + yuan(refunded) + " refunded in cash"
                                         : ", balance " + yuan(card->balance) + " kept on its ledger") +
                                 collection_note(not_collected),
                             {{"card", to_json(*card)}, {"refunded", refunded}, {"not_collected", not_collected}});
    });
}

}  // namespace cardd::daemon
