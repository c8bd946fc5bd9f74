#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

namespace {

Result<void> check_amount(Cents amount, std::string_view what, bool zero_allowed) {
    if (amount < 0 || (!zero_allowed && amount == 0)) {
        return fail(Errc::invalid_argument,
                    std::string(what) + " must be " + (zero_allowed ? "zero or more" : "more than zero") + ", not " +
                        format_cents(amount));
    }
    if (amount > max_card_balance) {
        return fail(Errc::invalid_argument, std::string(what) + " " + format_cents(amount) + " is above the card's limit " +
                                                format_cents(max_card_balance));
    }
    return {};
}

Result<void> require_state(const Card& card, CardState wanted, std::string_view doing) {
    if (card.state == wanted) return {};
    return fail(Errc::conflict, "card " + std::to_string(card.card_no) + " is " + std::string(to_string(card.state)) +
                                    "; " + std::string(doing) + " needs an " + std::string(to_string(wanted)) + " card");
}

}  // namespace

Result<Card> CardStore::load_card(CardNo card_no) {
    CARDD_TRY(row, query_one(*db_,
                             "SELECT " + std::string(card_columns) +
                                 "FROM cards c JOIN people p ON p.id = c.person_id WHERE c.card_no = ?" +
                                 for_update(*db_),
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
    CARDD_TRY(rows, query(*db_, "SELECT id, card_no, kind, amount, cash, at FROM ledger WHERE card_no = ? ORDER BY id",
                          {card.card_no}));
    std::vector<LedgerEntry> entries;
    for (const Row& row : rows) {
        entries.push_back({as_int(row[0]), as_int(row[1]), ledger_kind_from(as_text(row[2])), as_int(row[3]),
                           as_int(row[4]), as_int(row[5])});
    }
    return entries;
}

Result<std::int64_t> CardStore::insert_ledger(CardNo card_no, LedgerKind kind, Cents amount, Cents cash) {
    CARDD_TRY_VOID(execute(*db_, "INSERT INTO ledger (card_no, kind, amount, cash, at) VALUES (?, ?, ?, ?, ?)",
                           {card_no, std::string(to_string(kind)), amount, cash, clock_()}));
    return db_->last_insert_id();
}

Result<Card> CardStore::insert_card(const Actor& actor, std::int64_t person_id, CardNo card_no,
                                    const IssueOptions& options, std::optional<CardNo> replaces) {
    CARDD_TRY_VOID(check_card_no(card_no));
    CARDD_TRY_VOID(check_amount(options.opening, "the opening amount", true));
    CARDD_TRY_VOID(check_amount(options.cost, "the card cost", true));
    // A number once issued stays with that card for good: records and
    // blacklist entries name cards by number, so reuse would confuse them.
    CARDD_TRY(used, query_one(*db_, "SELECT state FROM cards WHERE card_no = ?", {card_no}));
    if (used) {
        return fail(Errc::conflict, "card number " + std::to_string(card_no) + " was already issued (now " +
                                        as_text((*used)[0]) + "); card numbers are never reused");
    }
    CARDD_TRY(live, query_one(*db_, "SELECT card_no, state FROM cards WHERE holder = ?", {person_id}));
    if (live) {
        return fail(Errc::conflict, "this person already holds card " + std::to_string(as_int((*live)[0])) + " (" +
                                        as_text((*live)[1]) + "); one card per person");
    }
    const Value uid = options.uid ? Value{*options.uid} : Value{};
    const Value replaced = replaces ? Value{*replaces} : Value{};
    CARDD_TRY_VOID(execute(*db_,
                           "INSERT INTO cards (card_no, person_id, holder, uid, state, issued_at, replaces) "
                           "VALUES (?, ?, ?, ?, 'active', ?, ?)",
                           {card_no, person_id, person_id, uid, clock_(), replaced}));
    if (options.opening > 0) {
        CARDD_TRY_VOID(insert_ledger(card_no, LedgerKind::opening, options.opening, options.opening));
    }
    if (options.cost > 0) CARDD_TRY_VOID(insert_ledger(card_no, LedgerKind::card_cost, 0, options.cost));
    CARDD_TRY_VOID(audit(actor, replaces ? "card.replace" : "card.issue",
                         "card_no=" + std::to_string(card_no) + " opening=" + format_cents(options.opening) +
                             " cost=" + format_cents(options.cost) +
                             (replaces ? " replaces=" + std::to_string(*replaces) : std::string())));
    return load_card(card_no);
}

Result<Card> CardStore::issue_card(const Actor& actor, std::string_view staff_no, CardNo card_no,
                                   const IssueOptions& options, const CardStep* step) {
    return transaction(
        [&]() -> Result<Card> {
            CARDD_TRY(holder, person(staff_no));
            return insert_card(actor, holder.id, card_no, options, std::nullopt);
        },
        step);
}

Result<Card> CardStore::onboard(const Actor& actor, const PersonInput& input, CardNo card_no,
                                const IssueOptions& options, const CardStep* step) {
    return transaction(
        [&]() -> Result<Card> {
            CARDD_TRY(created, insert_person(actor, input));
            return insert_card(actor, created.id, card_no, options, std::nullopt);
        },
        step);
}

Result<Card> CardStore::top_up(const Actor& actor, CardNo card_no, Cents amount, const CardStep* step) {
    CARDD_TRY_VOID(check_amount(amount, "a top-up", false));
    return transaction([&]() -> Result<Card> {
        CARDD_TRY(card, load_card(card_no));
        CARDD_TRY_VOID(require_state(card, CardState::active, "a top-up"));
        if (amount > max_card_balance - card.balance) {
            return fail(Errc::invalid_argument, "a top-up of " + format_cents(amount) + " would take card " +
                                                    std::to_string(card_no) + " above its limit " +
                                                    format_cents(max_card_balance));
        }
        CARDD_TRY_VOID(insert_ledger(card_no, LedgerKind::topup, amount, amount));
        CARDD_TRY_VOID(audit(actor, "card.topup", "card_no=" + std::to_string(card_no) + " amount=" + format_cents(amount)));
        return load_card(card_no);
    }, step);
}

Result<Card> CardStore::refund(const Actor& actor, CardNo card_no, Cents amount) {
    CARDD_TRY_VOID(check_amount(amount, "a refund", false));
    return transaction([&]() -> Result<Card> {
        CARDD_TRY(card, load_card(card_no));
        CARDD_TRY_VOID(require_state(card, CardState::active, "a refund"));
        if (amount > card.balance) {
            return fail(Errc::invalid_argument, "a refund of " + format_cents(amount) + " is more than the balance " +
                                                    format_cents(card.balance) + " of card " + std::to_string(card_no));
        }
        CARDD_TRY_VOID(insert_ledger(card_no, LedgerKind::refund, -amount, -amount));
        CARDD_TRY_VOID(audit(actor, "card.refund", "card_no=" + std::to_string(card_no) + " amount=" + format_cents(amount)));
        return load_card(card_no);
    });
}

Result<Card> CardStore::refund_close(const Actor& actor, CardNo card_no, BlacklistChange* change) {
    return transaction([&]() -> Result<Card> {
        CARDD_TRY(card, load_card(card_no));
        if (card.state != CardState::active && card.state != CardState::lost) {
            return fail(Errc::conflict, "card " + std::to_string(card_no) + " is already " +
                                            std::string(to_string(card.state)));
        }
        if (card.balance < 0) {
            return fail(Errc::conflict, "card " + std::to_string(card_no) + " has a negative balance " +
                                            format_cents(card.balance) + "; settle it before closing");
        }
        if (card.balance > 0) CARDD_TRY_VOID(insert_ledger(card_no, LedgerKind::refund, -card.balance, -card.balance));
        CARDD_TRY_VOID(execute(*db_, "UPDATE cards SET state = 'returned', holder = NULL, closed_at = ? WHERE card_no = ?",
                               {clock_(), card_no}));
        // Money refunded for a card we do not hold must not be spendable again.
        if (card.state == CardState::lost) CARDD_TRY_VOID(blacklist_everywhere(card_no, change));
        CARDD_TRY_VOID(audit(actor, "card.refund_close",
                             "card_no=" + std::to_string(card_no) + " refunded=" + format_cents(card.balance)));
        return load_card(card_no);
    });
}

Result<Card> CardStore::return_card(const Actor& actor, CardNo card_no, bool refund_balance, const CardStep* step) {
    return transaction([&]() -> Result<Card> {
        CARDD_TRY(card, load_card(card_no));
        CARDD_TRY_VOID(require_state(card, CardState::active, "a card return"));
        if (refund_balance && card.balance > 0) {
            CARDD_TRY_VOID(insert_ledger(card_no, LedgerKind::refund, -card.balance, -card.balance));
        }
        CARDD_TRY_VOID(execute(*db_, "UPDATE cards SET state = 'returned', holder = NULL, closed_at = ? WHERE card_no = ?",
                               {clock_(), card_no}));
        CARDD_TRY_VOID(audit(actor, "card.return",
                             "card_no=" + std::to_string(card_no) + " refunded=" +
                                 format_cents(refund_balance && card.balance > 0 ? card.balance : 0)));
        return load_card(card_no);
    }, step);
}

Result<Card> CardStore::set_card_uid(const Actor& actor, CardNo card_no, std::string_view uid) {
    if (uid.empty() || uid.size() > 32 || uid.find_first_not_of("0123456789ABCDEFabcdef") != std::string_view::npos) {
        return fail(Errc::invalid_argument, "a card UID is 1 to 32 hexadecimal digits");
    }
    return transaction([&]() -> Result<Card> {
        CARDD_TRY(card, load_card(card_no));
        CARDD_TRY_VOID(execute(*db_, "UPDATE cards SET uid = ? WHERE card_no = ?", {std::string(uid), card.card_no}));
        CARDD_TRY_VOID(audit(actor, "card.uid", "card_no=" + std::to_string(card_no) + " uid=" + std::string(uid)));
        return load_card(card_no);
    });
}

}  // namespace cardd::store
