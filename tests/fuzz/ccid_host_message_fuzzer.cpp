// Fuzzes the CCID decoder of host-to-reader messages, which the simulated
// reader runs on everything the driver sends.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/ccid/ccid_message.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cardd::protocol::ccid;
using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    if (const auto message = decode_host_message(bytes)) {
        const std::vector<std::uint8_t> encoded = encode(*message);
        require(encoded.size() == size && std::equal(encoded.begin(), encoded.end(), bytes.begin()),
                "encode(decode(x)) != x");
        require(size <= max_message_size, "decoded a message above the maximum size");
        require(static_cast<std::uint8_t>(message->type) < 0x80, "decoded a reader message as a host message");
    } else {
        require(!message.error().message.empty(), "an error without a message");
    }
    return 0;
}
