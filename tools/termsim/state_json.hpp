#pragma once
// A terminal's flash contents (PersistentState) as JSON text, and back. The
// file format of --state; the atomic file write lives in atomic_file.hpp.

#include <expected>
#include <string>
#include <string_view>

#include "tools/termsim/terminal.hpp"

namespace cardd::termsim {

/// Tag and version written into every state file.
inline constexpr std::string_view state_format_name = "card-termsim-state";
inline constexpr int state_format_version = 1;

std::string state_to_json(const PersistentState& state);

/// Parses a state file's text; an error names what is wrong.
std::expected<PersistentState, std::string> state_from_json(std::string_view text);

}  // namespace cardd::termsim
