#pragma once
// 32-bit values in two registers, high word first (CT-1, Transport).

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>

namespace cardd::protocol {

/// Joins a high and a low register into a u32.
constexpr std::uint32_t join_u32(std::uint16_t high, std::uint16_t low) noexcept {
    return (std::uint32_t{high} << 16) | low;
}

/// Splits a u32 into {high, low}.
constexpr std::array<std::uint16_t, 2> split_u32(std::uint32_t value) noexcept {
    return {static_cast<std::uint16_t>(value >> 16), static_cast<std::uint16_t>(value & 0xFFFF)};
}

/// Joins two registers into an i32 (two's complement, as the terminal writes it).
constexpr std::int32_t join_i32(std::uint16_t high, std::uint16_t low) noexcept {
    return std::bit_cast<std::int32_t>(join_u32(high, low));
}

/// Splits an i32 into {high, low}.
constexpr std::array<std::uint16_t, 2> split_i32(std::int32_t value) noexcept {
    return split_u32(std::bit_cast<std::uint32_t>(value));
}

/// Reads the u32 at regs[offset], regs[offset + 1]; the caller has checked the length.
constexpr std::uint32_t read_u32(std::span<const std::uint16_t> regs, std::size_t offset) noexcept {
    return join_u32(regs[offset], regs[offset + 1]);
}

/// Reads the i32 at regs[offset], regs[offset + 1]; the caller has checked the length.
constexpr std::int32_t read_i32(std::span<const std::uint16_t> regs, std::size_t offset) noexcept {
    return join_i32(regs[offset], regs[offset + 1]);
}

/// Writes a u32 at regs[offset], regs[offset + 1].
constexpr void write_u32(std::span<std::uint16_t> regs, std::size_t offset, std::uint32_t value) noexcept {
    const auto words = split_u32(value);
    regs[offset] = words[0];
    regs[offset + 1] = words[1];
}

/// Writes an i32 at regs[offset], regs[offset + 1].
constexpr void write_i32(std::span<std::uint16_t> regs, std::size_t offset, std::int32_t value) noexcept {
    write_u32(regs, offset, std::bit_cast<std::uint32_t>(value));
}

static_assert(join_u32(0x1234, 0x5678) == 0x12345678u);
static_assert(split_u32(0x12345678u)[0] == 0x1234 && split_u32(0x12345678u)[1] == 0x5678);
static_assert(join_i32(0xFFFF, 0xFF38) == -200);

}  // namespace cardd::protocol
