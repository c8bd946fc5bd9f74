#include "store/store_copy.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "store/migrations.hpp"
#include "store/sqlite_connection.hpp"

namespace cardd::store {
namespace {

template <class T>
std::unexpected<Error> failed(const Result<T>& result, const std::string& what) {
    return fail(result.error().code, what + ": " + result.error().message);
}

std::string text_of(const Value& value) {
    if (const auto* n = std::get_if<std::int64_t>(&value)) return std::to_string(*n);
    if (const auto* s = std::get_if<std::string>(&value)) return *s;
    return "NULL";
}

Result<std::vector<std::string>> tables_in(SqlConnection& db) {
    auto rows = db.dialect() == Dialect::sqlite
                    ? db.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
                    : db.query("SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()");
    if (!rows) return std::unexpected(rows.error());
    std::vector<std::string> names;
    for (const Row& row : *rows) names.push_back(as_text(row[0]));
    return names;
}

Result<std::vector<std::string>> columns_of(SqlConnection& db, std::string_view table) {
    const Value name{std::string(table)};
    auto rows = db.dialect() == Dialect::sqlite
                    ? db.query("SELECT name FROM pragma_table_info(?) ORDER BY cid", {&name, 1})
                    : db.query(
                          "SELECT column_name FROM information_schema.columns WHERE table_schema = DATABASE() "
                          "AND table_name = ? ORDER BY ordinal_position",
                          {&name, 1});
    if (!rows) return std::unexpected(rows.error());
    std::vector<std::string> names;
    for (const Row& row : *rows) names.push_back(as_text(row[0]));
    return names;
}

/// "ORDER BY 1, 2, ..., n": every row of a table in one order on both backends.
std::string in_order(std::size_t columns) {
    std::string sql = " ORDER BY ";
    for (std::size_t i = 1; i <= columns; ++i) sql += (i > 1 ? ", " : "") + std::to_string(i);
    return sql;
}

Result<std::int64_t> count_rows(SqlConnection& db, std::string_view table) {
    auto rows = db.query("SELECT COUNT(*) FROM " + std::string(table));
    if (!rows) return std::unexpected(rows.error());
    return as_int(rows->front()[0]);
}

/// Each card's balance, its ledger sum, as text (MariaDB's SUM is a DECIMAL that reaches us as text).
Result<std::map<std::int64_t, std::string>> balances(SqlConnection& db) {
    auto rows = db.query(
        "SELECT c.card_no, COALESCE(SUM(l.amount), 0) FROM cards c LEFT JOIN ledger l ON l.card_no = c.card_no "
        "GROUP BY c.card_no");
    if (!rows) return std::unexpected(rows.error());
    std::map<std::int64_t, std::string> sums;
    for (const Row& row : *rows) sums[as_int(row[0])] = text_of(row[1]);
    return sums;
}

/// The next id of each auto-increment table.
Result<std::map<std::string, std::int64_t>> next_ids(SqlConnection& db) {
    auto rows = db.dialect() == Dialect::sqlite
                    ? db.query("SELECT name, seq + 1 FROM sqlite_sequence")
                    : db.query(
                          "SELECT table_name, auto_increment FROM information_schema.tables WHERE "
                          "table_schema = DATABASE() AND auto_increment IS NOT NULL");
    if (!rows) return std::unexpected(rows.error());
    std::map<std::string, std::int64_t> next;
    for (const Row& row : *rows) next[as_text(row[0])] = as_int(row[1]);
    return next;
}

/// The rows a fresh migration writes, per table: what an empty target holds.
Result<std::map<std::string, std::vector<Row>>> fresh_rows() {
    auto memory = open_sqlite(":memory:");
    if (!memory) return std::unexpected(memory.error());
    if (auto migrated = migrate(**memory); !migrated) return std::unexpected(migrated.error());
    std::map<std::string, std::vector<Row>> rows;
    for (std::string_view table : schema_tables()) {
        if (table == "schema_version") continue;
        auto columns = columns_of(**memory, table);
        if (!columns) return std::unexpected(columns.error());
        auto read = (*memory)->query("SELECT * FROM " + std::string(table) + in_order(columns->size()));
        if (!read) return std::unexpected(read.error());
        rows[std::string(table)] = std::move(*read);
    }
    return rows;
}

/// Refuses a target holding anything a fresh migration did not write.
Result<void> check_empty(SqlConnection& to) {
    auto fresh = fresh_rows();
    if (!fresh) return failed(fresh, "cannot make an empty store to compare with");
    for (std::string_view table : schema_tables()) {
        if (table == "schema_version") continue;
        auto columns = columns_of(to, table);
        if (!columns) return failed(columns, "cannot read the target");
        auto rows = to.query("SELECT * FROM " + std::string(table) + in_order(columns->size()));
        if (!rows) return failed(rows, "cannot read the target");
        if (*rows != fresh->at(std::string(table))) {
            return fail(Errc::conflict, "the target is not empty: its table " + std::string(table) + " holds " +
                                            std::to_string(rows->size()) +
                                            " rows that a new store does not; a store is copied only into an "
                                            "empty database (drop and create it again, or choose another)");
        }
    }
    return {};
}

/// Inserts `rows` into `table` of `to`, many rows a statement.
Result<void> insert_rows(SqlConnection& to, std::string_view table, const std::vector<std::string>& columns,
                         const std::vector<Row>& rows) {
    std::string head = "INSERT INTO " + std::string(table) + " (";
    std::string tuple = "(";
    for (std::size_t i = 0; i < columns.size(); ++i) {
        head += (i > 0 ? ", " : "") + columns[i];
        tuple += i > 0 ? ", ?" : "?";
    }
    head += ") VALUES ";
    tuple += ")";
    // Under MariaDB's 65535 placeholders a statement, and a few hundred rows.
    const std::size_t per_statement = std::max<std::size_t>(1, std::min<std::size_t>(500, 30000 / columns.size()));
    for (std::size_t first = 0; first < rows.size(); first += per_statement) {
        const std::size_t last = std::min(rows.size(), first + per_statement);
        std::string sql = head;
        std::vector<Value> params;
        params.reserve((last - first) * columns.size());
        for (std::size_t r = first; r < last; ++r) {
            sql += (r > first ? ", " : "") + tuple;
            params.insert(params.end(), rows[r].begin(), rows[r].end());
        }
        if (auto done = to.execute(sql, params); !done) {
            return failed(done, "the target refused a row of " + std::string(table));
        }
    }
    return {};
}

/// Sets the target's auto-increment counters to the source's, inside the
/// transaction on SQLite (sqlite_sequence is a table).
Result<void> set_sqlite_sequences(SqlConnection& to, const std::map<std::string, std::int64_t>& next) {
    for (const auto& [table, id] : next) {
        const Value params[] = {std::int64_t{id - 1}, table};
        auto updated = to.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?", params);
        if (!updated) return failed(updated, "cannot set the id counter of " + table);
        if (*updated == 0) {
            const Value insert[] = {table, std::int64_t{id - 1}};
            auto inserted = to.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", insert);
            if (!inserted) return failed(inserted, "cannot set the id counter of " + table);
        }
    }
    return {};
}

/// Everything but the commit: the caller rolls back on an error.
Result<CopySummary> copy_rows(SqlConnection& from, SqlConnection& to, int version) {
    CopySummary summary;
    summary.schema_version = version;
    // Not a single table of the source left behind: every one must be known.
    auto present = tables_in(from);
    if (!present) return failed(present, "cannot read the source");
    const auto known = schema_tables();
    for (const std::string& table : *present) {
        if (std::find(known.begin(), known.end(), table) == known.end()) {
            return fail(Errc::conflict, "the source has a table this cardd does not know: " + table);
        }
    }
    // The rows a fresh migration wrote make way for the source's own.
    for (const char* seeded : {"schema_version", "card_format", "counters"}) {
        if (auto cleared = to.execute(std::string("DELETE FROM ") + seeded); !cleared) {
            return failed(cleared, "cannot write the target");
        }
    }
    for (std::string_view table : known) {
        auto columns = columns_of(from, table);
        if (!columns) return failed(columns, "cannot read the source");
        auto target_columns = columns_of(to, table);
        if (!target_columns) return failed(target_columns, "cannot read the target");
        if (std::set(columns->begin(), columns->end()) != std::set(target_columns->begin(), target_columns->end())) {
            return fail(Errc::conflict, "the table " + std::string(table) + " has other columns in the target");
        }
        auto rows = from.query("SELECT " +
                               [&] {
                                   std::string list;
                                   for (const auto& column : *columns) list += (list.empty() ? "" : ", ") + column;
                                   return list;
                               }() +
                               " FROM " + std::string(table) + in_order(columns->size()));
        if (!rows) return failed(rows, "cannot read the source");
        if (auto inserted = insert_rows(to, table, *columns, *rows); !inserted) {
            return std::unexpected(inserted.error());
        }
        summary.tables.push_back({std::string(table), static_cast<std::int64_t>(rows->size())});
    }
    auto next = next_ids(from);
    if (!next) return failed(next, "cannot read the source's id counters");
    if (to.dialect() == Dialect::sqlite) {
        if (auto set = set_sqlite_sequences(to, *next); !set) return std::unexpected(set.error());
    }

    // The check, inside the transaction: a mismatch is rolled back.
    for (const CopySummary::Table& table : summary.tables) {
        auto source = count_rows(from, table.name);
        if (!source) return failed(source, "cannot count the source's rows");
        auto target = count_rows(to, table.name);
        if (!target) return failed(target, "cannot count the target's rows");
        if (*source != table.rows || *target != table.rows) {
            return fail(Errc::storage, "the copy does not check out: " + table.name + " has " +
                                           std::to_string(*source) + " rows in the source and " +
                                           std::to_string(*target) + " in the target");
        }
    }
    auto source_balances = balances(from);
    if (!source_balances) return failed(source_balances, "cannot read the source's balances");
    auto target_balances = balances(to);
    if (!target_balances) return failed(target_balances, "cannot read the target's balances");
    if (*source_balances != *target_balances) {
        for (const auto& [card, sum] : *source_balances) {
            const auto found = target_balances->find(card);
            const std::string there = found == target_balances->end() ? "nothing" : found->second;
            if (there != sum) {
                return fail(Errc::storage, "the copy does not check out: card " + std::to_string(card) +
                                               " has a ledger sum of " + sum + " in the source and " + there +
                                               " in the target");
            }
        }
        return fail(Errc::storage, "the copy does not check out: the target has ledger entries of other cards");
    }
    summary.cards = source_balances->size();
    for (const auto& [card, sum] : *source_balances) summary.balance_total += std::stoll(sum);
    return summary;
}

}  // namespace

Result<CopySummary> copy_store(SqlConnection& from, SqlConnection& to) {
    auto version = recorded_schema_version(from);
    if (!version) return failed(version, "cannot read the source's schema version");
    if (*version != latest_schema_version()) {
        return fail(Errc::conflict, "the source has schema version " + std::to_string(*version) +
                                        " and this cardd writes " + std::to_string(latest_schema_version()) +
                                        (*version == 0 ? ": it holds no store"
                                                       : ": start this cardd on it once (it migrates the "
                                                         "store), stop it, then copy"));
    }
    auto migrated = migrate(to);
    if (!migrated) return failed(migrated, "cannot set up the target's schema");
    auto target_version = recorded_schema_version(to);
    if (!target_version) return failed(target_version, "cannot read the target's schema version");
    if (*target_version != *version) {
        return fail(Errc::conflict, "the target has schema version " + std::to_string(*target_version) +
                                        " after migration, the source " + std::to_string(*version));
    }

    // One read transaction on the source (a consistent view), one write
    // transaction on the target (all or nothing).
    if (auto began = from.begin(); !began) return failed(began, "cannot read the source");
    if (auto began = to.begin(); !began) {
        (void)from.rollback();
        return failed(began, "cannot write the target");
    }
    Result<CopySummary> copied = [&]() -> Result<CopySummary> {
        if (auto empty = check_empty(to); !empty) return std::unexpected(empty.error());
        return copy_rows(from, to, *version);
    }();
    if (!copied) {
        (void)to.rollback();
        (void)from.rollback();
        return copied;
    }
    if (auto committed = to.commit(); !committed) {
        (void)to.rollback();
        (void)from.rollback();
        return failed(committed, "the target did not commit the copy");
    }
    auto next = next_ids(from);
    (void)from.rollback();
    if (!next) return failed(next, "the rows are copied, but the source's id counters cannot be read");
    if (to.dialect() == Dialect::mariadb) {
        for (const auto& [table, id] : *next) {
            if (auto set = to.execute("ALTER TABLE " + table + " AUTO_INCREMENT = " + std::to_string(id)); !set) {
                return failed(set, "the rows are copied, but the id counter of " + table + " was not set");
            }
        }
    }
    return copied;
}

}  // namespace cardd::store
