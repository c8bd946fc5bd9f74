#pragma once
// Payload packing: card numbers as 24-bit big-endian integers back to back,
// and bitmap bytes two to a register, high byte first. A final odd byte is 0.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/decode_error.hpp"

namespace cardd::protocol {

/// Registers that n packed card numbers take: ceil(3n / 2).
constexpr std::size_t entry_registers(std::size_t n) noexcept { return (3 * n + 1) / 2; }

/// Registers that n bytes take: ceil(n / 2).
constexpr std::size_t byte_registers(std::size_t n) noexcept { return (n + 1) / 2; }

/// Packs card numbers into registers. Throws std::out_of_range for a card
/// number above 0xFFFFFF, which 24 bits cannot carry; card 0 is packed as
/// given so that tests can send it to a terminal.
std::vector<std::uint16_t> pack_entries(std::span<const std::uint32_t> cards);

/// Reads n card numbers from the front of regs. The final pad byte is ignored.
Decoded<std::vector<std::uint32_t>> unpack_entries(std::span<const std::uint16_t> regs, std::size_t n);

/// Packs bytes into registers, high byte first.
std::vector<std::uint16_t> pack_bytes(std::span<const std::uint8_t> bytes);

/// Reads n bytes from the front of regs. The final pad byte is ignored.
Decoded<std::vector<std::uint8_t>> unpack_bytes(std::span<const std::uint16_t> regs, std::size_t n);

/// Card numbers as the byte string CT-1 checksums: 3 bytes big-endian each,
/// in the order given. Throws std::out_of_range above 0xFFFFFF.
std::vector<std::uint8_t> entries_to_bytes(std::span<const std::uint32_t> cards);

}  // namespace cardd::protocol
