// card-loss, card-unlock, card-replace, losses.

#include "daemon/commands/loss.hpp"

#include <algorithm>

#include "daemon/control/arguments.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/card_workflow.hpp"
#include "daemon/card_write.hpp"
#include "daemon/json_view.hpp"
#include "daemon/log.hpp"
#include "daemon/service.hpp"
#include "protocol/money.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

/// "pushed to 2 of 3 terminals, 1 failed (in the retry queue)"
std::string push_summary(const json& pushed, const json& failed) {
    const std::size_t total = pushed.size() + failed.size();
    std::string text = "pushed to " + std::to_string(pushed.size()) + " of " + std::to_string(total) + " terminals";
    if (!failed.empty())
        text += ", " + std::to_string(failed.size()) + " failed (in the retry queue; see 'cardctl failed')";
    return text;
}

/// "card_no", or "card_nos": the cards of a loss or an unlock, each once.
std::vector<store::CardNo> cards_of(const json& a) {
    const bool one = a.contains("card_no") && !a["card_no"].is_null();
    const bool several = a.contains("card_nos") && !a["card_nos"].is_null();
    if (one && several) throw BadArgument("give 'card_no' or 'card_nos', not both");
    if (one) return {args::required_int(a, "card_no")};
    if (!several) throw BadArgument("argument 'card_no' (or 'card_nos') is required");
    std::vector<store::CardNo> cards = args::int_list(a, "card_nos");
    if (cards.empty() || cards.size() > max_cards_at_once) {
        throw BadArgument("'card_nos' must name 1 to " + std::to_string(max_cards_at_once) + " cards");
    }
    std::vector<store::CardNo> sorted = cards;
    std::ranges::sort(sorted);
    if (const auto twice = std::ranges::adjacent_find(sorted); twice != sorted.end()) {
        throw BadArgument("card " + std::to_string(*twice) + " is named twice in 'card_nos'");
    }
    return cards;
}

store::LossReason reason_of(const json& a) {
    const auto named = args::optional_string(a, "reason");
    if (!named) return store::LossReason::lost;
    for (const store::LossReason reason : store::loss_reasons) {
        if (to_string(reason) == *named) return reason;
    }
    throw BadArgument("'reason' must be lost, damaged, expired or other");
}

/// A change of several cards refused: its answer names each card and why.
Answer refused_cards(const store::Error& error, const std::vector<store::CardRefusal>& refused) {
    Answer answer = from_error(error);
    if (refused.empty()) return answer;
    json cards = json::array();
    for (const store::CardRefusal& card : refused) {
        cards.push_back({{"card_no", card.card_no},
                         {"result", static_cast<int>(from_error(store::Error{card.code, card.text}).result)},
                         {"text", card.text}});
    }
    answer.arguments = {{"refused", std::move(cards)}};
    return answer;
}

/// "card 1001" or "3 cards"
std::string cards_named(const std::vector<store::Loss>& losses) {
    if (losses.size() == 1) return "card " + std::to_string(losses.front().card_no);
    return std::to_string(losses.size()) + " cards";
}

/// The losses, and with one the loss itself, as earlier answers gave it.
void add_losses(json& answer, const std::vector<store::Loss>& losses) {
    json list = json::array();
    for (const auto& loss : losses) list.push_back(to_json(loss));
    answer["losses"] = std::move(list);
    if (losses.size() == 1) answer["loss"] = to_json(losses.front());
}

}  // namespace

LossArgs parse_loss(const json& a) {
    args::only(a, {"card_no", "card_nos", "reason", "push", "devices"});
    LossArgs parsed;
    parsed.cards = cards_of(a);
    parsed.reason = reason_of(a);
    parsed.push = args::push_target(a);
    return parsed;
}

LossArgs parse_unlock(const json& a) {
    args::only(a, {"card_no", "card_nos", "push", "devices"});
    LossArgs parsed;
    parsed.cards = cards_of(a);
    parsed.push = args::push_target(a);
    return parsed;
}

