// Fuzzes payload unpacking with any n against any registers: the first two
// input bytes are n, the rest are the registers.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "protocol/checksum.hpp"
#include "protocol/entry_packing.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cardd::protocol;
using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2) return 0;
    const std::size_t n = std::size_t{data[0]} << 8 | data[1];
    const auto regs = cardd::fuzz::to_registers(data + 2, size - 2);

    if (const auto cards = unpack_entries(regs, n)) {
        require(cards->size() == n, "entry count != n");
        require(pack_entries(*cards) == cardd::fuzz::with_zero_pad(regs, 3 * n), "pack(unpack(x)) != x");
        const auto bytes = unpack_bytes(regs, 3 * n);
        require(bytes.has_value() && list_crc(*cards) == crc32_bytes(*bytes), "list_crc != crc of the bytes");
    } else {
        require(regs.size() < entry_registers(n), "enough registers were refused");
    }

    if (const auto bytes = unpack_bytes(regs, n)) {
        require(bytes->size() == n, "byte count != n");
        require(pack_bytes(*bytes) == cardd::fuzz::with_zero_pad(regs, n), "pack_bytes(unpack_bytes(x)) != x");
    } else {
        require(regs.size() < byte_registers(n), "enough registers were refused");
    }
    return 0;
}
