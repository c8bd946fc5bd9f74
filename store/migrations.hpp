#pragma once
// Versioned schema migrations, one list for both backends.

#include <span>
#include <string_view>

#include "store/sql_connection.hpp"

namespace cardd::store {

/// The schema version this build writes.
int latest_schema_version() noexcept;

/// Brings the database to latest_schema_version(), one migration per
/// transaction where the backend allows it. A database whose recorded version
/// is newer than this build is refused with Errc::schema_too_new.
Result<int> migrate(SqlConnection& db);

/// Every table of the schema the migrations make, schema_version included,
/// each before the tables whose rows refer to it (the order a copy inserts in).
std::span<const std::string_view> schema_tables() noexcept;

/// The schema version recorded in the database, 0 for an empty one.
Result<int> recorded_schema_version(SqlConnection& db);

}  // namespace cardd::store
