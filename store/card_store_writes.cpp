// The journal of card writes: an intent committed before the card is
// written, closed by applying its change or dropping it (docs/card-writes.md).

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

namespace {

constexpr std::string_view intent_columns =
    "id, kind, state, actor, uid, card_no, old_card_no, staff_no, name, department, serial, amount, opening, cost, "
    "refund, write_off, before_keys, before_blocks, before_balance, before_counter, after_keys, after_blocks, "
    "after_balance, after_counter, created_at, closed_at, resolution, actor_account ";

WriteKind write_kind_from(std::string_view text) {
    for (WriteKind kind : {WriteKind::issue, WriteKind::onboard, WriteKind::topup, WriteKind::refund_close,
                           WriteKind::card_return, WriteKind::replace, WriteKind::init}) {
        if (to_string(kind) == text) return kind;
    }
    throw std::runtime_error("store: unknown card write kind '" + std::string(text) + "' in the database");
}

IntentState intent_state_from(std::string_view text) {
    for (IntentState state : {IntentState::open, IntentState::applied, IntentState::dropped}) {
        if (to_string(state) == text) return state;
    }
    throw std::runtime_error("store: unknown card write state '" + std::string(text) + "' in the database");
}

WriteIntent intent_from_row(const Row& row) {
    WriteIntent intent;
    intent.id = as_int(row[0]);
    intent.kind = write_kind_from(as_text(row[1]));
    intent.state = intent_state_from(as_text(row[2]));
    intent.actor.uid = as_int(row[3]);
    intent.uid = as_text(row[4]);
    intent.card_no = as_int(row[5]);
    intent.old_card_no = as_opt_int(row[6]);
    intent.person = {as_text(row[7]), as_text(row[8]), as_text(row[9])};
    intent.serial = as_int(row[10]);
    intent.amount = as_int(row[11]);
    intent.opening = as_int(row[12]);
    intent.cost = as_int(row[13]);
    intent.refund = as_int(row[14]) != 0;
    intent.write_off = as_int(row[15]) != 0;
    intent.before = {as_text(row[16]), as_text(row[17]), as_opt_int(row[18]), as_opt_int(row[19])};
    intent.after = {as_text(row[20]), as_text(row[21]), as_opt_int(row[22]), as_opt_int(row[23])};
    intent.created_at = as_int(row[24]);
    intent.closed_at = as_opt_int(row[25]);
    intent.resolution = as_text(row[26]);
    if (!is_null(row[27])) intent.actor.account = as_text(row[27]);
    return intent;
}

Value optional_value(const std::optional<std::int64_t>& value) { return value ? Value{*value} : Value{}; }

}  // namespace

std::string_view to_string(WriteKind kind) noexcept {
    switch (kind) {
        case WriteKind::issue: return "issue";
        case WriteKind::onboard: return "onboard";
        case WriteKind::topup: return "topup";
        case WriteKind::refund_close: return "refund_close";
        case WriteKind::card_return: return "return";
        case WriteKind::replace: return "replace";
        case WriteKind::init: return "init";
    }
    return "?";
}

std::string_view to_string(IntentState state) noexcept {
    switch (state) {
        case IntentState::open: return "open";
        case IntentState::applied: return "applied";
        case IntentState::dropped: return "dropped";
    }
    return "?";
}

Result<void> CardStore::rehearse_write(const WriteIntent& intent) {
    return rehearsal([&]() -> Result<void> { return check_change(intent); });
}

Result<WriteIntent> CardStore::open_write(const WriteIntent& asked,
                                          const std::function<CardContent(const WriteIntent&)>& after) {
    return transaction([&]() -> Result<WriteIntent> {
        CARDD_TRY_VOID(check_change(asked));
        WriteIntent intent = asked;
        intent.state = IntentState::open;
        intent.created_at = clock_();
        intent.closed_at.reset();
        intent.resolution.clear();
        const bool new_card =
            intent.kind == WriteKind::issue || intent.kind == WriteKind::onboard || intent.kind == WriteKind::replace;
        if (new_card) {
            CARDD_TRY(serial, reserve_serial());
            intent.serial = serial;
        }
        intent.after = after(intent);
        CARDD_TRY_VOID(
            execute(*db_,
                    "INSERT INTO card_writes (" + std::string(intent_columns).substr(4) +
                        ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    {std::string(to_string(intent.kind)),
                     std::string("open"),
                     intent.actor.uid,
                     intent.uid,
                     intent.card_no,
                     optional_value(intent.old_card_no),
                     intent.person.staff_no,
                     intent.person.name,
                     intent.person.department,
                     intent.serial,
                     intent.amount,
                     intent.opening,
                     intent.cost,
                     std::int64_t{intent.refund},
                     std::int64_t{intent.write_off},
                     intent.before.keys,
                     intent.before.blocks,
                     optional_value(intent.before.balance),
                     optional_value(intent.before.counter),
                     intent.after.keys,
                     intent.after.blocks,
                     optional_value(intent.after.balance),
                     optional_value(intent.after.counter),
                     intent.created_at,
                     Value{},
                     std::string(),
                     optional_text(intent.actor.account)}));
        intent.id = db_->last_insert_id();
        return intent;
    });
}

