// The rules and the effects of every change that stands for a card write.
// The journal checks a change when its intent opens and applies it once the
// card holds what it wrote; the immediate changes do both in one transaction.

#include <algorithm>

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

namespace {

Result<void> check_amount(Cents amount, std::string_view what, bool zero_allowed) {
    if (amount < 0 || (!zero_allowed && amount == 0)) {
        return fail(Errc::invalid_argument, std::string(what) + " must be " +
                                                (zero_allowed ? "zero or more" : "more than zero") + ", not " +
                                                protocol::format_yuan(amount));
    }
    if (amount > max_card_balance) {
        return fail(Errc::invalid_argument, std::string(what) + " " + protocol::format_yuan(amount) +
                                                " is above the card's limit " +
                                                protocol::format_yuan(max_card_balance));
    }
    return {};
}

Result<void> require_state(const Card& card, CardState wanted, std::string_view doing) {
    if (card.state == wanted) return {};
    return fail(Errc::conflict, "card " + std::to_string(card.card_no) + " is " + std::string(to_string(card.state)) +
                                    "; " + std::string(doing) + " needs an " + std::string(to_string(wanted)) +
                                    " card");
}

Result<void> require_live(const Card& card, std::string_view doing) {
    if (card.state == CardState::active || card.state == CardState::lost) return {};
    return fail(Errc::conflict, "card " + std::to_string(card.card_no) + " is already " +
                                    std::string(to_string(card.state)) + "; " + std::string(doing) +
                                    " needs an active or lost card");
}

Result<void> require_replaceable(const Card& old_card) {
    if (old_card.state == CardState::lost) return {};
    return fail(Errc::conflict, "card " + std::to_string(old_card.card_no) + " is " +
                                    std::string(to_string(old_card.state)) +
                                    "; only a card reported lost can be replaced");
}

std::string pending_text(const WriteIntent& open) {
    return "a " + std::string(to_string(open.kind)) + " write of card " + std::to_string(open.card_no) + " (chip " +
           open.uid +
           ") is still unresolved (cardctl pending): place that card on an encoder and read it "
           "(cardctl card read) to settle it first";
}

}  // namespace

Result<void> CardStore::check_replacement(CardNo old_card_no) {
    CARDD_TRY(old_card, load_card(old_card_no));
    return require_replaceable(old_card);
}

Result<void> CardStore::check_chip_reusable(CardNo held, std::string_view uid) {
    auto stored = load_card(held);
    if (!stored) return stored.error().code == Errc::not_found ? Result<void>{} : std::unexpected(stored.error());
    const bool live = stored->state == CardState::active || stored->state == CardState::lost;
    if (!live || (stored->uid && *stored->uid != uid)) return {};
    return fail(Errc::conflict, "the card is card " + std::to_string(held) + " of " + stored->staff_no + " " +
                                    stored->name + ", still " + std::string(to_string(stored->state)) +
                                    "; return it first (cardctl card return " + std::to_string(held) +
                                    " --wipe), or place a blank card");
}

Result<void> CardStore::refuse_open_write(CardNo card_no) {
    CARDD_TRY(open, open_write_for_card(card_no));
    if (open)
        return fail(Errc::conflict, "card " + std::to_string(card_no) + " cannot change now: " + pending_text(*open));
    return {};
}

Result<void> CardStore::check_new_card(CardNo card_no, std::optional<std::int64_t> person_id,
                                       const IssueOptions& options) {
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
    if (person_id) {
        CARDD_TRY(live, query_one(*db_, "SELECT card_no, state FROM cards WHERE holder = ?", {*person_id}));
        if (live) {
            return fail(Errc::conflict, "this person already holds card " + std::to_string(as_int((*live)[0])) + " (" +
                                            as_text((*live)[1]) + "); one card per person");
        }
    }
    return {};
}

Result<Cents> CardStore::settle_negative(const WriteIntent& intent, const Card& card) {
    if (card.balance >= 0) return Cents{0};
    if (!intent.write_off) {
        return fail(Errc::conflict,
                    "card " + std::to_string(card.card_no) + " has a negative ledger balance of " +
                        protocol::format_yuan(card.balance) +
                        ": terminals collected purchases beyond what the ledger held, so the card and the ledger "
                        "disagree (money on the card that the ledger never received). Nothing was changed. An "
                        "administrator may write the difference off (--write-off); the write-off is kept in the "
                        "ledger under their uid");
    }
    return -card.balance;
}

