#pragma once
// The directory that keeps a simulated reader's virtual cards, one file per
// card named by its UID in hex, as a physical card's EEPROM keeps its memory:
// read once when the reader opens, and a card's file replaced whole when
// that card changes, synced to disk before the change counts, so that a
// process killed at any moment leaves each card as it was or as it became,
// never half a file. A change writes one card, however many the shelf
// holds. The files hold the card keys: the directory is 0700 and each file
// 0600, whatever the umask.
//
// Earlier releases kept every card in one file beside where the directory
// now is; the reader moves its cards in on first load (old_file()).

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/encoder/encoder_error.hpp"

namespace cardd::encoder::sim {

class ShelfDirectory {
public:
    /// Cards in `directory`; `old_file` is where an earlier release kept them
    /// all (empty: none to migrate).
    explicit ShelfDirectory(std::filesystem::path directory, std::filesystem::path old_file = {})
        : directory_(std::move(directory)), old_file_(std::move(old_file)) {}

    const std::filesystem::path& directory() const noexcept { return directory_; }
    const std::filesystem::path& old_file() const noexcept { return old_file_; }

    /// Every card file's text by its name (the UID in hex); none when the
    /// directory does not exist yet. A temporary left by a store cut short
    /// is never read, and removed when the disk lets it. storage when the directory or a file cannot
    /// be read.
    Result<std::map<std::string, std::string>> load() const;

    /// Replaces card file `name` with `text`: written to NAME.new (mode 0600
    /// whatever the umask), synced, renamed over NAME, and the directory
    /// synced; the directory is made (0700) when missing. storage on any
    /// failure; NAME then holds what it held before, unless only the last
    /// step, syncing the directory, failed.
    Result<void> store(std::string_view name, std::string_view text) const;

    /// Removes card file `name` (none there is no error), the directory synced.
    Result<void> remove(std::string_view name) const;

    /// The old single file's text, nothing when there is none (its stale
    /// temporary then removed when the disk lets it). storage when it cannot
    /// be read.
    Result<std::optional<std::string>> load_old_file() const;
    /// Removes the old single file, once every card it held is stored here.
    Result<void> remove_old_file() const;

    /// The suffix of a card file being written.
    static constexpr std::string_view temporary_suffix = ".new";

private:
    std::filesystem::path directory_;
    std::filesystem::path old_file_;
};

}  // namespace cardd::encoder::sim