Result<WriteIntent> CardStore::write_intent(std::int64_t id) {
    CARDD_TRY(
        row,
        query_one(*db_, "SELECT " + std::string(intent_columns) + "FROM card_writes WHERE id = ?" + for_update(*db_),
                  {id}));
    if (!row) return fail(Errc::not_found, "no card write " + std::to_string(id));
    return intent_from_row(*row);
}

Result<AppliedWrite> CardStore::apply_write(std::int64_t id, std::string_view resolution) {
    return transaction([&]() -> Result<AppliedWrite> {
        CARDD_TRY(intent, write_intent(id));
        if (intent.state != IntentState::open) {
            return fail(Errc::conflict,
                        "card write " + std::to_string(id) + " is already " + std::string(to_string(intent.state)));
        }
        // A journaled close is a wipe: the card carries no money to stop.
        const bool wiped = intent.kind == WriteKind::refund_close || intent.kind == WriteKind::card_return;
        CARDD_TRY(applied, apply_change(intent, wiped));
        const UnixTime now = clock_();
        CARDD_TRY(closed, execute(*db_,
                                  "UPDATE card_writes SET state = 'applied', closed_at = ?, resolution = ? "
                                  "WHERE id = ? AND state = 'open'",
                                  {now, std::string(resolution), id}));
        if (closed != 1) return fail(Errc::conflict, "card write " + std::to_string(id) + " was closed meanwhile");
        applied.intent.state = IntentState::applied;
        applied.intent.closed_at = now;
        applied.intent.resolution = std::string(resolution);
        return applied;
    });
}

Result<WriteIntent> CardStore::drop_write(std::int64_t id, std::string_view resolution) {
    return transaction([&]() -> Result<WriteIntent> {
        CARDD_TRY(intent, write_intent(id));
        if (intent.state != IntentState::open) {
            return fail(Errc::conflict,
                        "card write " + std::to_string(id) + " is already " + std::string(to_string(intent.state)));
        }
        const UnixTime now = clock_();
        CARDD_TRY_VOID(execute(*db_,
                               "UPDATE card_writes SET state = 'dropped', closed_at = ?, resolution = ? WHERE id = ?",
                               {now, std::string(resolution), id}));
        CARDD_TRY_VOID(audit(intent.actor, "card.write_dropped",
                             "write=" + std::to_string(id) + " kind=" + std::string(to_string(intent.kind)) +
                                 " card_no=" + std::to_string(intent.card_no) + " uid=" + intent.uid));
        intent.state = IntentState::dropped;
        intent.closed_at = now;
        intent.resolution = std::string(resolution);
        return intent;
    });
}

Result<std::vector<WriteIntent>> CardStore::open_writes() {
    CARDD_TRY(rows, query(*db_, "SELECT " + std::string(intent_columns) +
                                    "FROM card_writes WHERE state = 'open' ORDER BY id"));
    std::vector<WriteIntent> intents;
    for (const Row& row : rows) intents.push_back(intent_from_row(row));
    return intents;
}

Result<std::optional<WriteIntent>> CardStore::open_write_for_card(CardNo card_no) {
    CARDD_TRY(row, query_one(*db_,
                             "SELECT " + std::string(intent_columns) +
                                 "FROM card_writes WHERE state = 'open' AND (card_no = ? OR old_card_no = ?) "
                                 "ORDER BY id",
                             {card_no, card_no}));
    if (!row) return std::optional<WriteIntent>{};
    return std::optional<WriteIntent>{intent_from_row(*row)};
}

Result<std::optional<WriteIntent>> CardStore::open_write_for_uid(std::string_view uid) {
    CARDD_TRY(row, query_one(*db_,
                             "SELECT " + std::string(intent_columns) +
                                 "FROM card_writes WHERE state = 'open' AND uid = ? ORDER BY id",
                             {std::string(uid)}));
    if (!row) return std::optional<WriteIntent>{};
    return std::optional<WriteIntent>{intent_from_row(*row)};
}

}  // namespace cardd::store
