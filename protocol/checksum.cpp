#include "protocol/checksum.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include <zlib.h>

#include "protocol/entry_packing.hpp"

namespace cardd::protocol {

std::uint32_t crc32_bytes(std::span<const std::uint8_t> bytes, std::uint32_t crc) noexcept {
    // crc32_z takes a size_t length, so a multi-megabyte bitmap needs no
    // splitting into uInt-sized pieces.
    return static_cast<std::uint32_t>(crc32_z(crc, bytes.data(), bytes.size()));
}

std::uint32_t blacklist_checksum(std::span<const std::uint32_t> cards) {
    if (std::ranges::adjacent_find(cards, std::greater_equal<>{}) == cards.end()) {
        return list_crc(cards);  // already strictly ascending, the common case
    }
    std::vector<std::uint32_t> sorted(cards.begin(), cards.end());
    std::ranges::sort(sorted);
    const auto [first, last] = std::ranges::unique(sorted);
    sorted.erase(first, last);
    return list_crc(sorted);
}

std::uint32_t list_crc(std::span<const std::uint32_t> entries, std::uint32_t crc) {
    return crc32_bytes(entries_to_bytes(entries), crc);
}

std::uint32_t bitmap_crc(std::span<const std::uint8_t> bytes, std::uint32_t crc) noexcept {
    return crc32_bytes(bytes, crc);
}

}  // namespace cardd::protocol
