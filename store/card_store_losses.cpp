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

}  // namespace

Result<void> CardStore::check_loss(CardNo card_no) {
    CARDD_TRY(card, load_card(card_no));
    return require_reportable(card);
}

Result<Loss> CardStore::report_loss(const Actor& actor, CardNo card_no, const PushTarget& push,
                                    BlacklistChange* change) {
    return transaction([&]() -> Result<Loss> {
        CARDD_TRY(card, load_card(card_no));
        CARDD_TRY_VOID(require_reportable(card));
        CARDD_TRY(terminals, resolve_terminals(push));
        const UnixTime now = clock_();
        CARDD_TRY_VOID(execute(*db_, "UPDATE cards SET state = 'lost' WHERE card_no = ?", {card_no}));
        CARDD_TRY_VOID(execute(*db_, "INSERT INTO losses (card_no, reported_at, reported_by, push) VALUES (?, ?, ?, ?)",
                               {card_no, now, actor.uid, std::string(to_string(push.scope))}));
        const std::int64_t loss_id = db_->last_insert_id();
        for (const std::string& name : push.terminals) {
            CARDD_TRY_VOID(execute(*db_,
                                   "INSERT INTO loss_terminals (loss_id, role, terminal_name) VALUES (?, 'loss', ?)",
                                   {loss_id, name}));
        }
        if (push.scope == PushTarget::Scope::all) {
            CARDD_TRY_VOID(blacklist_everywhere(card_no, change));
        } else {
            const CardNo cards[] = {card_no};
            for (DeviceId terminal : terminals)
                CARDD_TRY_VOID(change_terminal_set(terminal, BatchOp::add, cards, change));
        }
        CARDD_TRY_VOID(audit(actor, "card.loss",
                             "card_no=" + std::to_string(card_no) + " push=" + std::string(to_string(push.scope))));
        Loss loss;
        loss.id = loss_id;
        loss.card_no = card_no;
        loss.card_serial = card.serial;
        loss.staff_no = card.staff_no;
        loss.name = card.name;
        loss.reported_at = now;
        loss.reported_by = actor.uid;
        loss.push = push.scope;
        loss.terminals = push.terminals;
        return loss;
    });
}

Result<Loss> CardStore::unlock(const Actor& actor, CardNo card_no, const PushTarget& push, BlacklistChange* change) {
    return transaction([&]() -> Result<Loss> {
        CARDD_TRY(card, load_card(card_no));
        if (card.state != CardState::lost) {
            return fail(Errc::conflict, "card " + std::to_string(card_no) + " is " +
                                            std::string(to_string(card.state)) + "; only a lost card can be unlocked");
        }
        CARDD_TRY(open_loss, query_one(*db_,
                                       "SELECT id FROM losses WHERE card_no = ? AND unlocked_at IS NULL "
                                       "ORDER BY id DESC LIMIT 1",
                                       {card_no}));
        if (!open_loss)
            return fail(Errc::storage, "store: card " + std::to_string(card_no) + " is lost without a loss record");
        const std::int64_t loss_id = as_int((*open_loss)[0]);
        CARDD_TRY(terminals, resolve_terminals(push));
        CARDD_TRY_VOID(execute(*db_, "UPDATE cards SET state = 'active' WHERE card_no = ?", {card_no}));
        CARDD_TRY_VOID(execute(*db_, "UPDATE losses SET unlocked_at = ?, unlocked_by = ?, unlock_push = ? WHERE id = ?",
                               {clock_(), actor.uid, std::string(to_string(push.scope)), loss_id}));
        for (const std::string& name : push.terminals) {
            CARDD_TRY_VOID(execute(*db_,
                                   "INSERT INTO loss_terminals (loss_id, role, terminal_name) VALUES (?, 'unlock', ?)",
                                   {loss_id, name}));
        }
        // Terminals added from now on must not learn a card that is usable
        // again; terminals not chosen keep refusing it until pushed, as asked.
        CARDD_TRY_VOID(execute(*db_, "DELETE FROM blacklist_all WHERE card_no = ?", {card_no}));
        const CardNo cards[] = {card_no};
        for (DeviceId terminal : terminals)
            CARDD_TRY_VOID(change_terminal_set(terminal, BatchOp::remove, cards, change));
        CARDD_TRY_VOID(audit(actor, "card.unlock",
                             "card_no=" + std::to_string(card_no) + " push=" + std::string(to_string(push.scope))));
        CARDD_TRY(found, losses(LossQuery{}));
        for (Loss& loss : found) {
            if (loss.id == loss_id) return std::move(loss);
        }
        return fail(Errc::storage, "store: the unlocked loss record vanished");
    });
}

Result<std::vector<Loss>> CardStore::losses(const LossQuery& filter) {
    std::string sql =
        "SELECT l.id, l.card_no, c.serial, p.staff_no, p.name, l.reported_at, l.reported_by, l.push, l.unlocked_at, "
        "l.unlocked_by, l.unlock_push FROM losses l JOIN cards c ON c.card_no = l.card_no "
        "JOIN people p ON p.id = c.person_id WHERE 1 = 1";
    std::vector<Value> params;
    if (filter.from) {
        sql += " AND l.reported_at >= ?";
        params.emplace_back(*filter.from);
    }
    if (filter.to) {
        sql += " AND l.reported_at <= ?";
        params.emplace_back(*filter.to);
    }
    if (filter.card_serial) {
        sql += " AND c.serial = ?";
        params.emplace_back(*filter.card_serial);
    }
    if (filter.open_only) sql += " AND l.unlocked_at IS NULL";
    sql += " ORDER BY l.reported_at, l.id";
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
        CARDD_TRY(names, terminal_names(loss.id, "loss"));
        loss.terminals = std::move(names);
        losses.push_back(std::move(loss));
    }
    return losses;
}

}  // namespace cardd::store
