#pragma once
// A whole store copied from one database to another (SQLite to MariaDB and
// back): every row of every table of the schema, ids kept, in one transaction
// on the target, verified before it commits. `cardd --migrate-store` runs it.

#include <cstdint>
#include <string>
#include <vector>

#include "store/sql_connection.hpp"

namespace cardd::store {

/// What a copy moved, and what its verification compared on both sides.
struct CopySummary {
    struct Table {
        std::string name;
        std::int64_t rows = 0;
    };
    int schema_version = 0;
    std::vector<Table> tables;       ///< in schema_tables() order, with their row counts (equal on both sides)
    std::size_t cards = 0;           ///< cards whose balance (ledger sum) was compared
    std::int64_t balance_total = 0;  ///< the sum of every card's balance, in cents
};

/// Copies the store in `from` into `to`. `from` must be at this build's
/// schema version and is only read, in one transaction (a consistent view
/// even if something writes it). `to` is migrated to the same version first
/// (its tables created, as cardd does at first start) and must then be empty:
/// no row but those a fresh migration writes. The rows go in in one
/// transaction, with the auto-increment counters, and the copy is checked
/// inside it (row counts per table, each card's ledger sum, on both sides);
/// any failure rolls it back, leaving `to` empty. On MariaDB the counters
/// are set after the commit (ALTER TABLE commits by itself).
Result<CopySummary> copy_store(SqlConnection& from, SqlConnection& to);

}  // namespace cardd::store
