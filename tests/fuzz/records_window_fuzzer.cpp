// Fuzzes the decoding of a records window read, the data the collector books
// into the money ledger.

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "protocol/record.hpp"
#include "protocol/registers.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cardd::protocol;
using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto regs = cardd::fuzz::to_registers(data, size);
    if (const auto window = decode_records_window(regs)) {
        require(window->size() <= records::max_records_per_read, "more than 10 records");
        const auto encoded = encode_records_window(*window);
        require(encoded.size() <= regs.size() && std::equal(encoded.begin(), encoded.end(), regs.begin()),
                "encode(decode(x)) is not a prefix of x");
        for (std::size_t i = 1; i < window->size(); ++i) {
            require((*window)[i].seq == static_cast<std::uint32_t>((*window)[i - 1].seq + 1), "seq gap");
        }
    }
    if (const auto record = decode_record(regs)) {
        const auto encoded = encode_record(*record);
        require(std::equal(encoded.begin(), encoded.end(), regs.begin()), "encode(decode(record)) != record");
        require(to_string(record->kind) != "unknown", "decoded an unknown kind");
    }
    return 0;
}
