#pragma once
// A consistent copy of a live SQLite store, made with SQLite's online backup
// API a few pages at a time, so the caller can serve other requests between
// steps; and the check of such a copy.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "store/sql_connection.hpp"

struct sqlite3;
struct sqlite3_backup;

namespace cardd::store {

class SqliteBackup {
public:
    /// Creates `target` (an absolute path; mode 0600; an existing file is
    /// refused, never overwritten) and starts copying `source` into it, as
    /// the database stands now: the copy is that moment's store, whatever is
    /// written to `source` while it runs. Errc::invalid_argument for a
    /// relative path, conflict for an existing file, not_found for a missing
    /// directory, storage otherwise.
    static Result<std::unique_ptr<SqliteBackup>> start(const std::filesystem::path& source,
                                                       const std::filesystem::path& target);

    /// Copies up to `pages` more pages; true once the whole database is copied.
    Result<bool> step(int pages);
    /// Pages of the database being copied, and those not copied yet.
    int page_count() const noexcept;
    int remaining() const noexcept;

    /// After step() returned true: closes the copy as one self-contained file
    /// (rollback journal, no -wal beside it).
    Result<void> finish();

    /// A copy not finished is removed with its journal: no half file is left.
    ~SqliteBackup();
    SqliteBackup(const SqliteBackup&) = delete;
    SqliteBackup& operator=(const SqliteBackup&) = delete;

    struct Handles;

private:
    SqliteBackup(std::filesystem::path target, std::unique_ptr<Handles> handles);

    std::filesystem::path target_;
    std::unique_ptr<Handles> handles_;
    bool finished_ = false;
};

/// What the check of a copy found.
struct CopyCheck {
    std::uintmax_t size = 0;              ///< bytes
    int schema_version = 0;               ///< as recorded in the copy
    std::string integrity;                ///< PRAGMA integrity_check: "ok", or its first findings
    std::vector<std::string> violations;  ///< CardStore::check_invariants on the copy
    bool good() const { return integrity == "ok" && violations.empty(); }
};

/// Opens the SQLite file at `path` read only, as a store, and runs SQLite's
/// integrity check and the store's invariant check on it. Changes nothing.
Result<CopyCheck> check_sqlite_copy(const std::filesystem::path& path);

}  // namespace cardd::store
