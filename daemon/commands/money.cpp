// card-topup, card-refund-close, card-return.

#include "daemon/commands/money.hpp"

#include "daemon/control/arguments.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/card_workflow.hpp"
#include "daemon/card_write.hpp"
#include "daemon/log.hpp"
#include "daemon/json_view.hpp"
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
    co_return co_await collect_records(service, std::move(*terminals), not_collected, std::nullopt, RestingUnits::ask);
}

std::string collection_note(const json& not_collected) {
    if (not_collected.empty()) return "";
    return "; " + std::to_string(not_collected.size()) +
           " terminals could not be collected first, so their latest purchases are not counted yet";
}

store::WriteIntent intent_for(store::WriteKind kind, Request& request, store::CardNo card_no) {
    store::WriteIntent intent;
    intent.kind = kind;
    intent.actor = actor_of(request);
    intent.card_no = card_no;
    return intent;
}

/// Wipes the card handed in through the journal: the card holds no money
/// after, so it need not be blacklisted.
awaitable<std::expected<store::AppliedWrite, Answer>> wipe_card(Service& service, Request& request,
                                                                const EncoderChoice& encoder,
                                                                const store::WriteIntent& intent) {
    CARDD_CO_TRY(use, co_await EncoderUse::begin(service, request, encoder));
    CARDD_CO_TRY_VOID(co_await use->wait_for_card());
    CARDD_CO_TRY_VOID(read_expected_card(service, *use, intent.card_no));
    CARDD_CO_TRY(applied,
                 write_card(service, *use, intent, [](const store::WriteIntent&) { return encoder::blank_sector(); }));
    co_return std::move(applied);
}

/// Closes a card that is not on an encoder: the store change alone, and the
/// card on every terminal's blacklist.
std::expected<store::AppliedWrite, Answer> close_without_card(Service& service, const store::WriteIntent& intent) {
    store::AppliedWrite closed;
    closed.intent = intent;
    // The balance, read in the same turn of the loop as the change: nothing runs in between.
    auto balance = service.store.balance(intent.card_no);
    if (!balance) return std::unexpected(from_error(balance.error()));
    auto card =
        intent.kind == store::WriteKind::refund_close
            ? service.store.refund_close(intent.actor, intent.card_no, &closed.change, intent.write_off)
            : service.store.return_card(intent.actor, intent.card_no, intent.refund, &closed.change, intent.write_off);
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
        return {{"card", to_json(*closed.card)},
                {"refunded", closed.refunded},
                {"written_off", closed.written_off},
                {"collected", collected},
                {"not_collected", not_collected},
                {"pushed", pushed},
                {"failed", failed}};
    }

    std::string notes(bool wiped) const {
        std::string note =
            wiped ? "; the card is blank again" : "; the card was not wiped, so it goes on every terminal's blacklist";
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
                                                     const CloseArgs& arguments, bool wipe) {
    CARDD_CO_TRY(write_off, write_off_of(request, arguments.write_off));
    intent.write_off = write_off;
    CARDD_CO_TRY_VOID(rehearse_write(service, intent));
    Closing closing;
    if (intent.refund) closing.collected = co_await collect_everywhere(service, closing.not_collected);
    // Two statements, not a conditional around co_await: GCC 12
    // miscompiles the latter (a double free).
    std::expected<store::AppliedWrite, Answer> closed = std::unexpected(Answer{});
    if (wipe)
        closed = co_await wipe_card(service, request, arguments.encoder, intent);
    else
        closed = close_without_card(service, intent);
    CARDD_CO_TRY(done, std::move(closed));
    closing.closed = std::move(done);
    const auto results = co_await service.distributor.push(
        terminals_changed(closing.closed.change), service.config.push_timeout, ProgressSink(), PushMode::changes_only);
    closing.pushed = terminal_results_json(results, closing.failed);
    co_return closing;
}
}  // namespace

TopupArgs parse_topup(const json& a) {
    args::only(a, {"card_no", "amount", "encoder", "wait_s"});
    TopupArgs parsed;
    parsed.card_no = args::required_int(a, "card_no");
    parsed.amount = args::required_int(a, "amount");
    parsed.encoder = parse_encoder_choice(a);
    return parsed;
}

