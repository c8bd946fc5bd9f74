#include <algorithm>
#include <limits>

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

namespace {

// One batch is one CT-1 command: at most 76 entries fit a 0x17 write, so a
// bigger change is split into several batches, each with its own version.
constexpr std::size_t max_cards_per_batch = 76;

std::vector<CardNo> sorted_unique(std::span<const CardNo> cards) {
    std::vector<CardNo> out(cards.begin(), cards.end());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
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

// Versions come from one counter for the whole store, so a terminal removed
// and registered again can never be told a version it once held with other
// content.
Result<std::int64_t> CardStore::next_version() {
    CARDD_TRY_VOID(execute(*db_, "UPDATE counters SET value = value + 1 WHERE name = 'blacklist_version'"));
    CARDD_TRY(version, query_int(*db_, "SELECT value FROM counters WHERE name = 'blacklist_version'"));
    if (version > std::numeric_limits<std::uint32_t>::max()) {
        return fail(Errc::storage, "the blacklist version counter passed the terminals' 32-bit limit");
    }
    return version;
}

Result<void> CardStore::change_terminal_set(DeviceId terminal, BatchOp op, std::span<const CardNo> requested,
                                            BlacklistChange* change) {
    std::vector<CardNo> changed;
    for (CardNo card_no : sorted_unique(requested)) {
        CARDD_TRY(present, query_one(*db_, "SELECT 1 FROM terminal_blacklist WHERE terminal_id = ? AND card_no = ?",
                                     {terminal, card_no}));
        if (op == BatchOp::add && !present) {
            CARDD_TRY_VOID(execute(*db_, "INSERT INTO terminal_blacklist (terminal_id, card_no) VALUES (?, ?)",
                                   {terminal, card_no}));
            changed.push_back(card_no);
        } else if (op == BatchOp::remove && present) {
            CARDD_TRY_VOID(execute(*db_, "DELETE FROM terminal_blacklist WHERE terminal_id = ? AND card_no = ?",
                                   {terminal, card_no}));
            changed.push_back(card_no);
        }
    }
    CARDD_TRY(planned,
              query_int(*db_, std::string("SELECT planned_version FROM devices WHERE id = ?") + for_update(*db_),
                        {terminal}));
    std::int64_t base = planned;
    for (std::size_t start = 0; start < changed.size(); start += max_cards_per_batch) {
        const std::size_t count = std::min(max_cards_per_batch, changed.size() - start);
        const std::span<const CardNo> chunk(changed.data() + start, count);
        CARDD_TRY(version, next_version());
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
    if (base != planned) {
        CARDD_TRY_VOID(execute(*db_, "UPDATE devices SET planned_version = ? WHERE id = ?", {base, terminal}));
    }
    return {};
}

Result<void> CardStore::blacklist_everywhere(CardNo card_no, BlacklistChange* change) {
    const CardNo cards[] = {card_no};
    return blacklist_everywhere(cards, change);
}

Result<void> CardStore::blacklist_everywhere(std::span<const CardNo> cards, BlacklistChange* change) {
    for (const CardNo card_no : cards) {
        CARDD_TRY(listed, query_one(*db_, "SELECT 1 FROM blacklist_all WHERE card_no = ?", {card_no}));
        if (!listed) CARDD_TRY_VOID(execute(*db_, "INSERT INTO blacklist_all (card_no) VALUES (?)", {card_no}));
    }
    CARDD_TRY(terminals, all_terminals());
    for (DeviceId terminal : terminals) CARDD_TRY_VOID(change_terminal_set(terminal, BatchOp::add, cards, change));
    return {};
}

Result<std::vector<CardNo>> CardStore::desired_blacklist(DeviceId terminal) {
    CARDD_TRY(device_row, device(terminal));
    (void)device_row;
    CARDD_TRY(rows,
              query(*db_, "SELECT card_no FROM terminal_blacklist WHERE terminal_id = ? ORDER BY card_no", {terminal}));
    std::vector<CardNo> cards;
    cards.reserve(rows.size());
    for (const Row& row : rows) cards.push_back(as_int(row[0]));
    return cards;
}

Result<std::vector<BlacklistBatch>> CardStore::batches(DeviceId terminal) {
    CARDD_TRY(rows, query(*db_,
                          "SELECT " + std::string(batch_columns) +
                              "FROM blacklist_batches WHERE terminal_id = ? ORDER BY new_version",
                          {terminal}));
    std::vector<BlacklistBatch> out;
    for (const Row& row : rows) out.push_back(batch_from_row(row));
    return out;
}

Result<std::vector<BlacklistBatch>> CardStore::pending_batches(DeviceId terminal) {
    CARDD_TRY(rows, query(*db_,
                          "SELECT " + std::string(batch_columns) +
                              "FROM blacklist_batches WHERE terminal_id = ? AND state = 'pending' "
                              "ORDER BY new_version",
                          {terminal}));
    std::vector<BlacklistBatch> out;
    for (const Row& row : rows) out.push_back(batch_from_row(row));
    return out;
}

Result<void> CardStore::confirm_version(DeviceId terminal, std::int64_t version) {
    return transaction([&]() -> Result<void> { return confirm_version_in(terminal, version); });
}

Result<void> CardStore::confirm_version_in(DeviceId terminal, std::int64_t version) {
    CARDD_TRY(known, query_one(*db_, "SELECT state FROM blacklist_batches WHERE terminal_id = ? AND new_version = ?",
                               {terminal, version}));
    if (!known) {
        return fail(Errc::not_found, "blacklist version " + std::to_string(version) +
                                         " was never planned for terminal " + std::to_string(terminal));
    }
    if (as_text((*known)[0]) == "superseded") {
        return fail(Errc::conflict, "blacklist version " + std::to_string(version) + " was superseded by a full sync");
    }
    CARDD_TRY_VOID(execute(*db_,
                           "UPDATE blacklist_batches SET state = 'confirmed' "
                           "WHERE terminal_id = ? AND new_version <= ? AND state = 'pending'",
                           {terminal, version}));
    CARDD_TRY_VOID(execute(*db_, "UPDATE devices SET confirmed_version = ? WHERE id = ?", {version, terminal}));
    return {};
}

Result<std::vector<std::optional<Error>>> CardStore::record_levels(std::span<const LevelReport> reports) {
    return transaction([&]() -> Result<std::vector<std::optional<Error>>> {
        std::vector<std::optional<Error>> outcomes;
        outcomes.reserve(reports.size());
        for (const LevelReport& report : reports) {
            std::optional<Error> refused;
            if (report.confirmed_version) {
                if (auto confirmed = confirm_version_in(report.terminal, *report.confirmed_version); !confirmed) {
                    if (confirmed.error().code == Errc::storage) return std::unexpected(confirmed.error());
                    refused = confirmed.error();
                }
            }
            CARDD_TRY_VOID(execute(*db_,
                                   "UPDATE devices SET sync_attempts = 0, sync_error = NULL, "
                                   "sync_failed_since = NULL, sync_next_at = NULL WHERE id = ?",
                                   {report.terminal}));
            outcomes.push_back(std::move(refused));
        }
        return outcomes;
    });
}

Result<BlacklistBatch> CardStore::plan_full_sync(DeviceId terminal) {
    return transaction([&]() -> Result<BlacklistBatch> {
        CARDD_TRY(target, device(terminal));
        if (target.kind != DeviceKind::terminal)
            return fail(Errc::invalid_argument, "'" + target.name + "' is not a terminal");
        CARDD_TRY(cards, desired_blacklist(terminal));
        CARDD_TRY(version, next_version());
        CARDD_TRY_VOID(execute(
            *db_, "UPDATE blacklist_batches SET state = 'superseded' WHERE terminal_id = ? AND state = 'pending'",
            {terminal}));
        BlacklistBatch batch{0,     terminal, target.confirmed_version, version, BatchOp::full,
                             cards, clock_(), BatchState::pending};
        CARDD_TRY_VOID(execute(*db_,
                               "INSERT INTO blacklist_batches (terminal_id, base_version, new_version, op, cards, "
                               "created_at, state) VALUES (?, ?, ?, 'full', ?, ?, 'pending')",
                               {terminal, batch.base_version, version, join_cards(cards), batch.created_at}));
        batch.id = db_->last_insert_id();
        CARDD_TRY_VOID(execute(*db_, "UPDATE devices SET planned_version = ? WHERE id = ?", {version, terminal}));
        return batch;
    });
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

namespace cardd::store {

using namespace detail;

Result<void> CardStore::record_sync_failure(DeviceId terminal, std::string_view error, UnixTime next_attempt) {
    return transaction([&]() -> Result<void> {
        CARDD_TRY(found, device(terminal));
        const Value since = found.sync_failed_since ? Value{*found.sync_failed_since} : Value{clock_()};
        CARDD_TRY_VOID(execute(*db_,
                               "UPDATE devices SET sync_attempts = sync_attempts + 1, sync_error = ?, "
                               "sync_failed_since = ?, sync_next_at = ? WHERE id = ?",
                               {std::string(error.substr(0, 1024)), since, next_attempt, terminal}));
        return {};
    });
}

Result<void> CardStore::record_sync_success(DeviceId terminal) {
    CARDD_TRY_VOID(execute(*db_,
                           "UPDATE devices SET sync_attempts = 0, sync_error = NULL, sync_failed_since = NULL, "
                           "sync_next_at = NULL WHERE id = ?",
                           {terminal}));
    return {};
}

Result<std::vector<DeviceId>> CardStore::due_retries(UnixTime now) {
    CARDD_TRY(
        rows,
        query(*db_, "SELECT id FROM devices WHERE sync_next_at IS NOT NULL AND sync_next_at <= ? ORDER BY id", {now}));
    std::vector<DeviceId> ids;
    for (const Row& row : rows) ids.push_back(as_int(row[0]));
    return ids;
}

Result<std::vector<std::int64_t>> CardStore::known_versions(DeviceId terminal) {
    CARDD_TRY(rows, query(*db_, "SELECT new_version FROM blacklist_batches WHERE terminal_id = ? ORDER BY new_version",
                          {terminal}));
    std::vector<std::int64_t> versions{0};
    for (const Row& row : rows) versions.push_back(as_int(row[0]));
    return versions;
}

}  // namespace cardd::store
