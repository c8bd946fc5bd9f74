#pragma once
// Errors as values for everything that reads CT-1 data coming off the wire:
// a terminal (or, in the simulator, a daemon) may send anything, and a bad
// frame is an expected event, not a broken invariant.

#include <expected>
#include <string>
#include <string_view>
#include <utility>

namespace cardd::protocol {

/// Why a decoder refused its input.
enum class DecodeErrc {
    truncated,        ///< fewer registers or bytes than the structure needs
    too_long,         ///< more registers than the block can hold
    length_mismatch,  ///< a count (n, k) disagrees with the registers that carry it
    bad_magic,        ///< state block magic is not 0x4354
    bad_version,      ///< state block protocol version is not the one we speak
    bad_value,        ///< a field holds a value CT-1 (or the card format) does not define
    bad_checksum,     ///< a card block's CRC disagrees with its bytes
    not_value_block,  ///< a MIFARE value block whose copies disagree
    wrong_address,    ///< a value block naming another block
};

struct DecodeError {
    DecodeErrc code;
    std::string message;

    friend bool operator==(const DecodeError&, const DecodeError&) = default;
};

template <class T>
using Decoded = std::expected<T, DecodeError>;

/// Shorthand for `return decode_fail(...)` in decoders.
inline std::unexpected<DecodeError> decode_fail(DecodeErrc code, std::string message) {
    return std::unexpected(DecodeError{code, std::move(message)});
}

/// Stable lower-case name of an error code, for logs.
std::string_view to_string(DecodeErrc code) noexcept;

}  // namespace cardd::protocol
