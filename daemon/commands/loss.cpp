// card-loss, card-unlock, card-replace, losses.

#include "daemon/control/arguments.hpp"
#include "daemon/card_workflow.hpp"
#include "daemon/card_write.hpp"
#include "daemon/json_view.hpp"
#include "daemon/commands/commands.hpp"
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
    if (!failed.empty()) text += ", " + std::to_string(failed.size()) + " failed (in the retry queue; see 'cardctl failed')";
    return text;
}

}  // namespace

void register_loss_commands(CommandRegistry& registry, Service& service) {
    registry.add("card-loss", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no", "push", "devices"});
        const store::CardNo card_no = args::required_int(request.arguments, "card_no");
        const store::PushTarget push = args::push_target(request.arguments);
        // The store's own check, before records are collected for nothing.
        if (auto reportable = service.store.check_loss(card_no); !reportable) co_return from_error(reportable.error());
        // Records first, as the operating document advises: the balance at
        // the moment of the loss is what a replacement will carry.
        auto sources = terminals_for(service.store, push.scope == store::PushTarget::Scope::named
                                                        ? push
                                                        : store::PushTarget::all());
        if (!sources) co_return from_error(sources.error());
        json not_collected;
        json collected = co_await collect_records(service, *sources, not_collected);

        store::BlacklistChange change;
        auto loss = service.store.report_loss(actor_of(request), card_no, push, &change);
        if (!loss) co_return from_error(loss.error());
        json failed;
        json pushed = co_await push_to(service, push, failed);
        json arguments = {{"loss", to_json(*loss)},   {"collected", collected}, {"not_collected", not_collected},
                          {"pushed", pushed},         {"failed", failed}};
        std::string text = "card " + std::to_string(card_no) + " reported lost";
        if (push.scope == store::PushTarget::Scope::none) {
            text += " in the database only; it still works at terminals until pushed";
            arguments["works_at_terminals"] = true;
        } else {
            text += "; " + push_summary(pushed, failed);
            arguments["works_at_terminals"] = false;
        }
        if (!not_collected.empty()) {
            text += "; records of " + std::to_string(not_collected.size()) + " terminals could not be collected first";
        }
        co_return Answer::ok(text, arguments);
    });

    registry.add("card-unlock", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no", "push", "devices"});
        const store::CardNo card_no = args::required_int(request.arguments, "card_no");
        const store::PushTarget push = args::push_target(request.arguments);
        store::BlacklistChange change;
        auto loss = service.store.unlock(actor_of(request), card_no, push, &change);
        if (!loss) co_return from_error(loss.error());
        json failed;
        json pushed = co_await push_to(service, push, failed);
        std::string text = "card " + std::to_string(card_no) + " unlocked";
        text += push.scope == store::PushTarget::Scope::none
                    ? " in the database only; terminals that had it still refuse it until pushed"
                    : "; removal " + push_summary(pushed, failed);
        co_return Answer::ok(text, {{"loss", to_json(*loss)}, {"pushed", pushed}, {"failed", failed}});
    });

    registry.add("card-replace", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no", "new_card_no", "cost", "write_off", "encoder", "wait_s"});
        const auto write_off = write_off_of(request);
        if (!write_off) co_return write_off.error();
        const store::CardNo old_no = args::required_int(request.arguments, "card_no");
        const store::CardNo new_no = args::required_int(request.arguments, "new_card_no");
        store::IssueOptions options;
        options.cost = args::optional_int(request.arguments, "cost").value_or(0);
        if (auto replaceable = service.store.check_replacement(old_no); !replaceable) {
            co_return from_error(replaceable.error());
        }
        auto sources = terminals_for(service.store, store::PushTarget::all());
        if (!sources) co_return from_error(sources.error());
        json not_collected;
        json collected = co_await collect_records(service, *sources, not_collected);
        store::WriteIntent intent;
        intent.kind = store::WriteKind::replace;
        intent.actor = actor_of(request);
        intent.card_no = new_no;
        intent.old_card_no = old_no;
        intent.cost = options.cost;
        intent.write_off = *write_off;
        // The new card carries the balance the ledger holds after collection.
        auto balance = service.store.balance(old_no);
        if (!balance) co_return from_error(balance.error());
        intent.amount = std::max<store::Cents>(*balance, 0);
        if (auto rehearsed = rehearse_write(service, intent); !rehearsed) co_return from_error(rehearsed.error());
        auto use = co_await EncoderUse::begin(service, request);
        if (!use) co_return use.error();
        auto none = co_await (*use)->wait_for_card();
        if (none) co_return *none;
        // Placing the card may have settled a write of the old card: the
        // balance to carry is read again, in the same turn as the intent.
        if (auto now = service.store.balance(old_no)) intent.amount = std::max<store::Cents>(*now, 0);
        auto applied = write_new_card(service, **use, intent, intent.amount);
        if (!applied) co_return from_error(applied.error());
        const store::Card* card = &*applied->card;
        const store::BlacklistChange& change = applied->change;
        auto old_after = service.store.card(old_no);
        if (!old_after) co_return from_error(old_after.error());
        json failed = json::array();
        const auto results = co_await service.distributor.push(terminals_changed(change), service.config.push_timeout);
        json pushed = terminal_results_json(results, failed);
        std::string text = "card " + std::to_string(old_no) + " replaced by " + std::to_string(new_no) + ", balance " +
                           protocol::format_yuan(card->balance) + " carried; the old card stays blacklisted";
        if (applied->written_off > 0) {
            text += "; a negative balance of " + protocol::format_yuan(-applied->written_off) +
                    " (purchases beyond the ledger) was written off by uid " + std::to_string(intent.actor.uid);
        }
        if (!failed.empty()) text += "; " + push_summary(pushed, failed);
        if (!not_collected.empty()) {
            text += "; records of " + std::to_string(not_collected.size()) +
                    " terminals could not be collected first, later purchases will show on the old card";
        }
        co_return Answer::ok(text, {{"card", to_json(*card)},
                                    {"written_off", applied->written_off},
                                    {"old_card", to_json(*old_after)},
                                    {"collected", collected},
                                    {"not_collected", not_collected},
                                    {"pushed", pushed},
                                    {"failed", failed}});
    });

    registry.add("losses", Role::viewer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"from", "to", "serial", "open"});
        store::LossQuery query;
        query.from = args::optional_int(request.arguments, "from");
        query.to = args::optional_int(request.arguments, "to");
        query.card_serial = args::optional_int(request.arguments, "serial");
        query.open_only = args::optional_bool(request.arguments, "open", false);
        auto losses = service.store.losses(query);
        if (!losses) co_return from_error(losses.error());
        json list = json::array();
        for (const auto& loss : *losses) list.push_back(to_json(loss));
        co_return Answer::ok(std::to_string(losses->size()) + " loss reports", {{"losses", list}});
    });
}

}  // namespace cardd::daemon
