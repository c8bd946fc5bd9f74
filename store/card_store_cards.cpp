#include <algorithm>
#include <map>

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

Result<Card> CardStore::load_card(CardNo card_no) {
    CARDD_TRY(row,
              query_one(*db_,
                        "SELECT " + std::string(card_columns) +
                            "FROM cards c JOIN people p ON p.id = c.person_id WHERE c.card_no = ?" + for_update(*db_),
                        {card_no}));
    if (!row) return fail(Errc::not_found, "no card with number " + std::to_string(card_no));
    return card_from_row(*row);
}

Result<Card> CardStore::card(CardNo card_no) { return load_card(card_no); }

Result<std::vector<Card>> CardStore::cards() {
    CARDD_TRY(rows, query(*db_, "SELECT " + std::string(card_columns) +
                                    "FROM cards c JOIN people p ON p.id = c.person_id ORDER BY c.serial"));
    std::vector<Card> cards;
    cards.reserve(rows.size());
    for (const Row& row : rows) cards.push_back(card_from_row(row));
    return cards;
}

Result<Cents> CardStore::balance(CardNo card_no) {
    CARDD_TRY(card, load_card(card_no));
    return card.balance;
}

Result<std::vector<LedgerEntry>> CardStore::ledger(CardNo card_no) {
    CARDD_TRY(card, load_card(card_no));
    CARDD_TRY(
        rows,
        query(*db_, "SELECT id, card_no, kind, amount, cash, at, by_uid FROM ledger WHERE card_no = ? ORDER BY id",
              {card.card_no}));
    std::vector<LedgerEntry> entries;
    for (const Row& row : rows) {
        entries.push_back({as_int(row[0]), as_int(row[1]), ledger_kind_from(as_text(row[2])), as_int(row[3]),
                           as_int(row[4]), as_int(row[5]), as_opt_int(row[6])});
    }
    return entries;
}

Result<std::int64_t> CardStore::insert_ledger(CardNo card_no, LedgerKind kind, Cents amount, Cents cash,
                                              std::optional<std::int64_t> by_uid) {
    const Value by = by_uid ? Value{*by_uid} : Value{};
    CARDD_TRY_VOID(execute(*db_,
                           "INSERT INTO ledger (card_no, kind, amount, cash, at, by_uid) VALUES (?, ?, ?, ?, ?, ?)",
                           {card_no, std::string(to_string(kind)), amount, cash, clock_(), by}));
    const std::int64_t id = db_->last_insert_id();
    CARDD_TRY_VOID(move_balance(card_no, amount));
    return id;
}

// The balance in the card's row follows its ledger, in the transaction that
// writes the entries; insert_ledger and insert_terminal_entries call it.
Result<void> CardStore::move_balance(CardNo card_no, Cents amount) {
    CARDD_TRY_VOID(execute(*db_, "UPDATE cards SET balance = balance + ? WHERE card_no = ?", {amount, card_no}));
    return {};
}

Result<void> CardStore::insert_terminal_entries(std::span<const TerminalEntry> entries) {
    std::map<CardNo, Cents> moved;
    const UnixTime now = clock_();
    for (const TerminalEntry& entry : entries) {
        CARDD_TRY_VOID(
            execute(*db_, "INSERT INTO ledger (card_no, kind, amount, cash, at, by_uid) VALUES (?, ?, ?, 0, ?, NULL)",
                    {entry.card_no, std::string(to_string(entry.kind)), entry.amount, now}));
        moved[entry.card_no] += entry.amount;
    }
    for (const auto& [card_no, amount] : moved) CARDD_TRY_VOID(move_balance(card_no, amount));
    return {};
}

Result<std::int64_t> CardStore::reserve_serial() {
    CARDD_TRY_VOID(execute(*db_, "UPDATE counters SET value = value + 1 WHERE name = 'card_serial'"));
    return query_int(*db_, std::string("SELECT value FROM counters WHERE name = 'card_serial'") + for_update(*db_));
}

Result<Card> CardStore::insert_card(const WriteIntent& intent, std::int64_t person_id) {
    const Value uid = intent.uid.empty() ? Value{} : Value{intent.uid};
    const Value replaced = intent.old_card_no ? Value{*intent.old_card_no} : Value{};
    CARDD_TRY_VOID(execute(*db_,
                           "INSERT INTO cards (serial, card_no, person_id, holder, uid, state, issued_at, replaces) "
                           "VALUES (?, ?, ?, ?, ?, 'active', ?, ?)",
                           {intent.serial, intent.card_no, person_id, person_id, uid, intent.created_at, replaced}));
    if (intent.opening > 0) {
        CARDD_TRY_VOID(insert_ledger(intent.card_no, LedgerKind::opening, intent.opening, intent.opening));
    }
    if (intent.cost > 0) CARDD_TRY_VOID(insert_ledger(intent.card_no, LedgerKind::card_cost, 0, intent.cost));
    const bool replacing = intent.old_card_no.has_value();
    CARDD_TRY_VOID(audit(intent.actor, replacing ? "card.replace" : "card.issue",
                         "card_no=" + std::to_string(intent.card_no) + " opening=" +
                             protocol::format_yuan(intent.opening) + " cost=" + protocol::format_yuan(intent.cost) +
                             (replacing ? " replaces=" + std::to_string(*intent.old_card_no) : std::string())));
    return load_card(intent.card_no);
}

namespace {

/// A card change asked of the store alone: an intent that is checked and
/// applied in one transaction, with the time and serial it would have had.
WriteIntent immediate(const Actor& actor, WriteKind kind, CardNo card_no) {
    WriteIntent intent;
    intent.actor = actor;
    intent.kind = kind;
    intent.card_no = card_no;
    return intent;
}

}  // namespace

