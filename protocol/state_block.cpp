#include "protocol/state_block.hpp"

#include <stdexcept>
#include <string>

#include "protocol/words.hpp"
#include "protocol/hex.hpp"

namespace cardd::protocol {

namespace {

constexpr std::size_t at(RegisterRange field) noexcept { return field.address - state::block.address; }

// Printable only: the name ends up in JSON answers and terminal tables, where
// bytes above 0x7F are not valid UTF-8 and control bytes garble the output.
constexpr bool printable(std::uint8_t byte) noexcept { return byte >= 0x20 && byte <= 0x7E; }

}  // namespace

std::array<std::uint16_t, 32> encode_state_block(const TerminalState& s) {
    std::array<std::uint16_t, 32> regs{};
    regs[at(state::magic)] = s.magic;
    regs[at(state::protocol_version)] = s.protocol_version;
    write_u32(regs, at(state::serial), s.serial);
    regs[at(state::firmware)] = s.firmware;
    regs[at(state::capabilities)] = s.capabilities;
    write_u32(regs, at(state::blacklist_version), s.blacklist_version);
    write_u32(regs, at(state::blacklist_count), s.blacklist_count);
    write_u32(regs, at(state::list_capacity), s.list_capacity);
    write_u32(regs, at(state::bitmap_limit), s.bitmap_limit);
    regs[at(state::last_status)] = raw(s.last_status);
    regs[at(state::last_tag)] = s.last_tag;
    write_u32(regs, at(state::oldest_seq), s.oldest_seq);
    write_u32(regs, at(state::next_seq), s.next_seq);
    write_u32(regs, at(state::clock), s.clock);
    regs[at(state::full_sync_state)] = raw(s.full_sync_state);
    write_u32(regs, at(state::full_sync_progress), s.full_sync_progress);
    write_u32(regs, at(state::checksum), s.checksum);
    return regs;
}

Decoded<TerminalState> decode_state_block(std::span<const std::uint16_t> regs) {
    if (regs.size() < state::defined_registers) {
        return decode_fail(DecodeErrc::truncated,
                           "the state block needs 27 registers, got " + std::to_string(regs.size()));
    }
    TerminalState s;
    s.magic = regs[at(state::magic)];
    if (s.magic != magic_value) {
        return decode_fail(DecodeErrc::bad_magic, "magic is " + hex(s.magic, 4) + ", not 0x4354: not a CT-1 terminal");
    }
    s.protocol_version = regs[at(state::protocol_version)];
    if (s.protocol_version != protocol_version_value) {
        return decode_fail(DecodeErrc::bad_version,
                           "protocol version " + std::to_string(s.protocol_version) + " is not supported (want 1)");
    }
    s.serial = read_u32(regs, at(state::serial));
    // (serial, seq) identifies a collected record, so a zero serial would
    // merge the records of every such terminal.
    if (s.serial == 0) return decode_fail(DecodeErrc::bad_value, "serial number is 0");
    s.firmware = regs[at(state::firmware)];
    s.capabilities = regs[at(state::capabilities)];
    s.blacklist_version = read_u32(regs, at(state::blacklist_version));
    s.blacklist_count = read_u32(regs, at(state::blacklist_count));
    s.list_capacity = read_u32(regs, at(state::list_capacity));
    s.bitmap_limit = read_u32(regs, at(state::bitmap_limit));
    s.last_status = static_cast<Status>(regs[at(state::last_status)]);
    s.last_tag = regs[at(state::last_tag)];
    s.oldest_seq = read_u32(regs, at(state::oldest_seq));
    s.next_seq = read_u32(regs, at(state::next_seq));
    s.clock = read_u32(regs, at(state::clock));
    s.full_sync_state = static_cast<FullSyncState>(regs[at(state::full_sync_state)]);
    s.full_sync_progress = read_u32(regs, at(state::full_sync_progress));
    s.checksum = read_u32(regs, at(state::checksum));
    return s;
}

std::array<std::uint16_t, 8> encode_model_name(std::string_view name) {
    if (name.size() > model_name::bytes) {
        throw std::invalid_argument("model name longer than 16 bytes: " + std::string(name));
    }
    std::array<std::uint16_t, 8> regs{};
    for (std::size_t i = 0; i < name.size(); ++i) {
        const auto byte = static_cast<std::uint8_t>(name[i]);
        if (!printable(byte)) throw std::invalid_argument("model name is not printable ASCII");
        const unsigned shift = i % 2 == 0 ? 8 : 0;
        regs[i / 2] = static_cast<std::uint16_t>(regs[i / 2] | (unsigned{byte} << shift));
    }
    return regs;
}

Decoded<std::string> decode_model_name(std::span<const std::uint16_t> regs) {
    if (regs.size() < model_name::block.count) {
        return decode_fail(DecodeErrc::truncated,
                           "the model name needs 8 registers, got " + std::to_string(regs.size()));
    }
    std::string name;
    for (std::size_t i = 0; i < model_name::bytes; ++i) {
        const std::uint16_t reg = regs[i / 2];
        const auto byte = static_cast<std::uint8_t>(i % 2 == 0 ? reg >> 8 : reg & 0xFF);
        if (byte == 0) break;
        if (!printable(byte)) {
            return decode_fail(DecodeErrc::bad_value, "model name byte " + std::to_string(i) + " is " + hex(byte, 2) +
                                                          ", not printable ASCII");
        }
        name += static_cast<char>(byte);
    }
    return name;
}

}  // namespace cardd::protocol
