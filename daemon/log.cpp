#include "daemon/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-journal.h>

#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

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

/// syslog(3)'s priorities, as the journal's PRIORITY= takes them.
int journal_priority(spdlog::level::level_enum level) noexcept {
    switch (level) {
        case spdlog::level::trace:
        case spdlog::level::debug: return 7;
        case spdlog::level::info: return 6;
        case spdlog::level::warn: return 4;
        case spdlog::level::err: return 3;
        case spdlog::level::critical: return 2;
        default: return 6;
    }
}

/// A journal field name: upper case letters, digits and underscores.
std::string field_name(std::string_view key) {
    std::string name = "CARDD_";
    for (const char c : key) {
        if (c >= 'a' && c <= 'z') {
            name += static_cast<char>(c - 'a' + 'A');
        } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
            name += c;
        } else {
            name += '_';
        }
    }
    return name.substr(0, 64);
}

// The journal fields of the line being logged on this thread, set by
// log_event around its spdlog call, so the sink sends them with the line.
thread_local const std::vector<std::string>* current_fields = nullptr;
bool journal_active = false;

/// spdlog's own systemd sink sends MESSAGE and PRIORITY only; this one adds
/// the catalogue's fields. A line logged with spdlog directly (not through
/// log_event) still reaches the journal, with its priority.
class JournalSink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& line) override {
        std::vector<std::string> own;
        const std::vector<std::string>* fields = current_fields;
        if (fields == nullptr) {
            own.push_back("MESSAGE=" + std::string(line.payload.data(), line.payload.size()));
            own.push_back("PRIORITY=" + std::to_string(journal_priority(line.level)));
            fields = &own;
        }
        std::vector<iovec> vector;
        vector.reserve(fields->size() + 1);
        for (const std::string& field : *fields) {
            vector.push_back({const_cast<char*>(field.data()), field.size()});
        }
        static const std::string identifier = "SYSLOG_IDENTIFIER=cardd";
        vector.push_back({const_cast<char*>(identifier.data()), identifier.size()});
        sd_journal_sendv(vector.data(), static_cast<int>(vector.size()));
    }
    void flush_() override {}
};

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
std::vector<std::string> journal_fields(const Message& message, std::initializer_list<LogField> fields) {
    std::vector<std::string> out;
    out.reserve(fields.size() + 4);
    std::string text = "MESSAGE=" + std::string(message.id);
    if (fields.size() != 0) text += " " + render_fields(fields);
    out.push_back(std::move(text));
    out.push_back("PRIORITY=" + std::to_string(journal_priority(spdlog_level(message.level))));
    out.push_back("MESSAGE_ID=" + std::string(message.message_id));
    out.push_back("CARDD_MESSAGE=" + std::string(message.id));
    // The raw value: the journal keeps any bytes, and a field match
    // (`journalctl CARDD_DEVICE=canteen-1`) needs the value unquoted.
    for (const LogField& field : fields) out.push_back(field_name(field.key) + "=" + field.value);
    return out;
}

bool stderr_is_journal() {
    const char* stream = std::getenv("JOURNAL_STREAM");
    if (stream == nullptr) return false;
    unsigned long long device = 0;
    unsigned long long inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
    struct stat info {};
    if (::fstat(2, &info) != 0) return false;
    return info.st_dev == device && info.st_ino == inode;
}

void log_event(const Message& message, std::initializer_list<LogField> fields) {
    const auto level = spdlog_level(message.level);
    if (!spdlog::should_log(level)) return;
    if (journal_active) {
        const std::vector<std::string> entry = journal_fields(message, fields);
        current_fields = &entry;
        spdlog::log(level, "{}", entry.front().substr(8));
        current_fields = nullptr;
        return;
    }
    if (fields.size() == 0) {
        spdlog::log(level, "{}", message.id);
    } else {
        spdlog::log(level, "{} {}", message.id, render_fields(fields));
    }
}

void setup_logging(std::string_view level, bool journal) {
    std::shared_ptr<spdlog::logger> logger;
    if (journal) {
        logger = std::make_shared<spdlog::logger>("cardd", std::make_shared<JournalSink>());
        logger->set_pattern("%v");
    } else {
        logger = spdlog::stderr_color_mt("cardd");
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    }
    journal_active = journal;
    spdlog::set_default_logger(logger);
    spdlog::set_level(spdlog::level::from_str(std::string(level)));
    spdlog::flush_on(spdlog::level::info);
}

}  // namespace cardd::daemon
