#pragma once
// The bitmap form of a blacklist: the bit for card c is byte c / 8,
// mask 0x80 >> (c % 8).

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/decode_error.hpp"

namespace cardd::protocol {

/// Bytes a bitmap needs to cover cards up to `highest_card`: highest / 8 + 1.
constexpr std::size_t bitmap_bytes_for(std::uint32_t highest_card) noexcept {
    return std::size_t{highest_card} / 8 + 1;
}

/// The shortest bitmap of a set (empty for the empty set). Cards may come in
/// any order. Throws std::out_of_range above 0xFFFFFF.
std::vector<std::uint8_t> build_bitmap(std::span<const std::uint32_t> cards);

/// The cards a bitmap holds, ascending. The bit of card 0 is bad_value, as
/// card 0 is never valid.
Decoded<std::vector<std::uint32_t>> read_bitmap(std::span<const std::uint8_t> bytes);

}  // namespace cardd::protocol
