// card-topup, card-refund-close, card-return.

#include "daemon/control/arguments.hpp"
#include "daemon/card_workflow.hpp"
#include "daemon/card_write.hpp"
#include "daemon/log.hpp"
#include "daemon/json_view.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/service.hpp"
#include "protocol/money.hpp"

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

store::WriteIntent intent_for(store::WriteKind kind, Request& request) {
    store::WriteIntent intent;
    intent.kind = kind;
    intent.actor = actor_of(request);
    intent.card_no = args::required_int(request.arguments, "card_no");
    return intent;
}

/// Wipes the card handed in through the journal: the card holds no money
/// after, so it need not be blacklisted.
awaitable<std::expected<store::AppliedWrite, Answer>> wipe_card(Service& service, Request& request,
                                                               const store::WriteIntent& intent) {
    auto use = co_await EncoderUse::begin(service, request);
    if (!use) co_return std::unexpected(use.error());
    auto none = co_await (*use)->wait_for_card();
    if (none) co_return std::unexpected(*none);
    auto read = read_expected_card(service, **use, intent.card_no);
    if (!read) co_return std::unexpected(from_error(read.error()));
    auto applied = write_card(service, **use, intent,
                              [](const store::WriteIntent&) { return encoder::blank_sector(); });
    if (!applied) co_return std::unexpected(from_error(applied.error()));
    co_return std::move(*applied);
}

/// Closes a card that is not on an encoder: the store change alone, and the
/// card on every terminal's blacklist.
std::expected<store::AppliedWrite, Answer> close_without_card(Service& service, const store::WriteIntent& intent) {
    store::AppliedWrite closed;
    closed.intent = intent;
    // The balance, read in the same turn of the loop as the change: nothing runs in between.
    auto balance = service.store.balance(intent.card_no);
    if (!balance) return std::unexpected(from_error(balance.error()));
    auto card = intent.kind == store::WriteKind::refund_close
                    ? service.store.refund_close(intent.actor, intent.card_no, &closed.change, intent.write_off)
                    : service.store.return_card(intent.actor, intent.card_no, intent.refund, &closed.change,
                                                 intent.write_off);
    if (!card) return std::unexpected(from_error(card.error()));
    closed.card = *card;
    closed.written_off = *balance < 0 ? -*balance : 0;
    closed.refunded = intent.refund && *balance > 0 ? *balance : 0;
    return closed;
}

/// A card closed (refund and close, return): the store change, the
/// records collected first and the terminals the blacklist went to.
struct Closing {
    store::AppliedWrite closed;
    json collected = json::array();
    json not_collected = json::array();
    json pushed = json::array();
    json failed = json::array();

    json arguments() const {
        return {{"card", to_json(*closed.card)}, {"refunded", closed.refunded}, {"written_off", closed.written_off},
                {"collected", collected},      {"not_collected", not_collected},
                {"pushed", pushed},            {"failed", failed}};
    }

    std::string notes(bool wiped) const {
        std::string note = wiped ? "; the card is blank again"
                                 : "; the card was not wiped, so it goes on every terminal's blacklist";
        if (closed.written_off > 0) {
            note += "; a negative balance of " + protocol::format_yuan(-closed.written_off) +
                    " (purchases beyond the ledger) was written off by uid " + std::to_string(closed.intent.actor.uid);
        }
        return note + collection_note(not_collected);
    }
};

/// Rehearses the close, collects records first when money is paid out,
/// wipes the card through the journal or closes it without the card, and
/// pushes the blacklist change.
awaitable<std::expected<Closing, Answer>> close_card(Service& service, Request& request, store::WriteIntent& intent,
                                                    bool wipe) {
    const auto write_off = write_off_of(request);
    if (!write_off) co_return std::unexpected(write_off.error());
    intent.write_off = *write_off;
    if (auto rehearsed = rehearse_write(service, intent); !rehearsed) {
        co_return std::unexpected(from_error(rehearsed.error()));
    }
    Closing closing;
    if (intent.refund) closing.collected = co_await collect_everywhere(service, closing.not_collected);
    // Two statements, not a conditional around co_await: GCC 12
    // miscompiles the latter (a double free).
    std::expected<store::AppliedWrite, Answer> closed = std::unexpected(Answer{});
    if (wipe) closed = co_await wipe_card(service, request, intent);
    else closed = close_without_card(service, intent);
    if (!closed) co_return std::unexpected(closed.error());
    closing.closed = std::move(*closed);
    const auto results =
        co_await service.distributor.push(terminals_changed(closing.closed.change), service.config.push_timeout);
    closing.pushed = terminal_results_json(results, closing.failed);
    co_return closing;
}
}  // namespace

