#include "daemon/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/sinks/systemd_sink.h>

#include <fmt/format.h>

namespace cardd::daemon {

namespace {

spdlog::level::level_enum spdlog_level(Level level) noexcept {
    switch (level) {
        case Level::debug: return spdlog::level::debug;
        case Level::info: return spdlog::level::info;
        case Level::warn: return spdlog::level::warn;
        case Level::error: return spdlog::level::err;
    }
    return spdlog::level::err;
}

bool needs_quotes(std::string_view value) noexcept {
    if (value.empty()) return true;
    for (const unsigned char c : value) {
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f || c >= 0x80) return true;
    }
    return false;
}

// Control characters, C0, DEL and C1 (U+0080..U+009F, which a terminal may
// read as the start of an escape sequence), are written as escapes; other
// UTF-8 stays as it is so names stay readable.
void append_quoted(std::string& out, std::string_view value) {
    out += '"';
    for (std::size_t i = 0; i < value.size(); ++i) {
        const auto c = static_cast<unsigned char>(value[i]);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            out += fmt::format("\\x{:02x}", c);
        } else if (c == 0xc2 && i + 1 < value.size() && static_cast<unsigned char>(value[i + 1]) >= 0x80 &&
                   static_cast<unsigned char>(value[i + 1]) <= 0x9f) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned char>(value[++i]));
        } else {
            out += static_cast<char>(c);
        }
    }
    out += '"';
}

}  // namespace

std::string render_fields(std::initializer_list<LogField> fields) {
    std::string out;
    for (const LogField& field : fields) {
        if (!out.empty()) out += ' ';
        out += field.key;
        out += '=';
        if (needs_quotes(field.value)) {
            append_quoted(out, field.value);
        } else {
            out += field.value;
        }
    }
    return out;
}
void log_event(const Message& message, std::initializer_list<LogField> fields) {
    const auto level = spdlog_level(message.level);
    if (!spdlog::should_log(level)) return;
    if (fields.size() == 0) {
        spdlog::log(level, "{}", message.id);
    } else {
        spdlog::log(level, "{} {}", message.id, render_fields(fields));
    }
}

void setup_logging(std::string_view level, bool journal) {
    std::shared_ptr<spdlog::logger> logger;
    if (journal) {
        logger = std::make_shared<spdlog::logger>("cardd", std::make_shared<spdlog::sinks::systemd_sink_mt>("cardd"));
        logger->set_pattern("%v");
    } else {
        logger = spdlog::stderr_color_mt("cardd");
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    }
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(std::string(level)));
    spdlog::flush_on(spdlog::level::info);
}

}  // namespace cardd::daemon
