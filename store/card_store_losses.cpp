#include <algorithm>

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

Result<std::vector<std::string>> CardStore::terminal_names(std::int64_t loss_id, std::string_view role) {
    CARDD_TRY(
        rows,
        query(*db_, "SELECT terminal_name FROM loss_terminals WHERE loss_id = ? AND role = ? ORDER BY terminal_name",
              {loss_id, std::string(role)}));
    std::vector<std::string> names;
    for (const Row& row : rows) names.push_back(as_text(row[0]));
    return names;
}

namespace {

Result<void> require_reportable(const Card& card) {
    if (card.state == CardState::active) return {};
    return fail(Errc::conflict, "card " + std::to_string(card.card_no) + " is " + std::string(to_string(card.state)) +
                                    "; only an active card can be reported lost");
}

Result<void> require_unlockable(const Card& card) {
    if (card.state == CardState::lost) return {};
    return fail(Errc::conflict, "card " + std::to_string(card.card_no) + " is " + std::string(to_string(card.state)) +
                                    "; only a lost card can be unlocked");
}

/// The cards of a change of several: at least one, each once.
Result<void> check_card_list(std::span<const CardNo> cards) {
    if (cards.empty()) return fail(Errc::invalid_argument, "name at least one card");
    std::vector<CardNo> sorted(cards.begin(), cards.end());
    std::ranges::sort(sorted);
    if (const auto twice = std::ranges::adjacent_find(sorted); twice != sorted.end()) {
        return fail(Errc::invalid_argument, "card " + std::to_string(*twice) + " is named twice");
    }
    return {};
}

/// The error of a change refused for some of its cards. One card keeps its
/// own refusal; several are counted, the first few named (all are in
/// `refused`). Any clash with a card's state makes it a conflict.
Error refusal_of(const std::vector<CardRefusal>& refusals, std::size_t asked, std::string_view doing) {
    if (asked == 1) return Error{refusals.front().code, refusals.front().text};
    constexpr std::size_t named = 3;
    const bool clash = std::ranges::any_of(refusals, [](const CardRefusal& r) { return r.code == Errc::conflict; });
    std::string text = std::to_string(refusals.size()) + " of " + std::to_string(asked) + " cards cannot be " +
                       std::string(doing) + ", so none was: ";
    for (std::size_t i = 0; i < refusals.size() && i < named; ++i) {
        std::string sentence = refusals[i].text;
        if (i > 0 && !sentence.empty() && sentence[0] >= 'a' && sentence[0] <= 'z') {
            sentence[0] = static_cast<char>(sentence[0] - 'a' + 'A');
        }
        text += (i ? ". " : "") + sentence;
    }
    if (refusals.size() > named) text += ". And " + std::to_string(refusals.size() - named) + " more";
    return Error{clash ? Errc::conflict : refusals.front().code, text};
}

}  // namespace

Result<std::vector<Card>> CardStore::load_cards(std::span<const CardNo> card_nos,
                                                const std::function<Result<void>(const Card&)>& rule,
                                                std::vector<CardRefusal>& refused) {
    std::vector<Card> cards;
    cards.reserve(card_nos.size());
    for (const CardNo card_no : card_nos) {
        auto card = load_card(card_no);
        if (!card && card.error().code != Errc::not_found) return std::unexpected(card.error());
        auto allowed = card ? rule(*card) : Result<void>(std::unexpected(card.error()));
        if (!allowed) {
            refused.push_back({card_no, allowed.error().code, allowed.error().message});
            continue;
        }
        cards.push_back(std::move(*card));
    }
    return cards;
}

Result<void> CardStore::check_loss(CardNo card_no) {
    const CardNo cards[] = {card_no};
    return check_losses(cards);
}

Result<void> CardStore::check_losses(std::span<const CardNo> card_nos, std::vector<CardRefusal>* refused) {
    CARDD_TRY_VOID(check_card_list(card_nos));
    std::vector<CardRefusal> refusals;
    CARDD_TRY(cards, load_cards(card_nos, require_reportable, refusals));
    (void)cards;
    if (refusals.empty()) return {};
    const Error error = refusal_of(refusals, card_nos.size(), "reported lost");
    if (refused) *refused = std::move(refusals);
    return std::unexpected(error);
}

