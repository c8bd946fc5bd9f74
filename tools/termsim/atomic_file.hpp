#pragma once
// Whole-file writes that a crash cannot tear: write a temporary file in the
// same directory, fsync it, rename it over the target, fsync the directory.

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace cardd::termsim {

/// Replaces `path` with `contents` atomically. Throws std::system_error.
void write_file_atomically(const std::filesystem::path& path, std::string_view contents);

/// The file's contents, or nullopt when it does not exist. Throws
/// std::system_error on any other failure.
std::optional<std::string> read_file_if_exists(const std::filesystem::path& path);

}  // namespace cardd::termsim
