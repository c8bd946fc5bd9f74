// Fuzzes the decoders of what the daemon reads first from any device: the
// state block and the model name.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "protocol/state_block.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cardd::protocol;
using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto regs = cardd::fuzz::to_registers(data, size);
    if (const auto state = decode_state_block(regs)) {
        const auto encoded = encode_state_block(*state);
        require(std::equal(encoded.begin(), encoded.begin() + state::defined_registers, regs.begin()),
                "encode(decode(x)) != x on the defined registers");
        require(state->serial != 0, "decoded a zero serial");
        (void)to_string(state->last_status);
        (void)to_string(state->full_sync_state);
    } else {
        require(regs.size() < state::defined_registers || regs[0] != magic_value || regs[1] != protocol_version_value ||
                    (regs[2] == 0 && regs[3] == 0),
                "a valid state block was refused");
    }
    if (const auto name = decode_model_name(regs)) {
        require(name->size() <= model_name::bytes, "model name longer than 16 bytes");
        require(decode_model_name(encode_model_name(*name)) == *name, "model name does not round-trip");
    }
    return 0;
}
