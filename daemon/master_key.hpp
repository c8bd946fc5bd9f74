#pragma once
// The card centre's master key: 16 bytes in a file only cardd's user may
// read. Every card key is diversified from it (protocol/card/
// key_diversification.hpp), so it is the one secret that matters: it is
// never logged, never put in an answer, and a file others could read is
// refused rather than used.

#include <filesystem>
#include <string>

#include "protocol/card/key_diversification.hpp"
#include "daemon/error.hpp"

namespace cardd::daemon {

struct MasterKeyFile {
    protocol::card::MasterKey key{};
    bool created = false;  ///< written just now, on first start
};

/// Reads the key at `path`. When the file does not exist, 16 random bytes
/// are written there (mode 0600, created exclusively, synced) and returned.
/// Errors (Errc::invalid): a mode looser than 0600, a size other than 16
/// bytes, not a regular file; Errc::system for I/O failures.
Result<MasterKeyFile> load_or_create_master_key(const std::filesystem::path& path);

}  // namespace cardd::daemon
