#pragma once
// Command opcodes and the status codes a terminal leaves at 0x000E.
//
// Both enums have a fixed underlying type, so any u16 read off the wire is a
// valid value of the enum even when CT-1 does not name it; is_known() tells
// the two apart and to_string() names the unknown ones "UNKNOWN".

#include <cstdint>
#include <string_view>

namespace cardd::protocol {

/// Status of the last command, register 0x000E.
enum class Status : std::uint16_t {
    ok = 0,
    ok_already = 1,
    version_mismatch = 2,
    capacity = 3,
    bad_argument = 4,
    sequence = 5,
    no_session = 6,
    crc_mismatch = 7,
    incomplete = 8,
    unknown_opcode = 9,
    busy = 10,
};

/// Command opcode, mailbox offset 0.
enum class Opcode : std::uint16_t {
    add = 0x0001,
    remove = 0x0002,
    full_begin = 0x0010,
    full_list_chunk = 0x0011,
    full_bitmap_chunk = 0x0012,
    full_commit = 0x0013,
    full_abort = 0x0014,
    records_ack = 0x0020,
    set_clock = 0x0021,
};

/// Format of a full sync, FULL_BEGIN payload register 0.
enum class SyncFormat : std::uint16_t {
    list = 0,
    bitmap = 1,
};

/// Full sync state, register 0x0016.
enum class FullSyncState : std::uint16_t {
    idle = 0,
    receiving = 1,
};

/// The specification's name ("OK_ALREADY"), or "UNKNOWN".
std::string_view to_string(Status status) noexcept;
/// The specification's name ("FULL_LIST_CHUNK"), or "UNKNOWN".
std::string_view to_string(Opcode opcode) noexcept;
/// "list", "bitmap" or "unknown".
std::string_view to_string(SyncFormat format) noexcept;
/// "idle", "receiving" or "unknown".
std::string_view to_string(FullSyncState state) noexcept;

/// True when CT-1 defines this status value.
bool is_known(Status status) noexcept;
/// True when CT-1 defines this opcode.
bool is_known(Opcode opcode) noexcept;

/// The register value of an enum, for encoders.
template <class E>
constexpr std::uint16_t raw(E value) noexcept {
    return static_cast<std::uint16_t>(value);
}

}  // namespace cardd::protocol
