#include "text/forbidden_code_points.hpp"

#include <cstdint>
#include <cstdio>

namespace cardd::text {

namespace {

// One code point from `text` at `at`: its value and length, or nullopt for
// bytes that are not well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF).
struct Decoded {
    char32_t code_point;
    std::size_t length;
};

std::optional<Decoded> decode(std::string_view text, std::size_t at) {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[at + i]); };
    const std::uint8_t lead = byte(0);
    std::size_t length = 0;
    char32_t value = 0;
    char32_t lowest = 0;
    if (lead < 0x80) return Decoded{lead, 1};
    if (lead >= 0xC2 && lead <= 0xDF) {
        length = 2;
        value = lead & 0x1F;
        lowest = 0x80;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        length = 3;
        value = lead & 0x0F;
        lowest = 0x800;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        length = 4;
        value = lead & 0x07;
        lowest = 0x10000;
    } else {
        return std::nullopt;  // a continuation byte first, C0/C1 (overlong), or F5..FF
    }
    if (at + length > text.size()) return std::nullopt;
    for (std::size_t i = 1; i < length; ++i) {
        if ((byte(i) & 0xC0) != 0x80) return std::nullopt;
        value = (value << 6) | (byte(i) & 0x3F);
    }
    if (value < lowest || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return std::nullopt;
    return Decoded{value, length};
}

const char* kind_of(char32_t c) {
    if (c < 0x20) return "a control character";
    if (c == 0x7F) return "DEL, a control character";
    if (c >= 0x80 && c <= 0x9F) return "a C1 control character";
    if (c == 0x061C || c == 0x200E || c == 0x200F || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069)) {
        return "a bidirectional control";
    }
    return nullptr;
}

}  // namespace

std::optional<Forbidden> first_forbidden(std::string_view text) {
    std::size_t character = 1;
    for (std::size_t at = 0; at < text.size(); ++character) {
        const auto decoded = decode(text, at);
        if (!decoded) return Forbidden{character, at, "a byte that is not UTF-8"};
        if (const char* kind = kind_of(decoded->code_point)) {
            char name[16];
            std::snprintf(name, sizeof name, "U+%04X", static_cast<unsigned>(decoded->code_point));
            return Forbidden{character, at, std::string(name) + ", " + kind};
        }
        at += decoded->length;
    }
    return std::nullopt;
}

std::string describe(const Forbidden& forbidden) {
    return forbidden.what + ", at character " + std::to_string(forbidden.character) + " (byte " +
           std::to_string(forbidden.byte) + ")";
}

}  // namespace cardd::text
