#pragma once
// Where a CT-1 read or write may go (terminal-protocol.md, Transport): the
// rules that turn an address range into "allowed" or a Modbus exception.
// Quantities are checked by the caller, which knows the function code.

#include <cstdint>
#include <expected>

#include "tools/termsim/modbus_exception.hpp"

namespace cardd::termsim {

/// What a write that passed the checks is aimed at.
enum class WriteTarget {
    mailbox_command,  ///< a command: starts at 0x0100, 7 registers or more
    records_cursor,   ///< some of 0x0200..0x0201
};

/// A read of [address, address + count): every register must lie in a block
/// (state and model name 0x0000..0x0027, mailbox 0x0100..0x017A, records
/// 0x0200..0x027A), else illegal_data_address.
std::expected<void, ModbusException> check_read(std::uint16_t address, std::uint16_t count) noexcept;

/// A write of [address, address + count), count >= 1. Starting inside the
/// mailbox but not at 0x0100, touching a register outside the blocks, or
/// touching a read-only register: illegal_data_address. Starting at 0x0100
/// with fewer than 7 registers: illegal_data_value.
std::expected<WriteTarget, ModbusException> check_write(std::uint16_t address, std::uint16_t count) noexcept;

}  // namespace cardd::termsim
