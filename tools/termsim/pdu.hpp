#pragma once
// A Modbus request PDU (function code and data, no framing) in, the response
// PDU out: normal, or function | 0x80 and an exception code. Pure, so both
// transports and the tests share one reading of the request formats.

#include <cstdint>
#include <span>
#include <vector>

#include "tools/termsim/modbus_exception.hpp"
#include "tools/termsim/terminal.hpp"

namespace cardd::termsim {

/// Runs one request against a terminal. A request of a function other than
/// 0x03, 0x10, 0x17 gets 0x01; one whose length or byte count does not
/// match its quantities gets 0x03. `request` must hold at least the
/// function code.
std::vector<std::uint8_t> answer_pdu(Terminal& terminal, std::span<const std::uint8_t> request);

/// The PDU of an exception response.
std::vector<std::uint8_t> exception_pdu(std::uint8_t function, ModbusException exception);

}  // namespace cardd::termsim
