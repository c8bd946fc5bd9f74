// Fuzzes the identity block decoder: the first block of the card sector,
// which the card centre reads from any card placed on the encoder.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "protocol/card/card_layout.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cardd::protocol;
using namespace cardd::protocol::card;
using cardd::fuzz::require;

namespace {

// The format's rules restated from docs/card-format.md, byte by byte.
bool valid_identity(std::span<const std::uint8_t, 16> b) {
    const std::uint32_t card_no = std::uint32_t{b[2]} << 16 | std::uint32_t{b[3]} << 8 | b[4];
    const std::uint32_t serial =
        std::uint32_t{b[5]} << 24 | std::uint32_t{b[6]} << 16 | std::uint32_t{b[7]} << 8 | b[8];
    const unsigned issued = unsigned{b[9]} << 8 | b[10];
    const unsigned expires = unsigned{b[11]} << 8 | b[12];
    const unsigned crc = unsigned{b[14]} << 8 | b[15];
    return b[0] == 0x01 && (b[1] == 0x01 || b[1] == 0x02) && card_no >= 1 && card_no <= 999999 && serial != 0 &&
           expires >= issued && b[13] == 0x00 && crc == identity_crc(b.first(14));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 16) return 0;
    const std::span<const std::uint8_t, 16> block(data, 16);
    if (const auto identity = decode_identity(block)) {
        const Block encoded = encode_identity(*identity);
        require(std::equal(encoded.begin(), encoded.end(), block.begin()), "encode(decode(x)) != x");
        require(valid_identity(block), "an invalid identity block was accepted");
    } else {
        require(!valid_identity(block), "a valid identity block was refused");
        require(!identity.error().message.empty(), "refusal without a message");
        if (block[0] != identity_format_version) {
            require(identity.error().code == DecodeErrc::bad_version, "wrong version not reported as bad_version");
        }
    }
    return 0;
}
