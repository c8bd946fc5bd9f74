#include "tools/console/console_log.hpp"

#include <cstdio>
#include <cstdlib>

namespace cardd::console {

std::string log_value(std::string_view value) {
    bool plain = !value.empty();
    for (unsigned char c : value) {
        if (c <= ' ' || c == '"' || c == '=' || c == '\\' || c == 0x7f) plain = false;
    }
    if (plain) return std::string(value);
    std::string out = "\"";
    for (unsigned char c : value) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c < ' ' || c == 0x7f) {
            static constexpr char hex[] = "0123456789abcdef";
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 0x0f];
        } else {
            out += static_cast<char>(c);
        }
    }
    return out + "\"";
}

void log_line(std::string_view level, std::string_view id, LogFields fields) {
    std::string line;
    if (std::getenv("JOURNAL_STREAM"))
        line = level == "error" ? "<3>" : level == "warning" ? "<4>" : "<6>";
    else
        line = "cardd-console " + std::string(level) + ": ";
    line += id;
    for (const auto& [key, value] : fields) {
        line += ' ';
        line += key;
        line += '=';
        line += log_value(value);
    }
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace cardd::console
