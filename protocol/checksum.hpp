#pragma once
// CRC-32 (zlib / ISO-HDLC) as CT-1 uses it: the blacklist checksum at
// 0x0019, and the CRC of staged full sync data that FULL_COMMIT carries.

#include <cstdint>
#include <span>

namespace cardd::protocol {

/// zlib crc32 of bytes, continuing from `crc` (0 to start).
std::uint32_t crc32_bytes(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0) noexcept;

/// Checksum of an enforced set: CRC-32 over the cards in ascending order, 3
/// bytes big-endian each; 0 for the empty set. Cards may come in any order;
/// a duplicate counts once. Throws std::out_of_range above 0xFFFFFF.
std::uint32_t blacklist_checksum(std::span<const std::uint32_t> cards);

/// CRC of staged list data: 3-byte entries in the order sent, continuing
/// from `crc` so a terminal can fold in chunk after chunk.
std::uint32_t list_crc(std::span<const std::uint32_t> entries, std::uint32_t crc = 0);

/// CRC of staged bitmap data: the bytes as sent, continuing from `crc`.
std::uint32_t bitmap_crc(std::span<const std::uint8_t> bytes, std::uint32_t crc = 0) noexcept;

}  // namespace cardd::protocol
