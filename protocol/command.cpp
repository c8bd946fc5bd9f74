#include "protocol/command.hpp"

#include <algorithm>
#include <initializer_list>
#include <stdexcept>
#include <string>

#include "protocol/entry_packing.hpp"
#include "protocol/registers.hpp"
#include "protocol/words.hpp"

namespace cardd::protocol {

namespace {

Command make_entries_command(Opcode opcode, std::uint16_t tag, std::uint32_t arg1, std::uint32_t arg2,
                             std::span<const std::uint32_t> cards) {
    constexpr std::size_t max = max_entries_per_command(WriteFunction::write_multiple);
    if (cards.size() > max) {
        throw std::length_error(std::string(to_string(opcode)) + " carries at most " + std::to_string(max) +
                                " entries, got " + std::to_string(cards.size()));
    }
    return Command{opcode, tag, arg1, arg2, static_cast<std::uint16_t>(cards.size()), pack_entries(cards)};
}

// Opcodes whose payload has a fixed shape also fix n; without this, "n
// items" would mean nothing for them and any n would pass.
std::optional<std::uint16_t> fixed_item_count(Opcode opcode) noexcept {
    switch (opcode) {
        case Opcode::full_begin: return mailbox::full_begin_items;
        case Opcode::full_commit:
        case Opcode::full_abort:
        case Opcode::records_ack:
        case Opcode::set_clock: return std::uint16_t{0};
        default: return std::nullopt;
    }
}

std::expected<void, DecodeError> require_opcode(const Command& command, std::initializer_list<Opcode> allowed) {
    for (const Opcode opcode : allowed) {
        if (command.opcode == opcode) return {};
    }
    return decode_fail(DecodeErrc::bad_value,
                       "opcode " + std::string(to_string(command.opcode)) + " does not carry this payload");
}

}  // namespace

std::vector<std::uint16_t> encode_command(const Command& command) {
    if (command.payload.size() > mailbox::max_payload_registers) {
        throw std::length_error("command payload of " + std::to_string(command.payload.size()) +
                                " registers exceeds the mailbox");
    }
    std::vector<std::uint16_t> regs(mailbox::header_registers + command.payload.size());
    regs[mailbox::opcode] = raw(command.opcode);
    regs[mailbox::tag] = command.tag;
    write_u32(regs, mailbox::arg1, command.arg1);
    write_u32(regs, mailbox::arg2, command.arg2);
    regs[mailbox::n] = command.n;
    std::copy(command.payload.begin(), command.payload.end(), regs.begin() + mailbox::payload);
    return regs;
}

Decoded<Command> decode_command(std::span<const std::uint16_t> regs) {
    if (regs.size() < mailbox::header_registers) {
        return decode_fail(DecodeErrc::truncated,
                           "a command needs at least 7 registers, got " + std::to_string(regs.size()));
    }
    if (regs.size() > mailbox::block.count) {
        return decode_fail(DecodeErrc::too_long, "the mailbox holds 123 registers, got " + std::to_string(regs.size()));
    }
    Command command;
    command.opcode = static_cast<Opcode>(regs[mailbox::opcode]);
    command.tag = regs[mailbox::tag];
    command.arg1 = read_u32(regs, mailbox::arg1);
    command.arg2 = read_u32(regs, mailbox::arg2);
    command.n = regs[mailbox::n];
    command.payload.assign(regs.begin() + mailbox::payload, regs.end());
    return command;
}

std::optional<std::size_t> payload_registers_for(Opcode opcode, std::uint16_t n) noexcept {
    switch (opcode) {
        case Opcode::add:
        case Opcode::remove:
        case Opcode::full_list_chunk: return entry_registers(n);
        case Opcode::full_bitmap_chunk: return byte_registers(n);
        case Opcode::full_begin: return std::size_t{mailbox::full_begin_items};
        case Opcode::full_commit:
        case Opcode::full_abort:
        case Opcode::records_ack:
        case Opcode::set_clock: return std::size_t{0};
    }
    return std::nullopt;
}

std::expected<void, DecodeError> check_payload_length(const Command& command) {
    const auto needed = payload_registers_for(command.opcode, command.n);
    if (!needed) return {};
    if (const auto fixed = fixed_item_count(command.opcode); fixed && command.n != *fixed) {
        return decode_fail(DecodeErrc::length_mismatch, std::string(to_string(command.opcode)) +
                                                            " needs n = " + std::to_string(*fixed) + ", got " +
                                                            std::to_string(command.n));
    }
    if (command.payload.size() != *needed) {
        return decode_fail(DecodeErrc::length_mismatch, std::string(to_string(command.opcode)) +
                                                            " with n = " + std::to_string(command.n) + " needs " +
                                                            std::to_string(*needed) + " payload registers, got " +
                                                            std::to_string(command.payload.size()));
    }
    return {};
}

Decoded<std::vector<std::uint32_t>> read_entries(const Command& command) {
    if (auto ok = require_opcode(command, {Opcode::add, Opcode::remove, Opcode::full_list_chunk}); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = check_payload_length(command); !ok) return std::unexpected(ok.error());
    return unpack_entries(command.payload, command.n);
}

Decoded<std::vector<std::uint8_t>> read_bitmap_bytes(const Command& command) {
    if (auto ok = require_opcode(command, {Opcode::full_bitmap_chunk}); !ok) return std::unexpected(ok.error());
    if (auto ok = check_payload_length(command); !ok) return std::unexpected(ok.error());
    return unpack_bytes(command.payload, command.n);
}

Decoded<FullBegin> read_full_begin(const Command& command) {
    if (auto ok = require_opcode(command, {Opcode::full_begin}); !ok) return std::unexpected(ok.error());
    if (auto ok = check_payload_length(command); !ok) return std::unexpected(ok.error());
    const std::uint16_t format = command.payload[0];
    if (format != raw(SyncFormat::list) && format != raw(SyncFormat::bitmap)) {
        return decode_fail(DecodeErrc::bad_value, "FULL_BEGIN format " + std::to_string(format) + " is not 0 or 1");
    }
    return FullBegin{command.arg1, command.arg2, static_cast<SyncFormat>(format), read_u32(command.payload, 1)};
}

Command make_add(std::uint16_t tag, std::uint32_t base_version, std::uint32_t new_version,
                 std::span<const std::uint32_t> cards) {
    return make_entries_command(Opcode::add, tag, base_version, new_version, cards);
}

Command make_remove(std::uint16_t tag, std::uint32_t base_version, std::uint32_t new_version,
                    std::span<const std::uint32_t> cards) {
    return make_entries_command(Opcode::remove, tag, base_version, new_version, cards);
}

Command make_full_begin(std::uint16_t tag, std::uint32_t session, std::uint32_t target_version, SyncFormat format,
                        std::uint32_t total) {
    const auto total_words = split_u32(total);
    return Command{Opcode::full_begin,
                   tag,
                   session,
                   target_version,
                   mailbox::full_begin_items,
                   {raw(format), total_words[0], total_words[1]}};
}

Command make_full_list_chunk(std::uint16_t tag, std::uint32_t session, std::uint32_t first_index,
                             std::span<const std::uint32_t> cards) {
    return make_entries_command(Opcode::full_list_chunk, tag, session, first_index, cards);
}

Command make_full_bitmap_chunk(std::uint16_t tag, std::uint32_t session, std::uint32_t byte_offset,
                               std::span<const std::uint8_t> bytes) {
    constexpr std::size_t max = max_bitmap_bytes_per_command(WriteFunction::write_multiple);
    if (bytes.size() > max) {
        throw std::length_error("FULL_BITMAP_CHUNK carries at most " + std::to_string(max) + " bytes, got " +
                                std::to_string(bytes.size()));
    }
    return Command{Opcode::full_bitmap_chunk, tag, session, byte_offset, static_cast<std::uint16_t>(bytes.size()),
                   pack_bytes(bytes)};
}

Command make_full_commit(std::uint16_t tag, std::uint32_t session, std::uint32_t crc) {
    return Command{Opcode::full_commit, tag, session, crc, 0, {}};
}

Command make_full_abort(std::uint16_t tag, std::uint32_t session) {
    return Command{Opcode::full_abort, tag, session, 0, 0, {}};
}

Command make_records_ack(std::uint16_t tag, std::uint32_t seq) {
    return Command{Opcode::records_ack, tag, seq, 0, 0, {}};
}

Command make_set_clock(std::uint16_t tag, std::uint32_t unix_seconds) {
    return Command{Opcode::set_clock, tag, unix_seconds, 0, 0, {}};
}

}  // namespace cardd::protocol
