// Fuzzes the decoders of what an ACR122U answers: response APDUs, value
// answers and the firmware string, which has no status word.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/ccid/acr122_apdu.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cardd::protocol::acr122;
using cardd::fuzz::require;

namespace {

bool same(const std::vector<std::uint8_t>& a, std::span<const std::uint8_t> b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    if (const auto response = decode_response(bytes)) {
        require(same(encode(*response), bytes), "encode(decode(x)) != x for a response");
        if (const auto value = decode_value(*response)) {
            require(response->data.size() == 4, "decoded a value that is not 4 bytes");
            Response again{{}, response->status};
            for (int shift = 24; shift >= 0; shift -= 8) {
                again.data.push_back(static_cast<std::uint8_t>(static_cast<std::uint32_t>(*value) >> shift));
            }
            require(again == *response, "a value does not round-trip");
        }
    } else {
        require(size < 2, "refused a response of two bytes or more");
    }
    if (const auto firmware = decode_firmware(bytes)) {
        const std::vector<std::uint8_t> encoded = encode_firmware(*firmware);
        // The dropped status word is the only difference allowed.
        const bool bare = same(encoded, bytes);
        const bool with_status = size == encoded.size() + 2 && same(encoded, bytes.first(encoded.size())) &&
                                 bytes[size - 2] == 0x90 && bytes[size - 1] == 0x00;
        require(bare || with_status, "encode_firmware(decode_firmware(x)) differs from x beyond a trailing 90 00");
    }
    return 0;
}
