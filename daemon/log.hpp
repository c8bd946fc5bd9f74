#pragma once
// Structured log lines: a stable message id an operator can grep, then
// key=value fields in one style (logfmt: a value with a space, a quote, an
// equals sign or a control character is quoted and escaped, so a person's
// name can neither split a line nor forge a field). Every id, its level and
// its explanation live in one table, daemon/log_catalogue.hpp.

#include <spdlog/spdlog.h>

#include <concepts>
#include <filesystem>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/log_catalogue.hpp"

namespace cardd::daemon {

/// One key=value of a log line. Durations carry their unit in the key
/// (`retry_in_s`, `age_s`), never in the value.
struct LogField {
    LogField(std::string_view name, std::string text) : key(name), value(std::move(text)) {}
    LogField(std::string_view name, std::string_view text) : key(name), value(text) {}
    LogField(std::string_view name, const char* text) : key(name), value(text) {}
    LogField(std::string_view name, const std::filesystem::path& path) : key(name), value(path.string()) {}
    LogField(std::string_view name, bool flag) : key(name), value(flag ? "true" : "false") {}
    template <std::integral Number>
    LogField(std::string_view name, Number number) : key(name), value(std::to_string(number)) {}

    std::string_view key;
    std::string value;
};

/// The fields as they appear after the id: `device=canteen-1 error="no answer"`.
std::string render_fields(std::initializer_list<LogField> fields);

void log_event(const Message& message, std::initializer_list<LogField> fields);

/// The journal entry of one log line, each element a `FIELD=value` for
/// sd_journal_sendv: MESSAGE= (the line as on stderr, without time and
/// level), PRIORITY=, MESSAGE_ID= (the catalogue's 128-bit id),
/// CARDD_MESSAGE= (the readable id), then each field as CARDD_<KEY>=.
std::vector<std::string> journal_fields(const Message& message, std::initializer_list<LogField> fields);

/// Whether standard error is the journal's stream: JOURNAL_STREAM names the
/// device and inode of the stream systemd connected, and stderr is it (so a
/// shell started from a unit, whose stderr is a terminal, logs to stderr).
bool stderr_is_journal();

/// Sets up logging: the journal when running under systemd, stderr otherwise.
void setup_logging(std::string_view level, bool journal);

}  // namespace cardd::daemon
