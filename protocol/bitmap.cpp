#include "protocol/bitmap.hpp"

#include <algorithm>
#include <bit>
#include <stdexcept>
#include <string>

#include "protocol/registers.hpp"

namespace cardd::protocol {

std::vector<std::uint8_t> build_bitmap(std::span<const std::uint32_t> cards) {
    if (cards.empty()) return {};
    const std::uint32_t highest = std::ranges::max(cards);
    if (highest > max_card_number) {
        throw std::out_of_range("card number " + std::to_string(highest) + " does not fit in 24 bits");
    }
    std::vector<std::uint8_t> bytes(bitmap_bytes_for(highest), 0);
    for (const std::uint32_t card : cards) {
        bytes[card / 8] = static_cast<std::uint8_t>(bytes[card / 8] | (0x80u >> (card % 8)));
    }
    return bytes;
}

Decoded<std::vector<std::uint32_t>> read_bitmap(std::span<const std::uint8_t> bytes) {
    // Bit numbers must fit in a u32 card number.
    if (bytes.size() > (std::size_t{1} << 29)) {
        return decode_fail(DecodeErrc::too_long, "a bitmap of " + std::to_string(bytes.size()) + " bytes");
    }
    if (!bytes.empty() && (bytes[0] & 0x80) != 0) {
        return decode_fail(DecodeErrc::bad_value, "the bitmap holds card number 0");
    }
    std::vector<std::uint32_t> cards;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        std::uint8_t byte = bytes[i];
        while (byte != 0) {
            // Highest set bit first: it is the lowest card number of the byte.
            const int bit = std::countl_zero(byte);
            cards.push_back(static_cast<std::uint32_t>(i * 8 + static_cast<std::size_t>(bit)));
            byte = static_cast<std::uint8_t>(byte & ~(0x80u >> bit));
        }
    }
    return cards;
}

}  // namespace cardd::protocol
