#pragma once
// Terminals on Modbus RTU: one open serial port per RS-485 bus, shared by
// every terminal on it, one request at a time.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "daemon/terminal/modbus_context.hpp"
#include "daemon/terminal/terminal_link.hpp"

namespace cardd::daemon {

/// One RS-485 bus: one open serial port, shared by every terminal on it, one
/// request at a time. Opens the port on first use and again after an I/O error.
class SerialBus {
public:
    /// Errors: settings libmodbus refuses (baud 0, parity not N/E/O).
    static LinkResult<std::shared_ptr<SerialBus>> create(std::string device, int baud, char parity,
                                                         LinkOptions options = {});

    const std::string& device() const noexcept { return device_; }
    int baud() const noexcept { return baud_; }
    char parity() const noexcept { return parity_; }

    // One request to `unit`, with the bus to itself for the whole exchange.
    LinkResult<std::vector<std::uint16_t>> read_registers(int unit, std::uint16_t address, std::uint16_t count);
    LinkResult<void> write_registers(int unit, std::uint16_t address, std::span<const std::uint16_t> values);
    LinkResult<std::vector<std::uint16_t>> write_and_read_registers(int unit, std::uint16_t write_address,
                                                                    std::span<const std::uint16_t> values,
                                                                    std::uint16_t read_address,
                                                                    std::uint16_t read_count);

private:
    SerialBus(std::string device, int baud, char parity, LinkOptions options, ModbusContext ctx);

    template <class Op>
    auto transact(int unit, Op op) -> decltype(op(std::declval<ModbusContext&>()));

    std::mutex mutex_;  // the bus carries one request at a time
    std::string device_;
    int baud_;
    char parity_;
    LinkOptions options_;
    ModbusContext ctx_;
    // Modbus over serial line 2.5.1.1: frames are kept 3.5 characters apart.
    // libmodbus sends a request as soon as it is asked, so the bus waits
    // until this point after the last answer before the next request.
    std::chrono::microseconds frame_gap_;
    std::chrono::steady_clock::time_point line_free_at_{};
};

/// A terminal on an RS-485 bus: its unit id on a shared SerialBus.
class RtuLink final : public TerminalLink {
public:
    RtuLink(std::shared_ptr<SerialBus> bus, int unit) : bus_(std::move(bus)), unit_(unit) {}

    const std::shared_ptr<SerialBus>& bus() const noexcept { return bus_; }

    LinkResult<std::vector<std::uint16_t>> read_registers(std::uint16_t address, std::uint16_t count) override;
    LinkResult<void> write_registers(std::uint16_t address, std::span<const std::uint16_t> values) override;
    LinkResult<std::vector<std::uint16_t>> write_and_read_registers(std::uint16_t write_address,
                                                                    std::span<const std::uint16_t> values,
                                                                    std::uint16_t read_address,
                                                                    std::uint16_t read_count) override;

private:
    std::shared_ptr<SerialBus> bus_;
    int unit_;
};

}  // namespace cardd::daemon
