#include "protocol/decode_error.hpp"

namespace cardd::protocol {

std::string_view to_string(DecodeErrc code) noexcept {
    switch (code) {
        case DecodeErrc::truncated: return "truncated";
        case DecodeErrc::too_long: return "too_long";
        case DecodeErrc::length_mismatch: return "length_mismatch";
        case DecodeErrc::bad_magic: return "bad_magic";
        case DecodeErrc::bad_version: return "bad_version";
        case DecodeErrc::bad_value: return "bad_value";
        case DecodeErrc::bad_checksum: return "bad_checksum";
        case DecodeErrc::not_value_block: return "not_value_block";
        case DecodeErrc::wrong_address: return "wrong_address";
    }
    return "unknown";
}

}  // namespace cardd::protocol
