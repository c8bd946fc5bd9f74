#pragma once
// Shared helpers of the fuzz targets: input bytes as registers, and a check
// that turns a broken invariant into a crash libFuzzer records.

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace cardd::fuzz {

/// Input bytes as registers, two a register, high byte first; an odd last byte is dropped.
inline std::vector<std::uint16_t> to_registers(const std::uint8_t* data, std::size_t size) {
    std::vector<std::uint16_t> regs(size / 2);
    for (std::size_t i = 0; i < regs.size(); ++i) {
        regs[i] = static_cast<std::uint16_t>((data[2 * i] << 8) | data[2 * i + 1]);
    }
    return regs;
}

/// Copy of the first registers that `byte_count` bytes occupy, with an odd final pad byte zeroed,
/// which is what the encoders write.
inline std::vector<std::uint16_t> with_zero_pad(const std::vector<std::uint16_t>& regs, std::size_t byte_count) {
    std::vector<std::uint16_t> out(regs.begin(), regs.begin() + static_cast<std::ptrdiff_t>((byte_count + 1) / 2));
    if (byte_count % 2 == 1) out.back() = static_cast<std::uint16_t>(out.back() & 0xFF00);
    return out;
}

/// Aborts when an invariant does not hold; libFuzzer saves the input.
inline void require(bool holds, const char* what) {
    if (!holds) {
        std::fprintf(stderr, "fuzz invariant broken: %s\n", what);
        std::abort();
    }
}

}  // namespace cardd::fuzz
