#pragma once
// The Modbus exception codes a CT-1 terminal answers with, and the result
// types of register access: values or an exception, never both.

#include <cstdint>
#include <expected>
#include <string_view>
#include <vector>

namespace cardd::termsim {

/// Exception codes of the Modbus application protocol that CT-1 uses.
enum class ModbusException : std::uint8_t {
    illegal_function = 0x01,      ///< function code other than 0x03, 0x10, 0x17
    illegal_data_address = 0x02,  ///< outside the blocks, a read-only register, mid-mailbox
    illegal_data_value = 0x03,    ///< quantity outside the Modbus limits, short mailbox write
};

/// Register values read, or the exception to answer.
using ReadResult = std::expected<std::vector<std::uint16_t>, ModbusException>;
/// A write done, or the exception to answer (and nothing changed).
using WriteResult = std::expected<void, ModbusException>;

/// "ILLEGAL FUNCTION" and so on, for logs and test messages.
std::string_view to_string(ModbusException exception) noexcept;

}  // namespace cardd::termsim
