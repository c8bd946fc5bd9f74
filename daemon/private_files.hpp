#pragma once
// The data directory and the store file hold people's names, balances and
// (with the master key) what opens every card: cardd makes the directory
// 0750 and refuses a SQLite store that group or others may read or write.
// The master key's own check is in master_key.cpp; MariaDB stores are not
// files and are not checked.

#include <filesystem>

#include "daemon/error.hpp"

namespace cardd::daemon {

/// Creates `dir` (and missing parents) when it does not exist, the
/// directory itself 0750 whatever the umask; an existing one is left as it is.
Result<void> create_data_dir(const std::filesystem::path& dir);

/// Refuses a store file, or its -wal or -shm beside it, with any group or
/// other permission bit, saying which files and the chmod that fixes them.
/// A store that does not exist yet passes (it is created 0600).
Result<void> check_store_file(const std::filesystem::path& file);

}  // namespace cardd::daemon