ReplaceArgs parse_replace(const json& a) {
    args::only(a, {"card_no", "new_card_no", "cost", "write_off", "encoder", "wait_s"});
    ReplaceArgs parsed;
    parsed.write_off = args::optional_bool(a, "write_off", false);
    parsed.old_card_no = args::required_int(a, "card_no");
    parsed.new_card_no = args::required_int(a, "new_card_no");
    parsed.cost = args::optional_int(a, "cost").value_or(0);
    parsed.encoder = parse_encoder_choice(a);
    return parsed;
}

LossesArgs parse_losses(const json& a) {
    args::only(a, {"from", "to", "serial", "open"});
    LossesArgs parsed;
    parsed.query.from = args::optional_int(a, "from");
    parsed.query.to = args::optional_int(a, "to");
    parsed.query.card_serial = args::optional_int(a, "serial");
    parsed.query.open_only = args::optional_bool(a, "open", false);
    return parsed;
}

awaitable<Answer> card_loss(Service& service, Request& request, const LossArgs& arguments) {
    const std::vector<store::CardNo>& cards = arguments.cards;
    const store::PushTarget& push = arguments.push;
    std::vector<store::CardRefusal> refused;
    // The store's own check, before records are collected for nothing.
    if (auto checked = service.store.check_losses(cards, &refused); !checked) {
        co_return refused_cards(checked.error(), refused);
    }
    // Records first, as the operating document advises: every card a
    // terminal took before it refuses the lost one is in the store when the
    // answer comes, so the balance a replacement carries is right. One
    // collection for all the cards. Without a push, from every terminal now.
    // With one, from the push's terminals after it: each 0x17 that carries
    // the entries reads back the terminal's records counter as the entries
    // take effect, so only a terminal that took cards meanwhile is read,
    // and a push costs one round trip per terminal instead of two.
    CARDD_CO_TRY(
        sources,
        terminals_for(service.store, push.scope == store::PushTarget::Scope::named ? push : store::PushTarget::all()));
    json not_collected;
    json collected;
    if (push.scope == store::PushTarget::Scope::none) {
        collected = co_await collect_records(service, sources, not_collected);
    }

    store::BlacklistChange change;
    auto reported = service.store.report_losses(actor_of(request), {cards, push, arguments.reason}, &change, &refused);
    if (!reported) co_return refused_cards(reported.error(), refused);
    const std::vector<store::Loss>& losses = *reported;
    const std::size_t terminals = terminals_changed(change).size();
    for (const store::Loss& loss : losses) {
        log_event(msg::loss_reported, {{"card_no", loss.card_no},
                                       {"uid", request.caller.uid},
                                       {"push", push.scope == store::PushTarget::Scope::none ? "none" : "terminals"},
                                       {"terminals", terminals},
                                       {"reason", to_string(loss.reason)}});
    }
    // One push for all the cards: each terminal gets their batches together.
    const AfterPush after_push{std::chrono::steady_clock::now()};
    json failed;
    json pushed = co_await push_to(service, push, failed);
    if (push.scope != store::PushTarget::Scope::none) {
        collected = co_await collect_records(service, sources, not_collected, after_push);
    }
    json answer = {{"collected", collected}, {"not_collected", not_collected}, {"pushed", pushed}, {"failed", failed}};
    add_losses(answer, losses);
    std::string text = cards_named(losses) + " reported lost";
    if (arguments.reason != store::LossReason::lost) text += " (" + std::string(to_string(arguments.reason)) + ")";
    if (push.scope == store::PushTarget::Scope::none) {
        text += losses.size() == 1 ? " in the database only; it still works at terminals until pushed"
                                   : " in the database only; they still work at terminals until pushed";
        answer["works_at_terminals"] = true;
    } else {
        text += "; " + push_summary(pushed, failed);
        answer["works_at_terminals"] = false;
    }
    if (!not_collected.empty()) {
        text += "; records of " + std::to_string(not_collected.size()) + " terminals could not be collected";
    }
    co_return Answer::ok(text, answer);
}

