#include "tools/termsim/pdu.hpp"

#include "protocol/registers.hpp"

namespace cardd::termsim {

namespace mb = cardd::protocol::modbus;

namespace {

std::uint16_t u16_at(std::span<const std::uint8_t> pdu, std::size_t offset) noexcept {
    return static_cast<std::uint16_t>((unsigned{pdu[offset]} << 8) | pdu[offset + 1]);
}

std::vector<std::uint16_t> registers_at(std::span<const std::uint8_t> pdu, std::size_t offset, std::size_t count) {
    std::vector<std::uint16_t> regs(count);
    for (std::size_t i = 0; i < count; ++i) regs[i] = u16_at(pdu, offset + 2 * i);
    return regs;
}

void put_u16(std::vector<std::uint8_t>& out, std::uint16_t value) {
    out.push_back(static_cast<std::uint8_t>(value >> 8));
    out.push_back(static_cast<std::uint8_t>(value & 0xFF));
}

std::vector<std::uint8_t> read_response(std::uint8_t function, const std::vector<std::uint16_t>& values) {
    std::vector<std::uint8_t> out;
    out.reserve(2 + 2 * values.size());
    out.push_back(function);
    out.push_back(static_cast<std::uint8_t>(2 * values.size()));
    for (const std::uint16_t value : values) put_u16(out, value);
    return out;
}

// 0x03: address, quantity.
std::vector<std::uint8_t> read_holding(Terminal& terminal, std::span<const std::uint8_t> pdu) {
    if (pdu.size() != 5) return exception_pdu(pdu[0], ModbusException::illegal_data_value);
    const auto values = terminal.read_registers(u16_at(pdu, 1), u16_at(pdu, 3));
    if (!values) return exception_pdu(pdu[0], values.error());
    return read_response(pdu[0], *values);
}

// 0x10: address, quantity, byte count, values.
std::vector<std::uint8_t> write_multiple(Terminal& terminal, std::span<const std::uint8_t> pdu) {
    if (pdu.size() < 6) return exception_pdu(pdu[0], ModbusException::illegal_data_value);
    const std::uint16_t address = u16_at(pdu, 1);
    const std::uint16_t quantity = u16_at(pdu, 3);
    const std::size_t byte_count = pdu[5];
    if (byte_count != 2u * quantity || pdu.size() != 6 + byte_count) {
        return exception_pdu(pdu[0], ModbusException::illegal_data_value);
    }
    const auto done = terminal.write_registers(address, registers_at(pdu, 6, quantity));
    if (!done) return exception_pdu(pdu[0], done.error());
    return std::vector<std::uint8_t>(pdu.begin(), pdu.begin() + 5);  // echo address and quantity
}

// 0x17: read address, read quantity, write address, write quantity, byte count, values.
std::vector<std::uint8_t> write_and_read(Terminal& terminal, std::span<const std::uint8_t> pdu) {
    if (pdu.size() < 10) return exception_pdu(pdu[0], ModbusException::illegal_data_value);
    const std::uint16_t read_address = u16_at(pdu, 1);
    const std::uint16_t read_quantity = u16_at(pdu, 3);
    const std::uint16_t write_address = u16_at(pdu, 5);
    const std::uint16_t write_quantity = u16_at(pdu, 7);
    const std::size_t byte_count = pdu[9];
    if (byte_count != 2u * write_quantity || pdu.size() != 10 + byte_count) {
        return exception_pdu(pdu[0], ModbusException::illegal_data_value);
    }
    const auto values =
        terminal.write_read(write_address, registers_at(pdu, 10, write_quantity), read_address, read_quantity);
    if (!values) return exception_pdu(pdu[0], values.error());
    return read_response(pdu[0], *values);
}

}  // namespace

std::vector<std::uint8_t> exception_pdu(std::uint8_t function, ModbusException exception) {
    return {static_cast<std::uint8_t>(function | 0x80), static_cast<std::uint8_t>(exception)};
}

std::vector<std::uint8_t> answer_pdu(Terminal& terminal, std::span<const std::uint8_t> request) {
    switch (request[0]) {
        case mb::fc_read_holding_registers: return read_holding(terminal, request);
        case mb::fc_write_multiple_registers: return write_multiple(terminal, request);
        case mb::fc_read_write_multiple_registers: return write_and_read(terminal, request);
        default: return exception_pdu(request[0], ModbusException::illegal_function);
    }
}

}  // namespace cardd::termsim
