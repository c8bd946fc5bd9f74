#pragma once
// Width of UTF-8 text on a terminal, so tables and the progress bar line up
// with Chinese names: East Asian wide characters take two columns. Decided
// here rather than by wcwidth(), whose answer depends on the process locale.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cardd::cardctl {

/// Byte offset of the first byte that does not start a valid UTF-8 sequence
/// (overlong forms, surrogates and code points above U+10FFFF are invalid), or none.
std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept;

/// Columns one code point takes: 2 for East Asian wide and fullwidth, 0 for
/// combining marks, zero-width and control characters, 1 otherwise.
int code_point_width(char32_t code_point) noexcept;

/// Columns the text takes; an invalid byte counts as one column.
std::size_t display_width(std::string_view text) noexcept;

/// The longest prefix of whole characters that fits in `columns`.
std::string truncate_to_width(std::string_view text, std::size_t columns);

}  // namespace cardd::cardctl
