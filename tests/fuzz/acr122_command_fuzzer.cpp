// Fuzzes the ACR122U command decoder, which the simulated reader runs on
// every APDU the driver sends.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/ccid/acr122_apdu.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cardd::protocol::acr122;
using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    if (const auto command = decode_command(bytes)) {
        const std::vector<std::uint8_t> encoded = encode(*command);
        require(encoded.size() == size && std::equal(encoded.begin(), encoded.end(), bytes.begin()),
                "encode(decode(x)) != x");
        require(bytes[0] == 0xFF, "decoded a class other than FF");
        if (const auto* load = std::get_if<LoadKey>(&*command))
            require(load->slot < key_slots, "key slot out of range");
        if (const auto* auth = std::get_if<Authenticate>(&*command)) {
            require(auth->slot < key_slots, "key slot out of range");
        }
    } else {
        require(!command.error().message.empty(), "an error without a message");
    }
    return 0;
}