void register_money_commands(CommandRegistry& registry, Service& service) {
    registry.add("card-topup", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no", "amount", "encoder", "wait_s"});
        store::WriteIntent intent = intent_for(store::WriteKind::topup, request);
        intent.amount = args::required_int(request.arguments, "amount");
        if (auto rehearsed = rehearse_write(service, intent); !rehearsed) co_return from_error(rehearsed.error());
        auto use = co_await EncoderUse::begin(service, request);
        if (!use) co_return use.error();
        auto none = co_await (*use)->wait_for_card();
        if (none) co_return *none;
        auto before = read_expected_card(service, **use, intent.card_no);
        if (!before) co_return from_error(before.error());
        // The rehearsal bounded the amount by the ledger; the card's own value
        // block is bounded too.
        const std::int64_t on_card = std::int64_t{before->balance} + intent.amount;
        if (on_card > store::max_card_balance || before->counter >= protocol::card::max_counter) {
            co_return Answer::failure(ResultCode::card_failed, "card " + std::to_string(intent.card_no) + " holds " +
                                                                   protocol::format_yuan(before->balance) + "; a top-up of " +
                                                                   protocol::format_yuan(intent.amount) + " leaves its value block's range");
        }
        auto applied = write_card(service, **use, intent, [&](const store::WriteIntent&) {
            return encoder::card_sector(before->identity, static_cast<std::int32_t>(on_card), before->counter + 1,
                                        (*use)->sector());
        });
        if (!applied) co_return from_error(applied.error());
        const store::Card& card = *applied->card;
        co_return Answer::ok("card " + std::to_string(card.card_no) + " topped up by " + protocol::format_yuan(intent.amount) +
                                 ", balance " + protocol::format_yuan(card.balance) + " (the card holds " + protocol::format_yuan(on_card) + ")",
                             {{"card", to_json(card)}, {"on_card", {{"balance", on_card}, {"counter", before->counter + 1}}}});
    });

    registry.add("card-refund-close", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no", "wipe", "write_off", "encoder", "wait_s"});
        store::WriteIntent intent = intent_for(store::WriteKind::refund_close, request);
        intent.refund = true;
        auto before = service.store.card(intent.card_no);
        if (!before) co_return from_error(before.error());
        // An active card is handed in and wiped; a lost one is not here, so
        // only the blacklist stops it.
        const bool wipe = args::optional_bool(request.arguments, "wipe", before->state == store::CardState::active);
        auto closing = co_await close_card(service, request, intent, wipe);
        if (!closing) co_return closing.error();
        const store::AppliedWrite& closed = closing->closed;
        json answer = closing->arguments();
        answer["wiped"] = wipe;
        co_return Answer::ok("card " + std::to_string(intent.card_no) + " closed, " + protocol::format_yuan(closed.refunded) +
                                 " refunded in cash" + closing->notes(wipe),
                             std::move(answer));
    });

    registry.add("card-return", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"card_no", "wipe", "refund", "write_off", "encoder", "wait_s"});
        store::WriteIntent intent = intent_for(store::WriteKind::card_return, request);
        intent.refund = args::optional_bool(request.arguments, "refund", true);
        const bool wipe = args::optional_bool(request.arguments, "wipe", false);
        auto closing = co_await close_card(service, request, intent, wipe);
        if (!closing) co_return closing.error();
        const store::Card& card = *closing->closed.card;
        json answer = closing->arguments();
        answer["wiped"] = wipe ? json("blank") : json(nullptr);
        co_return Answer::ok("card " + std::to_string(card.card_no) + " returned" +
                                 (intent.refund ? ", " + protocol::format_yuan(closing->closed.refunded) + " refunded in cash"
                                                : ", balance " + protocol::format_yuan(card.balance) + " kept on its ledger") +
                                 closing->notes(wipe),
                             std::move(answer));
    });
}

}  // namespace cardd::daemon
