#pragma once
// How cardctl gets a console account's password: never from its command line
// (where ps and the shell's history would show it), but asked twice on the
// terminal with echo off, or read as one line of standard input
// (--password-stdin) for scripts.

#include <expected>
#include <istream>
#include <string>

namespace cardd::cardctl {

/// The first line of `in`, without its line break (and a '\r' before it);
/// an error when there is none.
std::expected<std::string, std::string> read_password_line(std::istream& in);

/// Asks for a password twice on the controlling terminal (/dev/tty), echo
/// off, with `prompt`; an error when there is no terminal or the two differ.
std::expected<std::string, std::string> ask_password_twice(const std::string& prompt);

/// Zeroes a string's bytes where they are.
void wipe(std::string& text) noexcept;

}  // namespace cardd::cardctl
