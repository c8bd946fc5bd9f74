#pragma once
// The embedded default backend: one SQLite file in the data directory.

#include <filesystem>
#include <memory>

#include "store/sql_connection.hpp"

namespace cardd::store {

/// Opens (creating if needed) the SQLite database at `path`, with WAL,
/// foreign keys on and a busy timeout so a second reader does not fail at once.
/// ":memory:" gives a private in-memory database.
Result<std::unique_ptr<SqlConnection>> open_sqlite(const std::filesystem::path& path);

/// Opens an existing SQLite database read only, as it is: no file is created,
/// its journal mode is not changed. For checking a copy (a backup).
Result<std::unique_ptr<SqlConnection>> open_sqlite_read_only(const std::filesystem::path& path);

}  // namespace cardd::store