Result<AppliedWrite> CardStore::apply_now(WriteIntent intent, const std::function<void(WriteIntent&)>& prepare) {
    return transaction([&]() -> Result<AppliedWrite> {
        if (prepare) prepare(intent);
        CARDD_TRY_VOID(check_change(intent));
        if (intent.kind == WriteKind::issue || intent.kind == WriteKind::onboard || intent.kind == WriteKind::replace) {
            CARDD_TRY(serial, reserve_serial());
            intent.serial = serial;
        }
        intent.created_at = clock_();
        return apply_change(intent, false);
    });
}

namespace {

/// The card an applied change leaves, and its blacklist change for the caller.
Result<Card> card_of(Result<AppliedWrite> applied, BlacklistChange* change) {
    if (!applied) return std::unexpected(std::move(applied.error()));
    if (change) *change = std::move(applied->change);
    return std::move(*applied->card);
}

}  // namespace

Result<Card> CardStore::issue_card(const Actor& actor, std::string_view staff_no, CardNo card_no,
                                   const IssueOptions& options) {
    WriteIntent intent = immediate(actor, WriteKind::issue, card_no);
    intent.person.staff_no = std::string(staff_no);
    intent.opening = options.opening;
    intent.cost = options.cost;
    intent.uid = options.uid.value_or("");
    return card_of(apply_now(std::move(intent)), nullptr);
}

Result<Card> CardStore::onboard(const Actor& actor, const PersonInput& person, CardNo card_no,
                                const IssueOptions& options) {
    WriteIntent intent = immediate(actor, WriteKind::onboard, card_no);
    intent.person = person;
    intent.opening = options.opening;
    intent.cost = options.cost;
    intent.uid = options.uid.value_or("");
    return card_of(apply_now(std::move(intent)), nullptr);
}

Result<Card> CardStore::top_up(const Actor& actor, CardNo card_no, Cents amount) {
    WriteIntent intent = immediate(actor, WriteKind::topup, card_no);
    intent.amount = amount;
    return card_of(apply_now(std::move(intent)), nullptr);
}

Result<Card> CardStore::refund(const Actor& actor, CardNo card_no, Cents amount) {
    if (amount <= 0 || amount > max_card_balance) {
        return fail(Errc::invalid_argument, "a refund must be more than zero and at most " +
                                                protocol::format_yuan(max_card_balance) + ", not " +
                                                protocol::format_yuan(amount));
    }
    return transaction([&]() -> Result<Card> {
        CARDD_TRY_VOID(refuse_open_write(card_no));
        CARDD_TRY(card, load_card(card_no));
        if (card.state != CardState::active) {
            return fail(Errc::conflict, "card " + std::to_string(card_no) + " is " +
                                            std::string(to_string(card.state)) + "; a refund needs an active card");
        }
        if (amount > card.balance) {
            return fail(Errc::invalid_argument, "a refund of " + protocol::format_yuan(amount) +
                                                    " is more than the balance " + protocol::format_yuan(card.balance) +
                                                    " of card " + std::to_string(card_no));
        }
        CARDD_TRY_VOID(insert_ledger(card_no, LedgerKind::refund, -amount, -amount));
        CARDD_TRY_VOID(audit(actor, "card.refund",
                             "card_no=" + std::to_string(card_no) + " amount=" + protocol::format_yuan(amount)));
        return load_card(card_no);
    });
}

Result<Card> CardStore::refund_close(const Actor& actor, CardNo card_no, BlacklistChange* change, bool write_off) {
    WriteIntent intent = immediate(actor, WriteKind::refund_close, card_no);
    intent.refund = true;
    intent.write_off = write_off;
    return card_of(apply_now(std::move(intent)), change);
}

Result<Card> CardStore::return_card(const Actor& actor, CardNo card_no, bool refund_balance, BlacklistChange* change,
                                    bool write_off) {
    WriteIntent intent = immediate(actor, WriteKind::card_return, card_no);
    intent.refund = refund_balance;
    intent.write_off = write_off;
    return card_of(apply_now(std::move(intent)), change);
}

Result<Card> CardStore::replace_card(const Actor& actor, CardNo old_card_no, CardNo new_card_no,
                                     const IssueOptions& options, BlacklistChange* change, bool write_off) {
    WriteIntent intent = immediate(actor, WriteKind::replace, new_card_no);
    intent.old_card_no = old_card_no;
    intent.opening = options.opening;
    intent.cost = options.cost;
    intent.uid = options.uid.value_or("");
    intent.write_off = write_off;
    // The balance to carry, read in the transaction that carries it.
    const auto carry = [this, old_card_no](WriteIntent& planned) {
        if (auto old_card = load_card(old_card_no)) planned.amount = std::max<Cents>(old_card->balance, 0);
    };
    return card_of(apply_now(std::move(intent), carry), change);
}

Result<Card> CardStore::set_card_uid(const Actor& actor, CardNo card_no, std::string_view uid) {
    if (uid.empty() || uid.size() > 32 || uid.find_first_not_of("0123456789ABCDEFabcdef") != std::string_view::npos) {
        return fail(Errc::invalid_argument, "a card UID is 1 to 32 hexadecimal digits");
    }
    return transaction([&]() -> Result<Card> {
        CARDD_TRY_VOID(refuse_open_write(card_no));
        CARDD_TRY(card, load_card(card_no));
        CARDD_TRY_VOID(execute(*db_, "UPDATE cards SET uid = ? WHERE card_no = ?", {std::string(uid), card.card_no}));
        CARDD_TRY_VOID(audit(actor, "card.uid", "card_no=" + std::to_string(card_no) + " uid=" + std::string(uid)));
        return load_card(card_no);
    });
}

}  // namespace cardd::store