CloseArgs parse_refund_close(const json& a) {
    args::only(a, {"card_no", "wipe", "write_off", "encoder", "wait_s"});
    CloseArgs parsed;
    parsed.card_no = args::required_int(a, "card_no");
    parsed.wipe = args::optional_bool(a, "wipe");
    parsed.write_off = args::optional_bool(a, "write_off", false);
    parsed.encoder = parse_encoder_choice(a);
    return parsed;
}

CloseArgs parse_return(const json& a) {
    args::only(a, {"card_no", "wipe", "refund", "write_off", "encoder", "wait_s"});
    CloseArgs parsed;
    parsed.card_no = args::required_int(a, "card_no");
    parsed.refund = args::optional_bool(a, "refund", true);
    parsed.wipe = args::optional_bool(a, "wipe");
    parsed.write_off = args::optional_bool(a, "write_off", false);
    parsed.encoder = parse_encoder_choice(a);
    return parsed;
}

awaitable<Answer> card_topup(Service& service, Request& request, const TopupArgs& arguments) {
    store::WriteIntent intent = intent_for(store::WriteKind::topup, request, arguments.card_no);
    intent.amount = arguments.amount;
    CARDD_CO_TRY_VOID(rehearse_write(service, intent));
    CARDD_CO_TRY(use, co_await EncoderUse::begin(service, request, arguments.encoder));
    CARDD_CO_TRY_VOID(co_await use->wait_for_card());
    CARDD_CO_TRY(before, read_expected_card(service, *use, intent.card_no));
    // The rehearsal bounded the amount by the ledger; the card's own value
    // block is bounded too.
    const std::int64_t on_card = std::int64_t{before.balance} + intent.amount;
    if (on_card > store::max_card_balance || before.counter >= protocol::card::max_counter) {
        co_return Answer::failure(ResultCode::card_failed, "card " + std::to_string(intent.card_no) + " holds " +
                                                               protocol::format_yuan(before.balance) +
                                                               "; a top-up of " + protocol::format_yuan(intent.amount) +
                                                               " leaves its value block's range");
    }
    const int sector = use->sector();
    CARDD_CO_TRY(applied, write_card(service, *use, intent, [&](const store::WriteIntent&) {
                     return encoder::card_sector(before.identity, static_cast<std::int32_t>(on_card),
                                                 before.counter + 1, sector);
                 }));
    const store::Card& card = *applied.card;
    co_return Answer::ok(
        "card " + std::to_string(card.card_no) + " topped up by " + protocol::format_yuan(intent.amount) +
            ", balance " + protocol::format_yuan(card.balance) + " (the card holds " + protocol::format_yuan(on_card) +
            ")",
        {{"card", to_json(card)}, {"on_card", {{"balance", on_card}, {"counter", before.counter + 1}}}});
}

awaitable<Answer> card_refund_close(Service& service, Request& request, const CloseArgs& arguments) {
    store::WriteIntent intent = intent_for(store::WriteKind::refund_close, request, arguments.card_no);
    intent.refund = true;
    CARDD_CO_TRY(before, service.store.card(intent.card_no));
    // An active card is handed in and wiped; a lost one is not here, so
    // only the blacklist stops it.
    const bool wipe = arguments.wipe.value_or(before.state == store::CardState::active);
    CARDD_CO_TRY(closing, co_await close_card(service, request, intent, arguments, wipe));
    const store::AppliedWrite& closed = closing.closed;
    json answer = closing.arguments();
    answer["wiped"] = wipe;
    co_return Answer::ok("card " + std::to_string(intent.card_no) + " closed, " +
                             protocol::format_yuan(closed.refunded) + " refunded in cash" + closing.notes(wipe),
                         std::move(answer));
}

awaitable<Answer> card_return(Service& service, Request& request, const CloseArgs& arguments) {
    store::WriteIntent intent = intent_for(store::WriteKind::card_return, request, arguments.card_no);
    intent.refund = arguments.refund;
    const bool wipe = arguments.wipe.value_or(false);
    CARDD_CO_TRY(closing, co_await close_card(service, request, intent, arguments, wipe));
    const store::Card& card = *closing.closed.card;
    json answer = closing.arguments();
    answer["wiped"] = wipe ? json("blank") : json(nullptr);
    co_return Answer::ok(
        "card " + std::to_string(card.card_no) + " returned" +
            (intent.refund ? ", " + protocol::format_yuan(closing.closed.refunded) + " refunded in cash"
                           : ", balance " + protocol::format_yuan(card.balance) + " kept on its ledger") +
            closing.notes(wipe),
        std::move(answer));
}

}  // namespace cardd::daemon
