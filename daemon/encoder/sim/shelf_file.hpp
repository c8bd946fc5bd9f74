#pragma once
// The file that keeps a simulated reader's virtual cards, as a physical
// card's EEPROM keeps its memory: read once when the reader opens, and
// replaced whole on every change, synced to disk before the change counts, so
// that a process killed at any moment leaves the old cards or the new ones,
// never half a file. It holds the card keys, so it is readable by its owner
// only.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/encoder/encoder_error.hpp"

namespace cardd::encoder::sim {

class ShelfFile {
public:
    explicit ShelfFile(std::filesystem::path path) : path_(std::move(path)) {}

    const std::filesystem::path& path() const noexcept { return path_; }

    /// The file's text, or nothing when there is no file yet. storage when
    /// it exists but cannot be read.
    Result<std::optional<std::string>> load() const;

    /// Replaces the file with `text`: written to PATH.new (mode 0600 whatever
    /// the umask), synced, renamed over PATH, and the directory synced.
    /// storage on any failure; PATH then holds what it held before, unless
    /// only the last step, syncing the directory, failed.
    Result<void> store(std::string_view text) const;

private:
    std::filesystem::path path_;
};

}  // namespace cardd::encoder::sim
