#pragma once
// The PC/SC pseudo-APDUs (class FF) of ACR122U-class contactless readers for
// MIFARE Classic, per the ACR122U Application Programming Interface: get UID,
// load authentication keys, authenticate, read and update binary blocks, and
// the value block operations. Pure code, both directions: the driver builds
// commands and parses answers; the simulated reader parses commands and
// builds answers.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "protocol/card/access_bits.hpp"
#include "protocol/card/card_layout.hpp"
#include "protocol/decode_error.hpp"

namespace cardd::protocol::acr122 {

using card::Block;
using card::Key;
using card::KeyType;

/// Status words the readers answer.
namespace sw {
inline constexpr std::uint16_t ok = 0x9000;
inline constexpr std::uint16_t failed = 0x6300;  ///< the card did not do it (wrong key, access, no card)
inline constexpr std::uint16_t wrong_length = 0x6700;
inline constexpr std::uint16_t bad_p1_p2 = 0x6A81;
inline constexpr std::uint16_t not_supported = 0x6A81;
}  // namespace sw

/// Key slots of the reader's volatile key store (ACR122U: 0x00 and 0x01).
inline constexpr std::uint8_t key_slots = 2;

enum class ValueOp : std::uint8_t { store = 0x00, increment = 0x01, decrement = 0x02 };

struct GetUid {};  // FF CA 00 00 00
struct LoadKey {
    std::uint8_t slot = 0;
    Key key{};
};  // FF 82 00 slot 06 key
struct Authenticate {
    std::uint8_t block = 0;
    KeyType type = KeyType::a;
    std::uint8_t slot = 0;
};
// FF 86 00 00 05 01 00 block type slot
struct ReadBinary {
    std::uint8_t block = 0;
};  // FF B0 00 block 10
struct UpdateBinary {
    std::uint8_t block = 0;
    Block data{};
};  // FF D6 00 block 10 data
struct ValueOperation {
    std::uint8_t block = 0;
    ValueOp op = ValueOp::store;
    std::int32_t value = 0;
};
// FF D7 00 block 05 op value(BE)
struct ReadValue {
    std::uint8_t block = 0;
};  // FF B1 00 block 04
struct RestoreValue {
    std::uint8_t source = 0;
    std::uint8_t target = 0;
};                      // FF D7 00 source 02 03 target
struct GetFirmware {};  // FF 00 48 00 00 (through Escape)

using Command = std::variant<GetUid, LoadKey, Authenticate, ReadBinary, UpdateBinary, ValueOperation, ReadValue,
                             RestoreValue, GetFirmware>;

std::vector<std::uint8_t> encode(const Command& command);

/// Errors: truncated, too_long, length_mismatch (Lc disagrees), bad_value
/// (class not FF, unknown instruction, P1/P2 or operation out of range).
Decoded<Command> decode_command(std::span<const std::uint8_t> apdu);

/// An answer: data then SW1 SW2.
struct Response {
    std::vector<std::uint8_t> data;
    std::uint16_t status = sw::ok;

    bool ok() const noexcept { return status == sw::ok; }
    friend bool operator==(const Response&, const Response&) = default;
};

std::vector<std::uint8_t> encode(const Response& response);
/// Errors: truncated (fewer than 2 bytes).
Decoded<Response> decode_response(std::span<const std::uint8_t> bytes);

/// ReadValue's 4 data bytes, big-endian signed. Errors: length_mismatch.
Decoded<std::int32_t> decode_value(const Response& response);

/// The answer to GetFirmware is not a Response: the ACR122U sends the bare
/// ASCII firmware string ("ACR122U201") with no status word, so it must be
/// decoded with this and never with decode_response (which would take the
/// last two characters for SW1 SW2). A trailing 90 00, which some firmware
/// appends, is accepted and dropped; 0x90 is not printable, so it cannot be
/// part of the string. Errors: truncated (empty), bad_value (a byte outside
/// printable ASCII).
Decoded<std::string> decode_firmware(std::span<const std::uint8_t> answer);
/// The bare string, as the ACR122U sends it. Throws std::invalid_argument
/// for an empty string or one that is not printable ASCII.
std::vector<std::uint8_t> encode_firmware(std::string_view firmware);

}  // namespace cardd::protocol::acr122
