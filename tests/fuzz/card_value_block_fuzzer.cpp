// Fuzzes the value block decoders (plain, balance, counter): the blocks that
// terminals change with every purchase and that a torn write leaves corrupt.
// Input: 16 block bytes, then the block number it was read from.

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

std::uint32_t le32(std::span<const std::uint8_t, 16> b, std::size_t at) {
    return std::uint32_t{b[at]} | std::uint32_t{b[at + 1]} << 8 | std::uint32_t{b[at + 2]} << 16 |
           std::uint32_t{b[at + 3]} << 24;
}

// The MIFARE value block format restated: value, ~value, value, a, ~a, a, ~a.
bool copies_agree(std::span<const std::uint8_t, 16> b) {
    const std::uint32_t value = le32(b, 0);
    return le32(b, 4) == ~value && le32(b, 8) == value && b[13] == static_cast<std::uint8_t>(~b[12]) &&
           b[14] == b[12] && b[15] == b[13];
}

bool same(const Block& encoded, std::span<const std::uint8_t, 16> block) {
    return std::equal(encoded.begin(), encoded.end(), block.begin());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 17) return 0;
    const std::span<const std::uint8_t, 16> block(data, 16);
    const std::uint8_t address = data[16];
    const bool agree = copies_agree(block);
    const auto value = decode_value_block(block, address);
    if (value) {
        require(same(encode_value_block(*value, address), block), "encode(decode(x)) != x");
        require(agree && block[12] == address, "an invalid value block was accepted");
    } else {
        require(!agree || block[12] != address, "a valid value block was refused");
        require(value.error().code == (agree ? DecodeErrc::wrong_address : DecodeErrc::not_value_block),
                "value block refused with the wrong error");
    }

    const auto balance = decode_balance(block, address);
    require(balance.has_value() == (value.has_value() && *value >= 0), "balance accepted iff a value >= 0");
    if (balance) require(same(encode_balance(*balance, address), block), "balance does not round-trip");

    const auto counter = decode_counter(block, address);
    require(counter.has_value() == (value.has_value() && *value <= 0), "counter accepted iff a value <= 0");
    if (counter) {
        require(*counter <= max_counter, "counter above 2^31");
        require(same(encode_counter(*counter, address), block), "counter does not round-trip");
    }
    return 0;
}
