#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

namespace {

// Each check is a query that returns the offending rows; the first column
// names the offender. Written as data so a new rule is one line.
struct Rule {
    std::string_view what;
    std::string_view sql;
};

constexpr Rule rules[] = {
    {"a card's balance is the sum of its ledger",
     "SELECT c.card_no FROM cards c WHERE c.balance <> "
     "(SELECT COALESCE(SUM(l.amount), 0) FROM ledger l WHERE l.card_no = c.card_no)"},
    {"counter cash and purse move together (opening, top-up, refund)",
     "SELECT id FROM ledger WHERE kind IN ('opening', 'topup', 'refund') AND amount <> cash"},
    {"openings and top-ups add money, refunds take it",
     "SELECT id FROM ledger WHERE (kind IN ('opening', 'topup') AND amount <= 0) OR (kind = 'refund' AND amount >= 0)"},
    {"the card cost is cash only", "SELECT id FROM ledger WHERE kind = 'card_cost' AND (amount <> 0 OR cash <= 0)"},
    {"terminal records and carries move no cash",
     "SELECT id FROM ledger WHERE kind IN ('purchase', 'terminal_refund', 'carry_out', 'carry_in') AND cash <> 0"},
    {"a write-off brings a negative balance up, moves no cash, and names who decided it",
     "SELECT id FROM ledger WHERE kind = 'write_off' AND (amount <= 0 OR cash <> 0 OR by_uid IS NULL)"},
    {"a purchase takes, a terminal refund gives",
     "SELECT id FROM ledger WHERE (kind = 'purchase' AND amount > 0) OR (kind = 'terminal_refund' AND amount < 0)"},
    {"a carried balance leaves one card and reaches its replacement",
     "SELECT o.card_no FROM ledger o JOIN cards c ON c.card_no = o.card_no WHERE o.kind = 'carry_out' AND NOT EXISTS "
     "(SELECT 1 FROM ledger i WHERE i.kind = 'carry_in' AND i.card_no = c.replaced_by AND i.amount = -o.amount)"},
    {"a live card is held by its person, a closed one by nobody",
     "SELECT card_no FROM cards WHERE (state IN ('active', 'lost') AND (holder IS NULL OR holder <> person_id)) "
     "OR (state IN ('replaced', 'returned') AND holder IS NOT NULL)"},
    {"a replaced card names its replacement, which names it back",
     "SELECT o.card_no FROM cards o LEFT JOIN cards n ON n.card_no = o.replaced_by WHERE o.state = 'replaced' "
     "AND (n.card_no IS NULL OR n.replaces IS NULL OR n.replaces <> o.card_no)"},
    {"a replaced card stays on every terminal's blacklist",
     "SELECT c.card_no FROM cards c WHERE c.state = 'replaced' AND (NOT EXISTS "
     "(SELECT 1 FROM blacklist_all b WHERE b.card_no = c.card_no) OR EXISTS (SELECT 1 FROM terminal_exceptions e "
     "WHERE e.card_no = c.card_no AND e.listed = 0))"},
    {"a terminal's exception adds a card not listed everywhere or leaves out one that is",
     "SELECT e.card_no FROM terminal_exceptions e WHERE (e.listed = 1) = (EXISTS "
     "(SELECT 1 FROM blacklist_all b WHERE b.card_no = e.card_no))"},
    {"a lost card has one open loss report, an active card none, no card two",
     "SELECT card_no FROM (SELECT c.card_no, c.state, (SELECT COUNT(*) FROM losses l WHERE l.card_no = c.card_no "
     "AND l.unlocked_at IS NULL) AS open_losses FROM cards c) x WHERE (state = 'lost' AND open_losses <> 1) OR "
     "(state = 'active' AND open_losses <> 0) OR open_losses > 1"},
    {"a terminal's planned version is at least its confirmed one",
     "SELECT name FROM devices WHERE planned_version < confirmed_version"},
    {"every collected purchase or refund of a known card is in the ledger once",
     "SELECT 'records' FROM (SELECT COUNT(*) AS n FROM transactions t JOIN cards c ON c.card_no = t.card_no WHERE "
     "t.kind IN (1, 2)) r, (SELECT COUNT(*) AS n FROM ledger WHERE kind IN ('purchase', 'terminal_refund')) l "
     "WHERE r.n <> l.n"},
    {"an account has a role, a count of failures not below zero, and an Argon2id hash, never a password",
     "SELECT name FROM accounts WHERE role NOT IN ('admin', 'issuer', 'viewer') OR failed_logins < 0 OR "
     "password_hash NOT LIKE '$argon2id$%'"},
    {"an audit line came through the socket or the console, and one through the console names its account",
     "SELECT id FROM audit_log WHERE via NOT IN ('socket', 'console') OR (via = 'console') <> (account IS NOT NULL)"},
};

std::string describe(const Value& value) {
    if (const auto* n = std::get_if<std::int64_t>(&value)) return std::to_string(*n);
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    return "NULL";
}

}  // namespace

Result<std::vector<std::string>> CardStore::check_invariants() {
    std::vector<std::string> violations;
    for (const Rule& rule : rules) {
        CARDD_TRY(rows, query(*db_, rule.sql));
        for (const Row& row : rows) violations.push_back(std::string(rule.what) + ": " + describe(row[0]));
    }
    return violations;
}

}  // namespace cardd::store