Result<Loss> CardStore::report_loss(const Actor& actor, CardNo card_no, const PushTarget& push,
                                    BlacklistChange* change) {
    CARDD_TRY(reported, report_losses(actor, LossReport{{card_no}, push, LossReason::lost}, change));
    return std::move(reported.front());
}

Result<std::vector<Loss>> CardStore::report_losses(const Actor& actor, const LossReport& report,
                                                   BlacklistChange* change, std::vector<CardRefusal>* refused) {
    CARDD_TRY_VOID(check_card_list(report.cards));
    const PushTarget& push = report.push;
    return transaction([&]() -> Result<std::vector<Loss>> {
        std::vector<CardRefusal> refusals;
        CARDD_TRY(cards, load_cards(report.cards, require_reportable, refusals));
        if (!refusals.empty()) {
            const Error error = refusal_of(refusals, report.cards.size(), "reported lost");
            if (refused) *refused = std::move(refusals);
            return std::unexpected(error);
        }
        CARDD_TRY(terminals, resolve_terminals(push));
        const UnixTime now = clock_();
        const std::string scope(to_string(push.scope));
        const std::string reason(to_string(report.reason));
        std::vector<Loss> losses;
        losses.reserve(cards.size());
        for (const Card& card : cards) {
            CARDD_TRY_VOID(execute(*db_, "UPDATE cards SET state = 'lost' WHERE card_no = ?", {card.card_no}));
            CARDD_TRY_VOID(execute(
                *db_, "INSERT INTO losses (card_no, reported_at, reported_by, push, reason) VALUES (?, ?, ?, ?, ?)",
                {card.card_no, now, actor.uid, scope, reason}));
            const std::int64_t loss_id = db_->last_insert_id();
            for (const std::string& name : push.terminals) {
                CARDD_TRY_VOID(
                    execute(*db_, "INSERT INTO loss_terminals (loss_id, role, terminal_name) VALUES (?, 'loss', ?)",
                            {loss_id, name}));
            }
            CARDD_TRY_VOID(audit(actor, "card.loss",
                                 "card_no=" + std::to_string(card.card_no) + " push=" + scope + " reason=" + reason));
            Loss loss;
            loss.id = loss_id;
            loss.card_no = card.card_no;
            loss.card_serial = card.serial;
            loss.staff_no = card.staff_no;
            loss.name = card.name;
            loss.reported_at = now;
            loss.reported_by = actor.uid;
            loss.push = push.scope;
            loss.terminals = push.terminals;
            loss.reason = report.reason;
            losses.push_back(std::move(loss));
        }
        // Every card in one change per terminal: a few batches of many
        // cards, not one batch a card.
        if (push.scope == PushTarget::Scope::all) {
            CARDD_TRY_VOID(blacklist_everywhere(report.cards, change));
        } else {
            for (DeviceId terminal : terminals)
                CARDD_TRY_VOID(change_terminal_set(terminal, BatchOp::add, report.cards, change));
        }
        return losses;
    });
}

Result<Loss> CardStore::unlock(const Actor& actor, CardNo card_no, const PushTarget& push, BlacklistChange* change) {
    const CardNo cards[] = {card_no};
    CARDD_TRY(unlocked, unlock_cards(actor, cards, push, change));
    return std::move(unlocked.front());
}

