#pragma once
// A CT-1 command: the registers one write puts at 0x0100, and back.
//
// Decoding is split in two on purpose. decode_command() only refuses what a
// terminal answers with a Modbus exception (a write shorter than 7 registers
// or longer than the mailbox); a command whose n disagrees with its length is
// still decoded, because the terminal must echo its tag with BAD_ARGUMENT.
// check_payload_length() and the read_* helpers then judge the payload.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "protocol/decode_error.hpp"
#include "protocol/status.hpp"

namespace cardd::protocol {

/// One command as it sits in the mailbox. The opcode may be one CT-1 does not
/// define (see is_known()); n and payload are carried as written.
struct Command {
    Opcode opcode{};
    std::uint16_t tag = 0;
    std::uint32_t arg1 = 0;
    std::uint32_t arg2 = 0;
    std::uint16_t n = 0;
    std::vector<std::uint16_t> payload;

    friend bool operator==(const Command&, const Command&) = default;
};

/// The arguments of FULL_BEGIN.
struct FullBegin {
    std::uint32_t session = 0;
    std::uint32_t target_version = 0;
    SyncFormat format = SyncFormat::list;
    std::uint32_t total = 0;  ///< entries for a list, bytes for a bitmap

    friend bool operator==(const FullBegin&, const FullBegin&) = default;
};

/// The registers to write at 0x0100. Throws std::length_error when the
/// command does not fit the mailbox (more than 116 payload registers).
std::vector<std::uint16_t> encode_command(const Command& command);

/// Reads a mailbox write. Errors: truncated (< 7 registers), too_long (> 123).
Decoded<Command> decode_command(std::span<const std::uint16_t> regs);

/// Payload registers a known opcode needs for n items; nullopt for an opcode
/// CT-1 does not define.
std::optional<std::size_t> payload_registers_for(Opcode opcode, std::uint16_t n) noexcept;

/// Checks n against the payload length (CT-1: "n inconsistent with the write
/// length" is BAD_ARGUMENT). Commands without payload items need n = 0 and no
/// payload; FULL_BEGIN needs n = 3. Unknown opcodes always pass.
std::expected<void, DecodeError> check_payload_length(const Command& command);

/// Card numbers of an ADD, REMOVE or FULL_LIST_CHUNK, in the order sent.
Decoded<std::vector<std::uint32_t>> read_entries(const Command& command);

/// Bytes of a FULL_BITMAP_CHUNK.
Decoded<std::vector<std::uint8_t>> read_bitmap_bytes(const Command& command);

/// Arguments of a FULL_BEGIN; a format other than 0 or 1 is bad_value.
Decoded<FullBegin> read_full_begin(const Command& command);

// Builders. Card lists longer than one command can carry (77 entries, 232
// bitmap bytes) are a caller bug and throw std::length_error; a card number
// above 0xFFFFFF throws std::out_of_range. With 0x17 the caller keeps to
// max_entries_per_command(WriteFunction::read_write_multiple) itself.

/// ADD: add cards when the terminal is at base_version, then move to new_version.
Command make_add(std::uint16_t tag, std::uint32_t base_version, std::uint32_t new_version,
                 std::span<const std::uint32_t> cards);
/// REMOVE: as ADD, removing the cards.
Command make_remove(std::uint16_t tag, std::uint32_t base_version, std::uint32_t new_version,
                    std::span<const std::uint32_t> cards);
/// FULL_BEGIN: open a staging area for a full sync.
Command make_full_begin(std::uint16_t tag, std::uint32_t session, std::uint32_t target_version, SyncFormat format,
                        std::uint32_t total);
/// FULL_LIST_CHUNK: entries starting at index `first_index` of the list.
Command make_full_list_chunk(std::uint16_t tag, std::uint32_t session, std::uint32_t first_index,
                             std::span<const std::uint32_t> cards);
/// FULL_BITMAP_CHUNK: bitmap bytes starting at `byte_offset`.
Command make_full_bitmap_chunk(std::uint16_t tag, std::uint32_t session, std::uint32_t byte_offset,
                               std::span<const std::uint8_t> bytes);
/// FULL_COMMIT: enforce the staged set if its CRC-32 equals `crc`.
Command make_full_commit(std::uint16_t tag, std::uint32_t session, std::uint32_t crc);
/// FULL_ABORT: discard the staging area.
Command make_full_abort(std::uint16_t tag, std::uint32_t session);
/// RECORDS_ACK: records below `seq` may be dropped.
Command make_records_ack(std::uint16_t tag, std::uint32_t seq);
/// SET_CLOCK: set the terminal clock to Unix seconds.
Command make_set_clock(std::uint16_t tag, std::uint32_t unix_seconds);

}  // namespace cardd::protocol
