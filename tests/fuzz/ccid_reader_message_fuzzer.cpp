// Fuzzes the CCID decoder of reader-to-host messages: everything a reader
// (or a broken or hostile USB device) sends the driver goes through it.

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
    if (const auto message = decode_reader_message(bytes)) {
        const std::vector<std::uint8_t> encoded = encode(*message);
        require(encoded.size() == size && std::equal(encoded.begin(), encoded.end(), bytes.begin()),
                "encode(decode(x)) != x");
        require(size <= max_message_size, "decoded a message above the maximum size");
        require(static_cast<std::uint8_t>(message->type) >= 0x80, "decoded a host message as a reader message");
        require((bytes[7] & 0x3C) == 0, "accepted reserved bStatus bits");
    } else {
        require(!message.error().message.empty(), "an error without a message");
    }
    return 0;
}
