#pragma once
// The CT-1 register map (terminal-protocol.md, the terminal specification) as
// constants. Every address, size and limit the daemon or the simulator uses
// comes from here, so a number from the specification is written once.

#include <cstddef>
#include <cstdint>

namespace cardd::protocol {

/// A run of holding registers: the first address and how many.
struct RegisterRange {
    std::uint16_t address;
    std::uint16_t count;

    /// One past the last register.
    constexpr std::uint32_t end() const noexcept { return std::uint32_t{address} + count; }
};

/// Value at 0x0000: "CT".
inline constexpr std::uint16_t magic_value = 0x4354;
/// The protocol version this code speaks, at 0x0001.
inline constexpr std::uint16_t protocol_version_value = 1;

/// Bits of the capabilities register (0x0005).
namespace capability {
inline constexpr std::uint16_t bitmap_full_sync = 1u << 0;
}  // namespace capability

/// Card numbers travel as 24-bit big-endian integers.
inline constexpr std::uint32_t max_card_number = 0xFFFFFF;
inline constexpr std::size_t bytes_per_entry = 3;

/// Modbus function codes and PDU limits (Modbus Application Protocol v1.1b3).
namespace modbus {
inline constexpr std::uint8_t fc_read_holding_registers = 0x03;
inline constexpr std::uint8_t fc_write_multiple_registers = 0x10;
inline constexpr std::uint8_t fc_read_write_multiple_registers = 0x17;

inline constexpr std::uint16_t max_read_registers = 125;      ///< 0x03, and the read half of 0x17
inline constexpr std::uint16_t max_write_registers = 123;     ///< 0x10
inline constexpr std::uint16_t max_rw_write_registers = 121;  ///< write half of 0x17
inline constexpr std::uint16_t max_rw_read_registers = 125;   ///< read half of 0x17
}  // namespace modbus

/// The function that carries a command; it fixes how much one command holds.
enum class WriteFunction : std::uint8_t {
    write_multiple = modbus::fc_write_multiple_registers,            ///< 0x10
    read_write_multiple = modbus::fc_read_write_multiple_registers,  ///< 0x17
};

/// State block, 0x0000 to 0x001F, read-only.
namespace state {
inline constexpr RegisterRange block{0x0000, 32};
inline constexpr RegisterRange magic{0x0000, 1};
inline constexpr RegisterRange protocol_version{0x0001, 1};
inline constexpr RegisterRange serial{0x0002, 2};
inline constexpr RegisterRange firmware{0x0004, 1};
inline constexpr RegisterRange capabilities{0x0005, 1};
inline constexpr RegisterRange blacklist_version{0x0006, 2};
inline constexpr RegisterRange blacklist_count{0x0008, 2};
inline constexpr RegisterRange list_capacity{0x000A, 2};
inline constexpr RegisterRange bitmap_limit{0x000C, 2};
inline constexpr RegisterRange last_status{0x000E, 1};
inline constexpr RegisterRange last_tag{0x000F, 1};
inline constexpr RegisterRange oldest_seq{0x0010, 2};
inline constexpr RegisterRange next_seq{0x0012, 2};
inline constexpr RegisterRange clock{0x0014, 2};
inline constexpr RegisterRange full_sync_state{0x0016, 1};
inline constexpr RegisterRange full_sync_progress{0x0017, 2};
inline constexpr RegisterRange checksum{0x0019, 2};
inline constexpr RegisterRange reserved{0x001B, 5};
/// Registers that carry a defined field (0x0000..0x001A): the least a decoder needs.
inline constexpr std::uint16_t defined_registers = 0x001B;
}  // namespace state

/// Model name, 0x0020 to 0x0027, read-only: 16 ASCII bytes, NUL-padded.
namespace model_name {
inline constexpr RegisterRange block{0x0020, 8};
inline constexpr std::size_t bytes = 16;
}  // namespace model_name

/// Command mailbox, 0x0100 to 0x017A. Offsets are from 0x0100.
namespace mailbox {
inline constexpr RegisterRange block{0x0100, 0x7B};
inline constexpr std::uint16_t opcode = 0;
inline constexpr std::uint16_t tag = 1;
inline constexpr std::uint16_t arg1 = 2;  ///< 2 registers
inline constexpr std::uint16_t arg2 = 4;  ///< 2 registers
inline constexpr std::uint16_t n = 6;
inline constexpr std::uint16_t payload = 7;
/// A write shorter than this is answered with exception 0x03.
inline constexpr std::uint16_t header_registers = 7;
inline constexpr std::uint16_t max_payload_registers = block.count - header_registers;
/// FULL_BEGIN: n = 3, payload = format (1 reg) and total (2 regs).
inline constexpr std::uint16_t full_begin_items = 3;
}  // namespace mailbox

/// Transaction records window, 0x0200 to 0x027A.
namespace records {
inline constexpr RegisterRange block{0x0200, 0x7B};
inline constexpr RegisterRange cursor{0x0200, 2};  ///< writable
inline constexpr RegisterRange count{0x0202, 1};   ///< k, read-only
inline constexpr std::uint16_t first_record = 0x0203;
inline constexpr std::uint16_t record_registers = 12;
inline constexpr std::uint16_t max_records_per_read = 10;
/// What one read of the window returns at most: k, then 10 records.
inline constexpr std::uint16_t max_window_registers = 1 + record_registers * max_records_per_read;

/// Field offsets inside one record.
namespace field {
inline constexpr std::uint16_t seq = 0;            ///< 2 registers
inline constexpr std::uint16_t card_number = 2;    ///< 2 registers
inline constexpr std::uint16_t amount_cents = 4;   ///< 2 registers, signed
inline constexpr std::uint16_t balance_after = 6;  ///< 2 registers
inline constexpr std::uint16_t time = 8;           ///< 2 registers
inline constexpr std::uint16_t counter = 10;
inline constexpr std::uint16_t kind = 11;
}  // namespace field
}  // namespace records

/// Most registers one command write may hold with the given function.
constexpr std::uint16_t max_command_registers(WriteFunction function) noexcept {
    return function == WriteFunction::write_multiple ? modbus::max_write_registers : modbus::max_rw_write_registers;
}

/// Most payload registers of one command with the given function.
constexpr std::uint16_t max_payload_registers(WriteFunction function) noexcept {
    return static_cast<std::uint16_t>(max_command_registers(function) - mailbox::header_registers);
}

/// Most card numbers one command carries: 77 with 0x10, 76 with 0x17.
constexpr std::uint16_t max_entries_per_command(WriteFunction function) noexcept {
    return static_cast<std::uint16_t>(max_payload_registers(function) * 2 / bytes_per_entry);
}

/// Most bitmap bytes one FULL_BITMAP_CHUNK carries: 232 with 0x10, 228 with 0x17.
constexpr std::uint16_t max_bitmap_bytes_per_command(WriteFunction function) noexcept {
    return static_cast<std::uint16_t>(max_payload_registers(function) * 2);
}

// The specification states these numbers; check that they follow from the
// Modbus limits, so a typo above cannot slip through.
static_assert(state::reserved.end() == state::block.end());
static_assert(mailbox::block.end() - 1 == 0x017A);
static_assert(mailbox::block.count == modbus::max_write_registers);
static_assert(records::block.end() - 1 == 0x027A);
static_assert(records::cursor.count + records::max_window_registers == records::block.count);
static_assert(records::max_window_registers <= modbus::max_rw_read_registers);
static_assert(max_entries_per_command(WriteFunction::write_multiple) == 77);
static_assert(max_entries_per_command(WriteFunction::read_write_multiple) == 76);
static_assert(max_bitmap_bytes_per_command(WriteFunction::write_multiple) == 232);
static_assert(max_bitmap_bytes_per_command(WriteFunction::read_write_multiple) == 228);

}  // namespace cardd::protocol
