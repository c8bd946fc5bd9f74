// Fuzzes the access bytes decoder (bytes 6..8 of a sector trailer) and the
// access tables behind it. Input: 3 access bytes, or a whole 16-byte trailer.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "protocol/card/access_bits.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cardd::protocol;
using namespace cardd::protocol::card;
using cardd::fuzz::require;

namespace {

// Each of C1, C2, C3 is stored plain and inverted; all three pairs must agree.
bool pairs_agree(std::span<const std::uint8_t, 3> b) {
    const auto low = [](std::uint8_t x) { return x & 0x0F; };
    const auto high = [](std::uint8_t x) { return x >> 4; };
    return (low(b[0]) ^ high(b[1])) == 0x0F && (high(b[0]) ^ low(b[2])) == 0x0F && (low(b[1]) ^ high(b[2])) == 0x0F;
}

// Invariants of every card, whatever its access bits.
void check_rules(const AccessConditions& conditions) {
    const bool key_b_readable = trailer_read_allowed(conditions, KeyType::a, TrailerPart::key_b);
    for (const KeyType key : {KeyType::a, KeyType::b}) {
        require(!trailer_read_allowed(conditions, key, TrailerPart::key_a), "key A readable");
        require(trailer_read_allowed(conditions, KeyType::a, TrailerPart::access_bits),
                "access bits unreadable with key A");
        for (int offset = 0; offset < 3; ++offset) {
            for (const Operation operation :
                 {Operation::read, Operation::write, Operation::increment, Operation::decrement}) {
                const bool allowed = data_access_allowed(conditions, offset, key, operation);
                require(!(allowed && key == KeyType::b && key_b_readable), "a readable key B granted access");
                if (operation == Operation::increment && allowed) {
                    require(data_access_allowed(conditions, offset, key, Operation::decrement),
                            "increment without decrement");
                }
            }
        }
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 3) return 0;
    // A whole trailer carries its access bytes at 6..8.
    const bool whole_trailer = size >= 16;
    const std::span<const std::uint8_t, 3> bytes(data + (whole_trailer ? 6 : 0), 3);
    const auto conditions = decode_access_bytes(bytes);
    if (conditions) {
        require(pairs_agree(bytes), "inconsistent access bytes were accepted");
        const auto encoded = encode_access_bytes(*conditions);
        require(std::equal(encoded.begin(), encoded.end(), bytes.begin()), "encode(decode(x)) != x");
        for (const AccessCondition condition : conditions->blocks) require(condition <= 7, "condition above 3 bits");
        check_rules(*conditions);
        if (whole_trailer) {
            Key key_a;
            Key key_b;
            std::copy_n(data, 6, key_a.begin());
            std::copy_n(data + 10, 6, key_b.begin());
            const Block trailer = encode_trailer(key_a, *conditions, key_b);
            require(std::equal(trailer.begin(), trailer.begin() + 9, data) && trailer[9] == trailer_user_byte &&
                        std::equal(trailer.begin() + 10, trailer.end(), data + 10),
                    "trailer does not round-trip");
        }
    } else {
        require(!pairs_agree(bytes), "consistent access bytes were refused");
        require(conditions.error().code == DecodeErrc::bad_value, "access bytes refused with the wrong error");
    }
    return 0;
}
