// card-topup, card-refund-close, card-info, card-return.

#include "daemon/arguments.hpp"
#include "daemon/card_workflow.hpp"
#include "daemon/log.hpp"
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
        args::only(request.arguments, {"card_no", "amount", "encoder", "wait_s"});
        const store::Cents amount = args::required_int(request.arguments, "amount");
        const store::CardNo card_no = args::required_int(request.arguments, "card_no");
        const store::Actor actor = actor_of(request);
        const CardChange change = [&](const store::CardStep* step) {
            return service.store.top_up(actor, card_no, amount, step);
        };
        if (auto rehearsed = rehearse(change); !rehearsed) co_return from_error(rehearsed.error());
        auto use = co_await EncoderUse::begin(service, request);
        if (!use) co_return use.error();
        auto none = co_await (*use)->wait_for_card();
        if (none) co_return *none;
        auto before = read_expected_card(service, **use, card_no);
        if (!before) co_return from_error(before.error());
        // The rehearsal bounded the amount by the ledger; the card's own value
        // block is bounded too.
        encoder::CardSession& session = (*use)->session();
        std::optional<encoder::CardImage> after;
        const store::CardStep step{
            [&](const store::Card&) -> store::Result<void> {
                auto changed = session.add_to_balance(static_cast<std::int32_t>(amount));
                if (!changed) {
                    log_event(Level::warn, msg::card_write_failed, "encoder={} card_no={} error={}", (*use)->name(),
                              card_no, changed.error().message);
                    return std::unexpected(card_error(changed.error()));
                }
                after = *changed;
                log_event(Level::info, msg::card_written, "encoder={} card_no={} topup={}", (*use)->name(), card_no,
                          amount);
                return {};
            },
            [&] {
                if (auto undone = session.add_to_balance(-static_cast<std::int32_t>(amount)); !undone) {
                    log_event(Level::error, msg::card_undo_failed, "encoder={} card_no={} extra_cents={} error={}",
                              (*use)->name(), card_no, amount, undone.error().message);
                }
            }};
        auto card = change(&step);
        if (!card) co_return from_error(card.error());
        co_return Answer::ok("card " + std::to_string(card->card_no) + " topped up by " + yuan(amount) + ", balance " +
                                 yuan(card->balance) + " (the card holds " + yuan(after->balance) + ")" +
                                 (after->verified ? "" : "; the card left before it was read back: check it with "
                                                         "cardctl card read"),
                             {{"card", to_json(*card)}, {"on_card", to_json(*after)}});
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
        args::only(request.arguments, {"card_no", "wipe", "refund", "encoder", "wait_s"});
        const store::CardNo card_no = args::required_int(request.arguments, "card_no");
        const bool refund = args::optional_bool(request.arguments, "refund", true);
        const bool wipe = args::optional_bool(request.arguments, "wipe", false);
        const store::Actor actor = actor_of(request);
        const CardChange change = [&](const store::CardStep* step) {
            return service.store.return_card(actor, card_no, refund, step);
        };
        if (auto rehearsed = rehearse(change); !rehearsed) co_return from_error(rehearsed.error());
        json not_collected;
        if (refund) co_await collect_everywhere(service, not_collected);
        std::unique_ptr<EncoderUse> use;
        std::optional<encoder::CardImage> image;
        if (wipe) {
            auto begun = co_await EncoderUse::begin(service, request);
            if (!begun) co_return begun.error();
            use = std::move(*begun);
            auto none = co_await use->wait_for_card();
            if (none) co_return *none;
            auto read = read_expected_card(service, *use, card_no);
            if (!read) co_return from_error(read.error());
            image = *read;
        }
        std::optional<encoder::WipeOutcome> wiped;
        const store::CardStep step{
            [&](const store::Card&) -> store::Result<void> {
                auto outcome = use->session().wipe();
                if (!outcome) {
                    log_event(Level::warn, msg::card_write_failed, "encoder={} card_no={} error={}", use->name(), card_no,
                              outcome.error().message);
                    return std::unexpected(card_error(outcome.error()));
                }
                wiped = *outcome;
                log_event(Level::info, msg::card_written, "encoder={} card_no={} wiped={}", use->name(), card_no,
                          *outcome == encoder::WipeOutcome::blank ? "blank" : "unfinished");
                return {};
            },
            [&] {
                if (auto restored = use->session().write(image->identity, image->balance, image->counter); !restored) {
                    log_event(Level::error, msg::card_undo_failed, "encoder={} card_no={} extra_cents={} error={}",
                              use->name(), card_no, -image->balance, restored.error().message);
                }
            }};
        // No co_await between reading the balance and returning the card, so
        // nothing can change it in between: the store is served on one thread.
        auto balance = service.store.balance(card_no);
        if (!balance) co_return from_error(balance.error());
        auto card = change(wipe ? &step : nullptr);
        if (!card) co_return from_error(card.error());
        const store::Cents refunded = refund && *balance > 0 ? *balance : 0;
        co_return Answer::ok("card " + std::to_string(card_no) + " returned" +
                                 (refund ? ", " + yuan(refunded) + " refunded in cash"
                                         : ", balance " + yuan(card->balance) + " kept on its ledger") +
                                 (!wiped                                     ? ""
                                  : *wiped == encoder::WipeOutcome::blank ? "; the card is blank again"
                                                                          : "; the card's balance is zero, but it was taken "
                                                                            "away before the wipe finished: run cardctl "
                                                                            "card init on it") +
                                 collection_note(not_collected),
                             {{"card", to_json(*card)},
                              {"refunded", refunded},
                              {"wiped", wiped ? json(*wiped == encoder::WipeOutcome::blank ? "blank" : "unfinished")
                                              : json(nullptr)},
                              {"not_collected", not_collected}});
    });
}

}  // namespace cardd::daemon
