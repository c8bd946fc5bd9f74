#pragma once
// libmodbus as the master in the live tests: each call returns the values
// or the errno libmodbus set (an exception code is MODBUS_ENOBASE + code).

#include <modbus/modbus.h>

#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <utility>
#include <vector>

#include "protocol/command.hpp"
#include "protocol/status.hpp"
#include "tools/termsim/modbus_handle.hpp"

namespace cardd::termsim::test {

using Regs = std::vector<std::uint16_t>;
using Bytes = std::vector<std::uint8_t>;

/// The errno libmodbus sets for a Modbus exception code.
constexpr int exception_errno(int code) { return MODBUS_ENOBASE + code; }

class ModbusClient {
public:
    /// Connects to 127.0.0.1:port. Throws std::runtime_error.
    static ModbusClient tcp(std::uint16_t port);
    /// Opens a serial device for unit `unit`. Throws std::runtime_error.
    static ModbusClient rtu(const std::string& device, int unit, int baud = 19200, char parity = 'E');

    void set_unit(int unit);
    void set_timeout(std::chrono::milliseconds timeout);

    std::expected<Regs, int> read(std::uint16_t address, std::uint16_t count);
    std::expected<void, int> write(std::uint16_t address, const Regs& values);
    std::expected<Regs, int> write_read(std::uint16_t write_address, const Regs& values, std::uint16_t read_address,
                                        std::uint16_t read_count);
    /// Any request PDU; the response PDU (function code onwards).
    std::expected<Bytes, int> raw(const Bytes& pdu);

    /// A command in one 0x17 round trip: the status and tag read back.
    std::expected<std::pair<protocol::Status, std::uint16_t>, int> command(const protocol::Command& command);
    /// A command with 0x10, then 0x03 of the status register.
    std::expected<protocol::Status, int> command_with_0x10(const protocol::Command& command);

    modbus_t* get() const noexcept { return ctx_.get(); }

private:
    explicit ModbusClient(ModbusPtr ctx, bool rtu) : ctx_(std::move(ctx)), rtu_(rtu) {}
    ModbusPtr ctx_;
    bool rtu_ = false;
    int unit_ = 1;
};

}  // namespace cardd::termsim::test
