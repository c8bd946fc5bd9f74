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
    }
    return "unknown";
}

}  // namespace cardd::protocol
