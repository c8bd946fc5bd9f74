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

}  // namespace cardd::store