Result<void> CardStore::check_change(const WriteIntent& intent) {
    // One write of a card, chip or person at a time: a second would be
    // decided against a card whose content is not known yet.
    for (const std::optional<CardNo> card_no :
         {intent.card_no != 0 ? std::optional<CardNo>(intent.card_no) : std::nullopt, intent.old_card_no}) {
        if (card_no) CARDD_TRY_VOID(refuse_open_write(*card_no));
    }
    if (!intent.uid.empty()) {
        CARDD_TRY(open, open_write_for_uid(intent.uid));
        if (open)
            return fail(Errc::conflict, "the chip " + intent.uid + " cannot be written now: " + pending_text(*open));
    }
    if (intent.kind == WriteKind::issue || intent.kind == WriteKind::onboard) {
        CARDD_TRY(open, query_one(*db_, "SELECT card_no FROM card_writes WHERE state = 'open' AND staff_no = ?",
                                  {intent.person.staff_no}));
        if (open) {
            return fail(Errc::conflict, "a card for " + intent.person.staff_no + " (card " +
                                            std::to_string(as_int((*open)[0])) +
                                            ") is being written or awaits settling (cardctl pending)");
        }
    }
    const IssueOptions options{intent.opening, intent.cost, std::nullopt};
    switch (intent.kind) {
        case WriteKind::issue: {
            CARDD_TRY(holder, person(intent.person.staff_no));
            return check_new_card(intent.card_no, holder.id, options);
        }
        case WriteKind::onboard: {
            CARDD_TRY_VOID(validate_person(intent.person));
            CARDD_TRY(existing, query_one(*db_, "SELECT id FROM people WHERE staff_no = ?", {intent.person.staff_no}));
            if (existing)
                return fail(Errc::conflict, "staff number " + intent.person.staff_no + " is already registered");
            return check_new_card(intent.card_no, std::nullopt, options);
        }
        case WriteKind::topup: {
            CARDD_TRY_VOID(check_amount(intent.amount, "a top-up", false));
            CARDD_TRY(card, load_card(intent.card_no));
            CARDD_TRY_VOID(require_state(card, CardState::active, "a top-up"));
            if (intent.amount > max_card_balance - card.balance) {
                return fail(Errc::invalid_argument, "a top-up of " + protocol::format_yuan(intent.amount) +
                                                        " would take card " + std::to_string(intent.card_no) +
                                                        " above its limit " + protocol::format_yuan(max_card_balance));
            }
            return {};
        }
        case WriteKind::refund_close: {
            CARDD_TRY(card, load_card(intent.card_no));
            CARDD_TRY_VOID(require_live(card, "closing"));
            CARDD_TRY_VOID(settle_negative(intent, card));
            return {};
        }
        case WriteKind::card_return: {
            CARDD_TRY(card, load_card(intent.card_no));
            CARDD_TRY_VOID(require_state(card, CardState::active, "a card return"));
            CARDD_TRY_VOID(settle_negative(intent, card));
            return {};
        }
        case WriteKind::replace: {
            if (!intent.old_card_no) return fail(Errc::invalid_argument, "a replacement names the lost card");
            if (*intent.old_card_no == intent.card_no) {
                return fail(Errc::invalid_argument,
                            "a standard consumption IC card cannot keep its old number at "
                            "replacement: give a new card number");
            }
            if (intent.opening != 0) {
                return fail(Errc::invalid_argument,
                            "a replacement card opens with the old card's balance; top it up after");
            }
            CARDD_TRY(old_card, load_card(*intent.old_card_no));
            CARDD_TRY_VOID(require_replaceable(old_card));
            CARDD_TRY_VOID(check_new_card(intent.card_no, std::nullopt, options));
            CARDD_TRY_VOID(settle_negative(intent, old_card));
            // The new card is written with the balance it carries: the one
            // the ledger holds now, or nothing after a write-off.
            const Cents carried = std::max<Cents>(old_card.balance, 0);
            if (intent.amount != carried) {
                return fail(Errc::conflict, "card " + std::to_string(old_card.card_no) + " now has a balance of " +
                                                protocol::format_yuan(old_card.balance) + ", not the " +
                                                protocol::format_yuan(intent.amount) +
                                                " to carry; repeat the replacement");
            }
            return {};
        }
        case WriteKind::init: return {};
    }
    return fail(Errc::invalid_argument, "unknown card write");
}

