#include "tools/cardctl/text_width.hpp"

#include <array>
#include <cstdint>
#include <utility>

namespace cardd::cardctl {

namespace {

struct Decoded {
    char32_t code_point = 0;
    std::size_t length = 0;  ///< bytes used; 0 when the sequence at `pos` is invalid
};

Decoded decode(std::string_view text, std::size_t pos) noexcept {
    const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(text[i]); };
    const std::uint8_t lead = byte(pos);
    if (lead < 0x80) return {lead, 1};
    std::size_t length = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, cp = lead & 0x1Fu, min = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, cp = lead & 0x0Fu, min = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, cp = lead & 0x07u, min = 0x10000;
    } else {
        return {};
    }
    if (pos + length > text.size()) return {};
    for (std::size_t i = 1; i < length; ++i) {
        const std::uint8_t next = byte(pos + i);
        if ((next & 0xC0) != 0x80) return {};
        cp = (cp << 6) | (next & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
    return {cp, length};
}

using Range = std::pair<char32_t, char32_t>;

// East Asian Wide (W) and Fullwidth (F) blocks of Unicode 15, merged into
// the ranges a terminal draws two columns wide, plus the common emoji blocks.
constexpr std::array wide_ranges{
    Range{0x1100, 0x115F},   Range{0x231A, 0x231B},   Range{0x2329, 0x232A},   Range{0x23E9, 0x23EC},
    Range{0x2E80, 0x303E},   Range{0x3041, 0x33FF},   Range{0x3400, 0x4DBF},   Range{0x4E00, 0x9FFF},
    Range{0xA000, 0xA4CF},   Range{0xA960, 0xA97F},   Range{0xAC00, 0xD7A3},   Range{0xF900, 0xFAFF},
    Range{0xFE10, 0xFE19},   Range{0xFE30, 0xFE6F},   Range{0xFF00, 0xFF60},   Range{0xFFE0, 0xFFE6},
    Range{0x1F300, 0x1F64F}, Range{0x1F900, 0x1F9FF}, Range{0x20000, 0x2FFFD}, Range{0x30000, 0x3FFFD},
};

// Combining marks and zero-width characters: drawn on top of their neighbour.
constexpr std::array zero_ranges{
    Range{0x0300, 0x036F}, Range{0x0483, 0x0489}, Range{0x0591, 0x05BD}, Range{0x1AB0, 0x1AFF}, Range{0x1DC0, 0x1DFF},
    Range{0x200B, 0x200F}, Range{0x2028, 0x202E}, Range{0x2060, 0x2064}, Range{0x20D0, 0x20FF}, Range{0x302A, 0x302D},
    Range{0x3099, 0x309A}, Range{0xFE00, 0xFE0F}, Range{0xFE20, 0xFE2F}, Range{0xFEFF, 0xFEFF}, Range{0xE0100, 0xE01EF},
};

template <std::size_t N>
constexpr bool in(const std::array<Range, N>& ranges, char32_t cp) noexcept {
    for (const auto& [low, high] : ranges) {
        if (cp >= low && cp <= high) return true;
    }
    return false;
}

}  // namespace

std::optional<std::size_t> first_invalid_utf8(std::string_view text) noexcept {
    for (std::size_t pos = 0; pos < text.size();) {
        const Decoded d = decode(text, pos);
        if (d.length == 0) return pos;
        pos += d.length;
    }
    return std::nullopt;
}

int code_point_width(char32_t cp) noexcept {
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) return 0;
    if (in(zero_ranges, cp)) return 0;
    if (in(wide_ranges, cp)) return 2;
    return 1;
}

std::size_t display_width(std::string_view text) noexcept {
    std::size_t width = 0;
    for (std::size_t pos = 0; pos < text.size();) {
        const Decoded d = decode(text, pos);
        if (d.length == 0) {
            width += 1;
            pos += 1;
        } else {
            width += static_cast<std::size_t>(code_point_width(d.code_point));
            pos += d.length;
        }
    }
    return width;
}

std::string truncate_to_width(std::string_view text, std::size_t columns) {
    std::size_t width = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const Decoded d = decode(text, pos);
        const std::size_t length = d.length == 0 ? 1 : d.length;
        const std::size_t w = d.length == 0 ? 1 : static_cast<std::size_t>(code_point_width(d.code_point));
        if (width + w > columns) break;
        width += w;
        pos += length;
    }
    return std::string(text.substr(0, pos));
}

}  // namespace cardd::cardctl
