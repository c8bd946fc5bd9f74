#pragma once
// The read-only state block (0x0000..0x001F) and model name (0x0020..0x0027).
// The daemon decodes them; the simulator encodes them.

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "protocol/decode_error.hpp"
#include "protocol/registers.hpp"
#include "protocol/status.hpp"

namespace cardd::protocol {

/// Every defined field of the state block, 0x0000..0x001A.
struct TerminalState {
    std::uint16_t magic = magic_value;
    std::uint16_t protocol_version = protocol_version_value;
    std::uint32_t serial = 0;
    std::uint16_t firmware = 0;  ///< major << 8 | minor
    std::uint16_t capabilities = 0;
    std::uint32_t blacklist_version = 0;
    std::uint32_t blacklist_count = 0;
    std::uint32_t list_capacity = 0;
    std::uint32_t bitmap_limit = 0;  ///< highest card a bitmap may cover; 0 without bitmap support
    Status last_status = Status::ok;
    std::uint16_t last_tag = 0;
    std::uint32_t oldest_seq = 0;  ///< records held are [oldest_seq, next_seq)
    std::uint32_t next_seq = 0;
    std::uint32_t clock = 0;  ///< Unix seconds
    FullSyncState full_sync_state = FullSyncState::idle;
    std::uint32_t full_sync_progress = 0;  ///< entries (list) or bytes (bitmap) staged so far
    std::uint32_t checksum = 0;            ///< blacklist_checksum() of the enforced set

    /// Capability bit 0: the terminal takes bitmap full syncs.
    constexpr bool supports_bitmap() const noexcept { return (capabilities & capability::bitmap_full_sync) != 0; }
    constexpr std::uint8_t firmware_major() const noexcept { return static_cast<std::uint8_t>(firmware >> 8); }
    constexpr std::uint8_t firmware_minor() const noexcept { return static_cast<std::uint8_t>(firmware & 0xFF); }

    friend bool operator==(const TerminalState&, const TerminalState&) = default;
};

/// The whole block, 32 registers, reserved ones 0. Fields are written as
/// given, a wrong magic included, so tests can play a broken terminal.
std::array<std::uint16_t, 32> encode_state_block(const TerminalState& state);

/// Decodes at least 27 registers read from 0x0000 (more are ignored, so one
/// read of 0x0000..0x0027 can be passed whole). Errors: truncated, bad_magic,
/// bad_version, bad_value (serial 0, which CT-1 forbids).
Decoded<TerminalState> decode_state_block(std::span<const std::uint16_t> regs);

/// The model name as 8 registers, NUL-padded. Throws std::invalid_argument for
/// more than 16 bytes or a byte outside printable ASCII.
std::array<std::uint16_t, 8> encode_model_name(std::string_view name);

/// Decodes at least 8 registers read from 0x0020: the bytes before the first
/// NUL. A byte outside printable ASCII (0x20..0x7E) is bad_value.
Decoded<std::string> decode_model_name(std::span<const std::uint16_t> regs);

}  // namespace cardd::protocol
