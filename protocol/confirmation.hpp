#pragma once
// What one 0x17 reads back to confirm a blacklist command in the same round
// trip: the state registers from the enforced version to the checksum
// (0x0006..0x001A). CT-1 completes a command before it answers and a 0x17
// writes before it reads, so this window shows the command's own outcome and
// the set it left enforced: no second request is needed to know a delta
// landed. It also holds the record sequence numbers, so the same answer says
// whether the terminal took any card before the command took effect.

#include <cstdint>
#include <span>

#include "protocol/decode_error.hpp"
#include "protocol/registers.hpp"
#include "protocol/status.hpp"

namespace cardd::protocol {

namespace confirmation {
inline constexpr RegisterRange window{
    state::blacklist_version.address,
    static_cast<std::uint16_t>(state::defined_registers - state::blacklist_version.address)};
static_assert(window.count == 21);
}  // namespace confirmation

/// The fields of the window a caller acts on.
struct Confirmation {
    std::uint32_t blacklist_version = 0;
    std::uint32_t blacklist_count = 0;
    std::uint16_t status = 0;  ///< raw: the caller checks it is a CT-1 status
    std::uint16_t tag = 0;
    std::uint32_t checksum = 0;
    std::uint32_t oldest_seq = 0;  ///< records held are [oldest_seq, next_seq)
    std::uint32_t next_seq = 0;
};

/// Decodes the 21 registers of the window; fewer is `truncated`.
Decoded<Confirmation> decode_confirmation(std::span<const std::uint16_t> regs);

}  // namespace cardd::protocol