awaitable<Answer> card_unlock(Service& service, Request& request, const LossArgs& arguments) {
    const store::PushTarget& push = arguments.push;
    store::BlacklistChange change;
    std::vector<store::CardRefusal> refused;
    auto unlocked = service.store.unlock_cards(actor_of(request), arguments.cards, push, &change, &refused);
    if (!unlocked) co_return refused_cards(unlocked.error(), refused);
    // One push for all the cards, as for a loss.
    json failed;
    json pushed = co_await push_to(service, push, failed);
    std::string text = cards_named(*unlocked) + " unlocked";
    text += push.scope == store::PushTarget::Scope::none
                ? " in the database only; terminals that had " + std::string(unlocked->size() == 1 ? "it" : "them") +
                      " still refuse " + (unlocked->size() == 1 ? "it" : "them") + " until pushed"
                : "; removal " + push_summary(pushed, failed);
    json answer = {{"pushed", pushed}, {"failed", failed}};
    add_losses(answer, *unlocked);
    co_return Answer::ok(text, answer);
}

awaitable<Answer> card_replace(Service& service, Request& request, const ReplaceArgs& arguments) {
    CARDD_CO_TRY(write_off, write_off_of(request, arguments.write_off));
    const store::CardNo old_no = arguments.old_card_no;
    const store::CardNo new_no = arguments.new_card_no;
    // The store's own check, before records are collected for nothing.
    CARDD_CO_TRY_VOID(service.store.check_replacement(old_no));
    CARDD_CO_TRY(sources, terminals_for(service.store, store::PushTarget::all()));
    json not_collected;
    // The balance moves to the new card: every purchase it can count first.
    json collected = co_await collect_records(service, sources, not_collected, std::nullopt, RestingUnits::ask);
    store::WriteIntent intent;
    intent.kind = store::WriteKind::replace;
    intent.actor = actor_of(request);
    intent.card_no = new_no;
    intent.old_card_no = old_no;
    intent.cost = arguments.cost;
    intent.write_off = write_off;
    // The new card carries the balance the ledger holds after collection.
    CARDD_CO_TRY(balance, service.store.balance(old_no));
    intent.amount = std::max<store::Cents>(balance, 0);
    CARDD_CO_TRY_VOID(rehearse_write(service, intent));
    CARDD_CO_TRY(use, co_await EncoderUse::begin(service, request, arguments.encoder));
    CARDD_CO_TRY_VOID(co_await use->wait_for_card());
    // Placing the card may have settled a write of the old card: the
    // balance to carry is read again, in the same turn as the intent.
    if (auto now = service.store.balance(old_no)) intent.amount = std::max<store::Cents>(*now, 0);
    CARDD_CO_TRY(applied, write_new_card(service, *use, intent, intent.amount));
    const store::Card& card = *applied.card;
    const store::BlacklistChange& change = applied.change;
    CARDD_CO_TRY(old_after, service.store.card(old_no));
    json failed = json::array();
    const auto results = co_await service.distributor.push(terminals_changed(change), service.config.push_timeout,
                                                           ProgressSink(), PushMode::changes_only);
    json pushed = terminal_results_json(results, failed);
    std::string text = "card " + std::to_string(old_no) + " replaced by " + std::to_string(new_no) + ", balance " +
                       protocol::format_yuan(card.balance) + " carried; the old card stays blacklisted";
    if (applied.written_off > 0) {
        text += "; a negative balance of " + protocol::format_yuan(-applied.written_off) +
                " (purchases beyond the ledger) was written off by uid " + std::to_string(intent.actor.uid);
    }
    if (!failed.empty()) text += "; " + push_summary(pushed, failed);
    if (!not_collected.empty()) {
        text += "; records of " + std::to_string(not_collected.size()) +
                " terminals could not be collected first, later purchases will show on the old card";
    }
    co_return Answer::ok(text, {{"card", to_json(card)},
                                {"written_off", applied.written_off},
                                {"old_card", to_json(old_after)},
                                {"collected", collected},
                                {"not_collected", not_collected},
                                {"pushed", pushed},
                                {"failed", failed}});
}

awaitable<Answer> losses(Service& service, Request&, const LossesArgs& arguments) {
    CARDD_CO_TRY(found, service.store.losses(arguments.query));
    json list = json::array();
    for (const auto& loss : found) list.push_back(to_json(loss));
    co_return Answer::ok(std::to_string(found.size()) + " loss reports", {{"losses", list}});
}

}  // namespace cardd::daemon
