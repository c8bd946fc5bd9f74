#pragma once
// CCID (USB Chip/Smart Card Interface Devices, rev 1.1) bulk messages: the
// 10-byte header and the payload. Pure code: the driver encodes host messages
// and decodes reader answers; the simulated reader does the reverse, so both
// sides of the wire are the same code the tests check against the spec.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/decode_error.hpp"

namespace cardd::protocol::ccid {

inline constexpr std::size_t header_size = 10;
/// dwMaxCCIDMessageLength of ACR122U-class readers; longer messages are refused.
inline constexpr std::size_t max_message_size = 271;

enum class MessageType : std::uint8_t {
    // host to reader (bulk OUT)
    icc_power_on = 0x62,
    icc_power_off = 0x63,
    get_slot_status = 0x65,
    escape = 0x6B,
    xfr_block = 0x6F,
    // reader to host (bulk IN)
    data_block = 0x80,
    slot_status = 0x81,
    escape_answer = 0x83,
};

/// bStatus bits 0..1.
enum class IccStatus : std::uint8_t { present_active = 0, present_inactive = 1, absent = 2 };
/// bStatus bits 6..7.
enum class CommandStatus : std::uint8_t { ok = 0, failed = 1, time_extension = 2 };

/// bError values the driver tells apart (CCID 6.2.6); others are reported by number.
namespace slot_error {
inline constexpr std::uint8_t icc_mute = 0xFE;  ///< no card answered
inline constexpr std::uint8_t xfr_parity_error = 0xFD;
inline constexpr std::uint8_t hw_error = 0xFB;
inline constexpr std::uint8_t bad_atr_ts = 0xF8;
inline constexpr std::uint8_t cmd_slot_busy = 0xE0;
inline constexpr std::uint8_t cmd_not_supported = 0x00;
}  // namespace slot_error

/// A host-to-reader message. `specific` is header bytes 7..9 (bPowerSelect
/// and RFU for IccPowerOn; bBWI, wLevelParameter for XfrBlock).
struct HostMessage {
    MessageType type = MessageType::get_slot_status;
    std::uint8_t slot = 0;
    std::uint8_t seq = 0;
    std::array<std::uint8_t, 3> specific{};
    std::vector<std::uint8_t> data;

    friend bool operator==(const HostMessage&, const HostMessage&) = default;
};

/// A reader-to-host message. `specific` is header byte 9 (bChainParameter for
/// DataBlock, bClockStatus for SlotStatus, RFU for Escape).
struct ReaderMessage {
    MessageType type = MessageType::slot_status;
    std::uint8_t slot = 0;
    std::uint8_t seq = 0;
    IccStatus icc = IccStatus::present_active;
    CommandStatus command = CommandStatus::ok;
    std::uint8_t error = 0;  ///< bError; when command is time_extension, the BWT multiplier
    std::uint8_t specific = 0;
    std::vector<std::uint8_t> data;

    friend bool operator==(const ReaderMessage&, const ReaderMessage&) = default;
};

/// Fields are written as given, a wrong type or an oversized payload
/// included, so tests can play a broken peer; only the decoders check.
std::vector<std::uint8_t> encode(const HostMessage& message);
std::vector<std::uint8_t> encode(const ReaderMessage& message);

/// Shorthands for the messages the driver sends.
HostMessage power_on(std::uint8_t slot, std::uint8_t seq);
HostMessage power_off(std::uint8_t slot, std::uint8_t seq);
HostMessage get_slot_status(std::uint8_t slot, std::uint8_t seq);
HostMessage xfr_block(std::uint8_t slot, std::uint8_t seq, std::span<const std::uint8_t> apdu);
HostMessage escape(std::uint8_t slot, std::uint8_t seq, std::span<const std::uint8_t> command);

/// Whether a bMessageType byte is one of the host-to-reader types
/// (PC_to_RDR_*); the simulated reader answers others as unsupported.
bool is_host_message_type(std::uint8_t type) noexcept;

/// Errors: truncated (shorter than the header or than dwLength says),
/// too_long (bytes after the payload, a message above max_message_size with
/// its header, or a payload on IccPowerOn, IccPowerOff, GetSlotStatus or
/// SlotStatus, which CCID fixes at dwLength 0),
/// bad_value (a message type of the other direction or unknown; bStatus with
/// reserved bits or ICC status 3).
Decoded<HostMessage> decode_host_message(std::span<const std::uint8_t> bytes);
Decoded<ReaderMessage> decode_reader_message(std::span<const std::uint8_t> bytes);

}  // namespace cardd::protocol::ccid
