#pragma once
// store-backup: a consistent copy of the SQLite store while cardd serves.

#include <filesystem>

#include "daemon/control/arguments.hpp"
#include "daemon/control/command_registry.hpp"

namespace cardd::daemon {

struct Service;

/// Where the copy goes: an absolute path cardd can create.
struct BackupArgs {
    std::filesystem::path path;
};
BackupArgs parse_store_backup(const nlohmann::json& arguments);

/// Pages copied per step: 256 pages (1 MiB at SQLite's default page size)
/// take a few milliseconds, so a request waits at most that long for a step.
inline constexpr int backup_pages_per_step = 256;

boost::asio::awaitable<Answer> store_backup(Service& service, Request& request, const BackupArgs& arguments);

}  // namespace cardd::daemon