Result<std::vector<Loss>> CardStore::unlock_cards(const Actor& actor, std::span<const CardNo> card_nos,
                                                  const PushTarget& push, BlacklistChange* change,
                                                  std::vector<CardRefusal>* refused) {
    CARDD_TRY_VOID(check_card_list(card_nos));
    return transaction([&]() -> Result<std::vector<Loss>> {
        std::vector<CardRefusal> refusals;
        CARDD_TRY(cards, load_cards(card_nos, require_unlockable, refusals));
        if (!refusals.empty()) {
            const Error error = refusal_of(refusals, card_nos.size(), "unlocked");
            if (refused) *refused = std::move(refusals);
            return std::unexpected(error);
        }
        CARDD_TRY(terminals, resolve_terminals(push));
        const std::string scope(to_string(push.scope));
        std::vector<std::int64_t> loss_ids;
        for (const Card& card : cards) {
            const CardNo card_no = card.card_no;
            CARDD_TRY(open_loss, query_one(*db_,
                                           "SELECT id FROM losses WHERE card_no = ? AND unlocked_at IS NULL "
                                           "ORDER BY id DESC LIMIT 1",
                                           {card_no}));
            if (!open_loss) {
                return fail(Errc::storage, "store: card " + std::to_string(card_no) + " is lost without a loss record");
            }
            const std::int64_t loss_id = as_int((*open_loss)[0]);
            loss_ids.push_back(loss_id);
            CARDD_TRY_VOID(execute(*db_, "UPDATE cards SET state = 'active' WHERE card_no = ?", {card_no}));
            CARDD_TRY_VOID(execute(*db_,
                                   "UPDATE losses SET unlocked_at = ?, unlocked_by = ?, unlock_push = ? WHERE id = ?",
                                   {clock_(), actor.uid, scope, loss_id}));
            for (const std::string& name : push.terminals) {
                CARDD_TRY_VOID(
                    execute(*db_, "INSERT INTO loss_terminals (loss_id, role, terminal_name) VALUES (?, 'unlock', ?)",
                            {loss_id, name}));
            }
            CARDD_TRY_VOID(audit(actor, "card.unlock", "card_no=" + std::to_string(card_no) + " push=" + scope));
        }
        // Terminals added from now on must not learn a card that is usable
        // again; terminals not chosen keep refusing it until pushed, as asked.
        CARDD_TRY_VOID(unlist(card_nos, terminals, change));
        CARDD_TRY(unlocked, losses_by_id(loss_ids));
        if (unlocked.size() != loss_ids.size()) return fail(Errc::storage, "store: an unlocked loss record vanished");
        return unlocked;
    });
}

Result<std::vector<Loss>> CardStore::losses(const LossQuery& filter) {
    Conditions where;
    if (filter.from) where.add("l.reported_at >= ?", *filter.from);
    if (filter.to) where.add("l.reported_at <= ?", *filter.to);
    if (filter.card_serial) where.add("c.serial = ?", *filter.card_serial);
    if (filter.open_only) where.add("l.unlocked_at IS NULL");
    return losses_where(where.sql(), where.params());
}

Result<std::vector<Loss>> CardStore::losses_by_id(std::span<const std::int64_t> ids) {
    std::string where = "l.id IN (";
    std::vector<Value> params;
    for (const std::int64_t id : ids) {
        where += params.empty() ? "?" : ", ?";
        params.emplace_back(id);
    }
    CARDD_TRY(found, losses_where(where + ")", params));
    // In the order asked, not the order reported.
    std::vector<Loss> ordered;
    ordered.reserve(found.size());
    for (const std::int64_t id : ids) {
        const auto loss = std::ranges::find(found, id, &Loss::id);
        if (loss != found.end()) ordered.push_back(std::move(*loss));
    }
    return ordered;
}

Result<std::vector<Loss>> CardStore::losses_where(const std::string& where, const std::vector<Value>& params) {
    const std::string sql =
        "SELECT l.id, l.card_no, c.serial, p.staff_no, p.name, l.reported_at, l.reported_by, l.push, l.unlocked_at, "
        "l.unlocked_by, l.unlock_push, l.reason FROM losses l JOIN cards c ON c.card_no = l.card_no "
        "JOIN people p ON p.id = c.person_id WHERE " +
        where + " ORDER BY l.reported_at, l.id";
    CARDD_TRY(rows, db_->query(sql, params));
    std::vector<Loss> losses;
    for (const Row& row : rows) {
        Loss loss;
        loss.id = as_int(row[0]);
        loss.card_no = as_int(row[1]);
        loss.card_serial = as_int(row[2]);
        loss.staff_no = as_text(row[3]);
        loss.name = as_text(row[4]);
        loss.reported_at = as_int(row[5]);
        loss.reported_by = as_int(row[6]);
        loss.push = scope_from(as_text(row[7]));
        loss.unlocked_at = as_opt_int(row[8]);
        loss.unlocked_by = as_opt_int(row[9]);
        if (!is_null(row[10])) loss.unlock_push = scope_from(as_text(row[10]));
        loss.reason = loss_reason_from(as_text(row[11]));
        CARDD_TRY(names, terminal_names(loss.id, "loss"));
        loss.terminals = std::move(names);
        losses.push_back(std::move(loss));
    }
    return losses;
}

}  // namespace cardd::store