Result<AppliedWrite> CardStore::apply_change(const WriteIntent& intent, bool card_wiped) {
    AppliedWrite applied;
    applied.intent = intent;
    const std::string card_no = std::to_string(intent.card_no);
    // Closing a card the card centre does not hold (or did not wipe) leaves a
    // card that still carries money: only the blacklist stops it spending.
    const auto close = [&](const Card& card, bool refund, std::string_view action) -> Result<void> {
        if (intent.write_off && card.balance < 0) {
            applied.written_off = -card.balance;
            CARDD_TRY_VOID(
                insert_ledger(card.card_no, LedgerKind::write_off, applied.written_off, 0, intent.actor.uid));
        }
        if (refund && card.balance > 0) {
            applied.refunded = card.balance;
            CARDD_TRY_VOID(insert_ledger(card.card_no, LedgerKind::refund, -card.balance, -card.balance));
        }
        CARDD_TRY_VOID(execute(*db_,
                               "UPDATE cards SET state = 'returned', holder = NULL, closed_at = ? WHERE card_no = ?",
                               {clock_(), card.card_no}));
        if (!card_wiped) CARDD_TRY_VOID(blacklist_everywhere(card.card_no, &applied.change));
        CARDD_TRY_VOID(
            audit(intent.actor, action,
                  "card_no=" + card_no + " refunded=" + protocol::format_yuan(applied.refunded) +
                      (applied.written_off ? " written_off=" + protocol::format_yuan(applied.written_off) : "") +
                      (card_wiped ? " wiped=true" : " blacklisted=true")));
        return {};
    };
    switch (intent.kind) {
        case WriteKind::issue: {
            CARDD_TRY(holder, person(intent.person.staff_no));
            CARDD_TRY(card, insert_card(intent, holder.id));
            applied.card = std::move(card);
            return applied;
        }
        case WriteKind::onboard: {
            CARDD_TRY(created, insert_person(intent.actor, intent.person));
            CARDD_TRY(card, insert_card(intent, created.id));
            applied.card = std::move(card);
            return applied;
        }
        case WriteKind::topup: {
            CARDD_TRY_VOID(insert_ledger(intent.card_no, LedgerKind::topup, intent.amount, intent.amount));
            CARDD_TRY_VOID(audit(intent.actor, "card.topup",
                                 "card_no=" + card_no + " amount=" + protocol::format_yuan(intent.amount)));
            CARDD_TRY(card, load_card(intent.card_no));
            applied.card = std::move(card);
            return applied;
        }
        case WriteKind::refund_close:
        case WriteKind::card_return: {
            CARDD_TRY(card, load_card(intent.card_no));
            const bool closing = intent.kind == WriteKind::refund_close;
            CARDD_TRY_VOID(close(card, closing || intent.refund, closing ? "card.refund_close" : "card.return"));
            CARDD_TRY(closed, load_card(intent.card_no));
            applied.card = std::move(closed);
            return applied;
        }
        case WriteKind::replace: {
            CARDD_TRY(old_card, load_card(*intent.old_card_no));
            // The new card holds intent.amount; purchases with the old card
            // collected since stay on the old card's ledger.
            const Cents carried = intent.amount;
            if (intent.write_off && old_card.balance < 0) {
                applied.written_off = -old_card.balance;
                CARDD_TRY_VOID(
                    insert_ledger(old_card.card_no, LedgerKind::write_off, applied.written_off, 0, intent.actor.uid));
            }
            CARDD_TRY(holder, person(old_card.staff_no));
            CARDD_TRY_VOID(execute(*db_,
                                   "UPDATE cards SET state = 'replaced', holder = NULL, closed_at = ?, replaced_by = ? "
                                   "WHERE card_no = ?",
                                   {clock_(), intent.card_no, old_card.card_no}));
            CARDD_TRY(new_card, insert_card(intent, holder.id));
            (void)new_card;
            if (carried != 0) {
                CARDD_TRY_VOID(insert_ledger(old_card.card_no, LedgerKind::carry_out, -carried, 0));
                CARDD_TRY_VOID(insert_ledger(intent.card_no, LedgerKind::carry_in, carried, 0));
            }
            CARDD_TRY_VOID(blacklist_everywhere(old_card.card_no, &applied.change));
            CARDD_TRY(card, load_card(intent.card_no));
            applied.card = std::move(card);
            return applied;
        }
        case WriteKind::init: {
            // A returned card that was not wiped went on every blacklist; now
            // blank, it holds nothing to stop, and its entries can go.
            CARDD_TRY(returned,
                      query(*db_, "SELECT card_no FROM cards WHERE uid = ? AND state = 'returned'", {intent.uid}));
            std::vector<CardNo> cards;
            for (const Row& row : returned) cards.push_back(as_int(row[0]));
            if (!cards.empty()) {
                CARDD_TRY(terminals, all_terminals());
                CARDD_TRY_VOID(unlist(cards, terminals, &applied.change));
            }
            CARDD_TRY_VOID(audit(intent.actor, "card.init", "uid=" + intent.uid));
            return applied;
        }
    }
    return fail(Errc::invalid_argument, "unknown card write");
}

}  // namespace cardd::store
