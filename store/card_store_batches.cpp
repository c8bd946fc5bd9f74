// A terminal's batches: the versioned changes planned for it, their
// confirmation by the terminal, the full syncs, and the retry queue.

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

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

Result<std::int64_t> CardStore::newest_version() {
    return query_int(*db_, "SELECT value FROM counters WHERE name = 'blacklist_version'");
}

Result<std::vector<DeviceId>> CardStore::unconfirmed_terminals() {
    CARDD_TRY(rows, query(*db_,
                          "SELECT id FROM devices WHERE kind = 'terminal' AND planned_version <> confirmed_version "
                          "AND sync_next_at IS NULL ORDER BY id"));
    std::vector<DeviceId> ids;
    ids.reserve(rows.size());
    for (const Row& row : rows) ids.push_back(as_int(row[0]));
    return ids;
}

Result<void> CardStore::confirm_version(DeviceId terminal, std::int64_t version) {
    return transaction([&]() -> Result<void> { return confirm_version_in(terminal, version, false); });
}

Result<void> CardStore::confirm_version_in(DeviceId terminal, std::int64_t version, bool level) {
    CARDD_TRY_VOID(fence(terminal));
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
    CARDD_TRY_VOID(execute(*db_,
                           level ? "UPDATE devices SET confirmed_version = ?, sync_attempts = 0, sync_error = NULL, "
                                   "sync_failed_since = NULL, sync_next_at = NULL WHERE id = ?"
                                 : "UPDATE devices SET confirmed_version = ? WHERE id = ?",
                           {version, terminal}));
    return {};
}

Result<std::vector<std::optional<Error>>> CardStore::record_levels(std::span<const LevelReport> reports) {
    return transaction([&]() -> Result<std::vector<std::optional<Error>>> {
        std::vector<std::optional<Error>> outcomes;
        outcomes.reserve(reports.size());
        for (const LevelReport& report : reports) {
            std::optional<Error> refused;
            bool reset = false;  // the confirmation cleared the failure too, in one statement
            if (auto fenced = fence(report.terminal); !fenced) {
                if (fenced.error().code != Errc::fenced) return std::unexpected(fenced.error());
                outcomes.push_back(std::move(fenced.error()));
                continue;
            }
            if (report.confirmed_version) {
                if (auto confirmed = confirm_version_in(report.terminal, *report.confirmed_version, true); !confirmed) {
                    if (confirmed.error().code == Errc::storage) return std::unexpected(confirmed.error());
                    refused = confirmed.error();
                } else {
                    reset = true;
                }
            }
            if (!reset) {
                CARDD_TRY_VOID(execute(*db_,
                                       "UPDATE devices SET sync_attempts = 0, sync_error = NULL, "
                                       "sync_failed_since = NULL, sync_next_at = NULL WHERE id = ?",
                                       {report.terminal}));
            }
            outcomes.push_back(std::move(refused));
        }
        return outcomes;
    });
}

Result<std::uint64_t> CardStore::prune_batches(UnixTime before) {
    return transaction([&]() -> Result<std::uint64_t> {
        return execute(*db_,
                       "DELETE FROM blacklist_batches WHERE state IN ('confirmed', 'superseded') AND created_at < ? "
                       "AND new_version < (SELECT d.confirmed_version FROM devices d WHERE d.id = terminal_id)",
                       {before});
    });
}

Result<BlacklistBatch> CardStore::plan_full_sync(DeviceId terminal) {
    return transaction([&]() -> Result<BlacklistBatch> {
        CARDD_TRY(target, device(terminal));
        if (target.kind != DeviceKind::terminal)
            return fail(Errc::invalid_argument, "'" + target.name + "' is not a terminal");
        CARDD_TRY_VOID(fence(terminal));
        CARDD_TRY(version, next_version());
        CARDD_TRY_VOID(execute(
            *db_, "UPDATE blacklist_batches SET state = 'superseded' WHERE terminal_id = ? AND state = 'pending'",
            {terminal}));
        CARDD_TRY(batch, insert_full_batch(terminal, target.confirmed_version, version));
        CARDD_TRY_VOID(execute(*db_, "UPDATE devices SET planned_version = ? WHERE id = ?", {version, terminal}));
        return batch;
    });
}

// A full batch holds no cards: whoever sends it sends the desired set as it
// is then, at the planned version (every batch after it is in that set).
// Copying 50,000 cards into each full batch would grow the store with
// terminals x cards, the very thing the all-terminals list avoids.
Result<BlacklistBatch> CardStore::insert_full_batch(DeviceId terminal, std::int64_t base, std::int64_t version) {
    BlacklistBatch batch{0, terminal, base, version, BatchOp::full, {}, clock_(), BatchState::pending};
    CARDD_TRY_VOID(execute(*db_,
                           "INSERT INTO blacklist_batches (terminal_id, base_version, new_version, op, cards, "
                           "created_at, state) VALUES (?, ?, ?, 'full', '', ?, 'pending')",
                           {terminal, base, version, batch.created_at}));
    batch.id = db_->last_insert_id();
    return batch;
}

Result<void> CardStore::record_sync_failure(DeviceId terminal, std::string_view error, UnixTime next_attempt) {
    return transaction([&]() -> Result<void> {
        CARDD_TRY(found, device(terminal));
        CARDD_TRY_VOID(fence(terminal));
        const Value since = found.sync_failed_since ? Value{*found.sync_failed_since} : Value{clock_()};
        CARDD_TRY_VOID(execute(*db_,
                               "UPDATE devices SET sync_attempts = sync_attempts + 1, sync_error = ?, "
                               "sync_failed_since = ?, sync_next_at = ? WHERE id = ?",
                               {std::string(error.substr(0, 1024)), since, next_attempt, terminal}));
        return {};
    });
}

Result<void> CardStore::record_sync_success(DeviceId terminal) {
    return transaction([&]() -> Result<void> {
        CARDD_TRY_VOID(fence(terminal));
        CARDD_TRY_VOID(execute(*db_,
                               "UPDATE devices SET sync_attempts = 0, sync_error = NULL, sync_failed_since = NULL, "
                               "sync_next_at = NULL WHERE id = ?",
                               {terminal}));
        return {};
    });
}

Result<std::vector<DeviceId>> CardStore::due_retries(UnixTime now) {
    CARDD_TRY(
        rows,
        query(*db_, "SELECT id FROM devices WHERE sync_next_at IS NOT NULL AND sync_next_at <= ? ORDER BY id", {now}));
    std::vector<DeviceId> ids;
    for (const Row& row : rows) ids.push_back(as_int(row[0]));
    return ids;
}

}  // namespace cardd::store
