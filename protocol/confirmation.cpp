#include "protocol/confirmation.hpp"

#include <string>

#include "protocol/words.hpp"

namespace cardd::protocol {

namespace {

constexpr std::size_t at(RegisterRange field) noexcept { return field.address - confirmation::window.address; }

}  // namespace

Decoded<Confirmation> decode_confirmation(std::span<const std::uint16_t> regs) {
    if (regs.size() < confirmation::window.count) {
        return decode_fail(DecodeErrc::truncated, "confirmation window has " + std::to_string(regs.size()) +
                                                      " registers, not " + std::to_string(confirmation::window.count));
    }
    Confirmation c;
    c.blacklist_version = read_u32(regs, at(state::blacklist_version));
    c.blacklist_count = read_u32(regs, at(state::blacklist_count));
    c.status = regs[at(state::last_status)];
    c.tag = regs[at(state::last_tag)];
    c.checksum = read_u32(regs, at(state::checksum));
    c.oldest_seq = read_u32(regs, at(state::oldest_seq));
    c.next_seq = read_u32(regs, at(state::next_seq));
    return c;
}

}  // namespace cardd::protocol
