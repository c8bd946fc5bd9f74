#pragma once
// The console's log lines on standard error (the journal under systemd):
// a stable id, then key=value fields quoted so a value cannot split a line.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace cardd::console {

using LogFields = std::initializer_list<std::pair<std::string_view, std::string>>;

/// "listening address=127.0.0.1:8443" as one line; `level` is "info",
/// "warning" or "error" (a syslog prefix the journal reads, when it is the journal).
void log_line(std::string_view level, std::string_view id, LogFields fields);

/// One field's value as written: bare, or quoted with \" \\ \n and \xNN escapes.
std::string log_value(std::string_view value);

}  // namespace cardd::console
