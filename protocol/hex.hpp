#pragma once
// Hexadecimal for messages and stored text, the one formatter: register
// values and bytes in decoders' refusals, card UIDs, the simulator's card
// dumps in upper case; lower case where a convention has it (USB ids as
// lsusb prints them, a terminal's checksum in the distributor's log).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cardd::protocol {

inline constexpr char hex_digits[] = "0123456789ABCDEF";
inline constexpr char hex_digits_lower[] = "0123456789abcdef";

enum class HexCase { upper, lower };

/// The low `digits` hex digits of `value`, no prefix: hex_number(0x72F, 4,
/// HexCase::lower) is "072f".
inline std::string hex_number(std::uint32_t value, int digits, HexCase letters = HexCase::upper) {
    const char* alphabet = letters == HexCase::upper ? hex_digits : hex_digits_lower;
    std::string text;
    for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) text += alphabet[(value >> shift) & 0xF];
    return text;
}

/// "0x" and the low `digits` hex digits of `value`: hex(0x3F) is "0x3F",
/// hex(0x4354, 4) is "0x4354".
inline std::string hex(std::uint32_t value, int digits = 2, HexCase letters = HexCase::upper) {
    return "0x" + hex_number(value, digits, letters);
}

/// Two digits a byte, `separator` between bytes: "04A23B1C", or "FF 07 80".
inline std::string hex_bytes(std::span<const std::uint8_t> bytes, std::string_view separator = {},
                             HexCase letters = HexCase::upper) {
    const char* alphabet = letters == HexCase::upper ? hex_digits : hex_digits_lower;
    std::string text;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i > 0) text += separator;
        text += alphabet[bytes[i] >> 4];
        text += alphabet[bytes[i] & 0xF];
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
