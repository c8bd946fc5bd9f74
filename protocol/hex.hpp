#pragma once
// Upper-case hexadecimal for messages and stored text: register values and
// bytes in decoders' refusals, card UIDs, the simulator's card dumps.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cardd::protocol {

inline constexpr char hex_digits[] = "0123456789ABCDEF";

/// "0x" and the low `digits` hex digits of `value`: hex(0x3F) is "0x3F",
/// hex(0x4354, 4) is "0x4354".
inline std::string hex(std::uint32_t value, int digits = 2) {
    std::string text = "0x";
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) text += hex_digits[(value >> shift) & 0xF];
    return text;
}

/// Two digits a byte, `separator` between bytes: "04A23B1C", or "FF 07 80".
inline std::string hex_bytes(std::span<const std::uint8_t> bytes, std::string_view separator = {}) {
    std::string text;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0) text += separator;
        text += hex_digits[bytes[i] >> 4];
        text += hex_digits[bytes[i] & 0xF];
    }
    return text;
}

/// The bytes of hex digits, two a byte, either case, no separators;
/// nothing for an odd length or any other character.
inline std::optional<std::vector<std::uint8_t>> parse_hex_bytes(std::string_view text) {
    const auto value = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        return -1;
    };
    if (text.size() % 2 != 0) return std::nullopt;
    std::vector<std::uint8_t> bytes;
    bytes.reserve(text.size() / 2);
    for (std::size_t i = 0; i < text.size(); i += 2) {
        const int high = value(text[i]);
        const int low = value(text[i + 1]);
        if (high < 0 || low < 0) return std::nullopt;
        bytes.push_back(static_cast<std::uint8_t>(high << 4 | low));
    }
    return bytes;
}

}  // namespace cardd::protocol
