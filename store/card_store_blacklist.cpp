// What each terminal must refuse, and the batches that change it.
//
// A terminal's desired set is the list everywhere (blacklist_all) with its
// own few exceptions (terminal_exceptions): a plus row for a card it refuses
// that is not listed everywhere (a loss pushed to named terminals), a minus
// row for a card listed everywhere that it does not refuse (an unlock pushed
// to it alone). So the store grows with cards, not with cards x terminals,
// and a terminal registered later needs no copy of anything.

#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

namespace {

// One batch is one CT-1 command: at most 76 entries fit a 0x17 write, so a
// bigger change is split into several batches, each with its own version.
constexpr std::size_t max_cards_per_batch = 76;

// Bound on the '?' of one IN list, well inside both backends' limits.
constexpr std::size_t max_in_list = 500;

std::vector<CardNo> sorted_unique(std::span<const CardNo> cards) {
    std::vector<CardNo> out(cards.begin(), cards.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::size_t batch_count(std::size_t cards) { return (cards + max_cards_per_batch - 1) / max_cards_per_batch; }

/// "(?, ?, ?)" for `count` values, and the values.
std::string in_list(std::size_t count) {
    std::string sql = "(";
    for (std::size_t i = 0; i < count; ++i) sql += i == 0 ? "?" : ", ?";
    return sql + ")";
}

/// A merge of the list everywhere with one terminal's exceptions, ascending.
std::vector<CardNo> merged(const std::vector<CardNo>& everywhere, const TerminalExceptions& exceptions) {
    std::vector<CardNo> kept;
    kept.reserve(everywhere.size() - std::min(everywhere.size(), exceptions.minus.size()));
    std::set_difference(everywhere.begin(), everywhere.end(), exceptions.minus.begin(), exceptions.minus.end(),
                        std::back_inserter(kept));
    std::vector<CardNo> out;
    out.reserve(kept.size() + exceptions.plus.size());
    std::set_union(kept.begin(), kept.end(), exceptions.plus.begin(), exceptions.plus.end(), std::back_inserter(out));
    return out;
}

}  // namespace

Result<std::vector<DeviceId>> CardStore::all_terminals() {
    CARDD_TRY(rows, query(*db_, "SELECT id FROM devices WHERE kind = 'terminal' ORDER BY id"));
    std::vector<DeviceId> ids;
    for (const Row& row : rows) ids.push_back(as_int(row[0]));
    return ids;
}

Result<std::vector<DeviceId>> CardStore::resolve_terminals(const PushTarget& push) {
    switch (push.scope) {
        case PushTarget::Scope::none:
        case PushTarget::Scope::all:
            if (!push.terminals.empty()) {
                return fail(Errc::invalid_argument, "terminal names are given only with a push to named terminals");
            }
            if (push.scope == PushTarget::Scope::none) return std::vector<DeviceId>{};
            return all_terminals();
        case PushTarget::Scope::named: break;
    }
    if (push.terminals.empty()) return fail(Errc::invalid_argument, "name at least one terminal to push to");
    std::vector<DeviceId> ids;
    for (const std::string& name : push.terminals) {
        CARDD_TRY(found, query_one(*db_, "SELECT id, kind FROM devices WHERE name = ?", {name}));
        if (!found) return fail(Errc::not_found, "no terminal named '" + name + "'");
        if (as_text((*found)[1]) != "terminal") return fail(Errc::invalid_argument, "'" + name + "' is not a terminal");
        ids.push_back(as_int((*found)[0]));
    }
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    return ids;
}

// ---- versions ----

// Versions come from one counter for the whole store, so a terminal removed
// and registered again can never be told a version it once held with other
// content.
Result<std::int64_t> CardStore::reserve_versions(std::size_t count) {
    CARDD_TRY_VOID(execute(*db_, "UPDATE counters SET value = value + ? WHERE name = 'blacklist_version'",
                           {static_cast<std::int64_t>(count)}));
    CARDD_TRY(last, query_int(*db_, "SELECT value FROM counters WHERE name = 'blacklist_version'"));
    if (last > std::numeric_limits<std::uint32_t>::max()) {
        return fail(Errc::storage, "the blacklist version counter passed the terminals' 32-bit limit");
    }
    return last - static_cast<std::int64_t>(count) + 1;
}

Result<std::int64_t> CardStore::next_version() { return reserve_versions(1); }

Result<std::int64_t> CardStore::write_batches(DeviceId terminal, std::int64_t base, BatchOp op,
                                              std::span<const CardNo> changed, std::int64_t first_version,
                                              BlacklistChange* change) {
    std::int64_t version = first_version;
    for (std::size_t start = 0; start < changed.size(); start += max_cards_per_batch, ++version) {
        const std::size_t count = std::min(max_cards_per_batch, changed.size() - start);
        const std::span<const CardNo> chunk(changed.data() + start, count);
        BlacklistBatch batch{0,        terminal,           base, version, op, {chunk.begin(), chunk.end()},
                             clock_(), BatchState::pending};
        CARDD_TRY_VOID(
            execute(*db_,
                    "INSERT INTO blacklist_batches (terminal_id, base_version, new_version, op, cards, "
                    "created_at, state) VALUES (?, ?, ?, ?, ?, ?, 'pending')",
                    {terminal, base, version, std::string(to_string(op)), join_cards(chunk), batch.created_at}));
        batch.id = db_->last_insert_id();
        if (change) change->batches.push_back(std::move(batch));
        base = version;
    }
    if (!changed.empty()) {
        CARDD_TRY_VOID(execute(*db_, "UPDATE devices SET planned_version = ? WHERE id = ?", {base, terminal}));
    }
    return base;
}

Result<void> CardStore::plan_changes(const std::map<DeviceId, std::vector<CardNo>>& changed, BatchOp op,
                                     BlacklistChange* change) {
    std::size_t batches = 0;
    for (const auto& [terminal, cards] : changed) batches += batch_count(cards.size());
    if (batches == 0) return {};
    CARDD_TRY(first, reserve_versions(batches));
    // Where each terminal's chain ends: one query for a push to many.
    const std::string planned_sql = changed.size() == 1
                                        ? "SELECT id, planned_version FROM devices WHERE id = ?"
                                        : "SELECT id, planned_version FROM devices WHERE kind = 'terminal'";
    const Value only = changed.begin()->first;
    CARDD_TRY(rows, db_->query(planned_sql + for_update(*db_),
                               changed.size() == 1 ? std::span(&only, 1) : std::span<const Value>{}));
    std::map<DeviceId, std::int64_t> planned;
    for (const Row& row : rows) planned[as_int(row[0])] = as_int(row[1]);
    std::int64_t version = first;
    for (const auto& [terminal, cards] : changed) {
        if (cards.empty()) continue;
        const auto base = planned.find(terminal);
        if (base == planned.end())
            return fail(Errc::storage, "store: terminal " + std::to_string(terminal) + " vanished");
        CARDD_TRY_VOID(write_batches(terminal, base->second, op, cards, version, change));
        version += static_cast<std::int64_t>(batch_count(cards.size()));
    }
    return {};
}

// ---- the sets ----

Result<void> CardStore::everywhere_changed() {
    CARDD_TRY_VOID(execute(*db_, "UPDATE counters SET value = value + 1 WHERE name = 'blacklist_all_generation'"));
    return {};
}

Result<EverywhereList> CardStore::everywhere() {
    CARDD_TRY(generation, query_int(*db_, "SELECT value FROM counters WHERE name = 'blacklist_all_generation'"));
    if (everywhere_cache_.cards && everywhere_cache_.generation == generation) return everywhere_cache_;
    CARDD_TRY(rows, query(*db_, "SELECT card_no FROM blacklist_all ORDER BY card_no"));
    auto cards = std::make_shared<std::vector<CardNo>>();
    cards->reserve(rows.size());
    for (const Row& row : rows) cards->push_back(as_int(row[0]));
    EverywhereList list{generation, std::move(cards)};
    // Inside a transaction the list may hold changes a rollback takes back,
    // under a generation a later commit reuses: only a committed one is kept.
    if (transaction_depth_ == 0) everywhere_cache_ = list;
    return list;
}

Result<TerminalExceptions> CardStore::exceptions(DeviceId terminal) {
    CARDD_TRY(rows,
              query(*db_, "SELECT card_no, listed FROM terminal_exceptions WHERE terminal_id = ? ORDER BY card_no",
                    {terminal}));
    TerminalExceptions out;
    for (const Row& row : rows) (as_int(row[1]) == 1 ? out.plus : out.minus).push_back(as_int(row[0]));
    return out;
}

Result<std::vector<CardNo>> CardStore::desired_blacklist(DeviceId terminal) {
    CARDD_TRY(device_row, device(terminal));
    (void)device_row;
    CARDD_TRY(list, everywhere());
    CARDD_TRY(own, exceptions(terminal));
    return merged(*list.cards, own);
}

Result<std::set<CardNo>> CardStore::listed_everywhere(std::span<const CardNo> cards) {
    std::set<CardNo> listed;
    for (std::size_t start = 0; start < cards.size(); start += max_in_list) {
        const std::size_t count = std::min(max_in_list, cards.size() - start);
        const std::vector<Value> params(cards.begin() + start, cards.begin() + start + count);
        CARDD_TRY(rows, db_->query("SELECT card_no FROM blacklist_all WHERE card_no IN " + in_list(count), params));
        for (const Row& row : rows) listed.insert(as_int(row[0]));
    }
    return listed;
}

Result<std::map<CardNo, std::map<DeviceId, bool>>> CardStore::exceptions_of(std::span<const CardNo> cards) {
    std::map<CardNo, std::map<DeviceId, bool>> found;
    for (std::size_t start = 0; start < cards.size(); start += max_in_list) {
        const std::size_t count = std::min(max_in_list, cards.size() - start);
        const std::vector<Value> params(cards.begin() + start, cards.begin() + start + count);
        CARDD_TRY(rows, db_->query("SELECT card_no, terminal_id, listed FROM terminal_exceptions WHERE card_no IN " +
                                       in_list(count),
                                   params));
        for (const Row& row : rows) found[as_int(row[0])][as_int(row[1])] = as_int(row[2]) == 1;
    }
    return found;
}

Result<void> CardStore::change_terminal_set(DeviceId terminal, BatchOp op, std::span<const CardNo> requested,
                                            BlacklistChange* change) {
    const std::vector<CardNo> cards = sorted_unique(requested);
    CARDD_TRY(listed, listed_everywhere(cards));
    std::vector<CardNo> changed;
    for (const CardNo card_no : cards) {
        CARDD_TRY(row, query_one(*db_, "SELECT listed FROM terminal_exceptions WHERE terminal_id = ? AND card_no = ?",
                                 {terminal, card_no}));
        const bool everywhere = listed.contains(card_no);
        const bool held = everywhere ? !row : row.has_value();
        if ((op == BatchOp::add) == held) continue;
        // The exception that makes the terminal's set what was asked: away if
        // it stood in the way, written if the list everywhere does not say it.
        if (row) {
            CARDD_TRY_VOID(execute(*db_, "DELETE FROM terminal_exceptions WHERE terminal_id = ? AND card_no = ?",
                                   {terminal, card_no}));
        } else {
            CARDD_TRY_VOID(execute(*db_,
                                   "INSERT INTO terminal_exceptions (terminal_id, card_no, listed) VALUES (?, ?, ?)",
                                   {terminal, card_no, std::int64_t{op == BatchOp::add ? 1 : 0}}));
        }
        changed.push_back(card_no);
    }
    std::map<DeviceId, std::vector<CardNo>> by_terminal;
    if (!changed.empty()) by_terminal.emplace(terminal, std::move(changed));
    return plan_changes(by_terminal, op, change);
}

Result<void> CardStore::blacklist_everywhere(CardNo card_no, BlacklistChange* change) {
    const CardNo cards[] = {card_no};
    return blacklist_everywhere(cards, change);
}

Result<void> CardStore::blacklist_everywhere(std::span<const CardNo> requested, BlacklistChange* change) {
    const std::vector<CardNo> cards = sorted_unique(requested);
    CARDD_TRY(listed, listed_everywhere(cards));
    CARDD_TRY(exceptions, exceptions_of(cards));
    bool grew = false;
    for (const CardNo card_no : cards) {
        if (listed.contains(card_no)) continue;
        CARDD_TRY_VOID(execute(*db_, "INSERT INTO blacklist_all (card_no) VALUES (?)", {card_no}));
        grew = true;
    }
    if (grew) CARDD_TRY_VOID(everywhere_changed());
    // Listed everywhere now, the cards need no exception on any terminal:
    // a plus row says what the list says, a minus row is what changes.
    for (std::size_t start = 0; start < cards.size(); start += max_in_list) {
        const std::size_t count = std::min(max_in_list, cards.size() - start);
        const std::vector<Value> params(cards.begin() + start, cards.begin() + start + count);
        CARDD_TRY_VOID(db_->execute("DELETE FROM terminal_exceptions WHERE card_no IN " + in_list(count), params));
    }
    const auto has_exception = [&](CardNo card_no, DeviceId terminal) {
        const auto own = exceptions.find(card_no);
        return own != exceptions.end() && own->second.contains(terminal);
    };
    CARDD_TRY(terminals, all_terminals());
    std::map<DeviceId, std::vector<CardNo>> changed;
    for (const DeviceId terminal : terminals) {
        std::vector<CardNo>& gained = changed[terminal];
        for (const CardNo card_no : cards) {
            // Listed before, a terminal lacks a card only by a minus row; not
            // listed, it holds one only by a plus row.
            const bool held = listed.contains(card_no) != has_exception(card_no, terminal);
            if (!held) gained.push_back(card_no);
        }
    }
    return plan_changes(changed, BatchOp::add, change);
}

Result<void> CardStore::unlist(std::span<const CardNo> requested, std::span<const DeviceId> from,
                               BlacklistChange* change) {
    const std::vector<CardNo> cards = sorted_unique(requested);
    const std::set<DeviceId> chosen(from.begin(), from.end());
    CARDD_TRY(listed, listed_everywhere(cards));
    CARDD_TRY(exceptions, exceptions_of(cards));
    CARDD_TRY(terminals, all_terminals());
    std::map<DeviceId, std::vector<CardNo>> changed;
    bool shrank = false;
    for (const CardNo card_no : cards) {
        const auto own = exceptions.find(card_no);
        const std::map<DeviceId, bool> rows = own == exceptions.end() ? std::map<DeviceId, bool>{} : own->second;
        if (listed.contains(card_no)) {
            // Off the list everywhere: terminals added from now on must not
            // learn a card usable again; a terminal not chosen keeps refusing
            // it, now by a plus row of its own, until it is pushed.
            CARDD_TRY_VOID(execute(*db_, "DELETE FROM blacklist_all WHERE card_no = ?", {card_no}));
            CARDD_TRY_VOID(execute(*db_, "DELETE FROM terminal_exceptions WHERE card_no = ?", {card_no}));
            shrank = true;
            for (const DeviceId terminal : terminals) {
                if (rows.contains(terminal)) continue;  // a minus row: it never held the card
                if (chosen.contains(terminal)) {
                    changed[terminal].push_back(card_no);
                } else {
                    CARDD_TRY_VOID(
                        execute(*db_, "INSERT INTO terminal_exceptions (terminal_id, card_no, listed) VALUES (?, ?, 1)",
                                {terminal, card_no}));
                }
            }
            continue;
        }
        for (const DeviceId terminal : chosen) {
            if (!rows.contains(terminal)) continue;
            CARDD_TRY_VOID(execute(*db_, "DELETE FROM terminal_exceptions WHERE terminal_id = ? AND card_no = ?",
                                   {terminal, card_no}));
            changed[terminal].push_back(card_no);
        }
    }
    if (shrank) CARDD_TRY_VOID(everywhere_changed());
    return plan_changes(changed, BatchOp::remove, change);
}

Result<BlacklistChange> CardStore::add_to_blacklists(const Actor& actor, std::span<const CardNo> cards,
                                                     std::span<const std::string> terminals) {
    if (cards.empty()) return fail(Errc::invalid_argument, "name at least one card number");
    return transaction([&]() -> Result<BlacklistChange> {
        for (CardNo card_no : cards) CARDD_TRY_VOID(load_card(card_no));
        CARDD_TRY(ids, resolve_terminals(PushTarget::named({terminals.begin(), terminals.end()})));
        BlacklistChange change;
        for (DeviceId terminal : ids) CARDD_TRY_VOID(change_terminal_set(terminal, BatchOp::add, cards, &change));
        CARDD_TRY_VOID(audit(actor, "blacklist.add",
                             "cards=" + join_cards(sorted_unique(cards)) + " terminals=" + std::to_string(ids.size())));
        return change;
    });
}

}  // namespace cardd::store
