#pragma once
// One libmodbus context (modbus_t), owned, with its calls turned into
// LinkResult values. TCP and RTU links are built on it.

#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/terminal/terminal_link.hpp"

// libmodbus's own declaration, repeated so that modbus.h stays out of this header.
typedef struct _modbus modbus_t;

namespace cardd::daemon {

/// Timing of Modbus requests.
struct LinkOptions {
    /// How long a request waits for its answer to start.
    std::chrono::milliseconds response_timeout{1000};
    /// RTU: after a timeout or a garbled answer the bus is left silent this
    /// long, then the receive buffer is flushed, so a late answer cannot be
    /// taken for the answer to the next request (on this or another unit).
    std::chrono::milliseconds serial_quiet_time{300};
};

/// Maps a libmodbus errno to a link error: ETIMEDOUT is a timeout, the
/// exception errnos (MODBUS_ENOBASE + code) a Modbus exception with its code,
/// a bad CRC, bad data, a bad or unknown exception, a wrong responding slave or
/// a malformed frame is garbage, anything else (ECONNREFUSED, EPIPE, ...) io.
/// `what` prefixes the message, which is modbus_strerror(err).
LinkError link_error_from_errno(int err, std::string_view what);

/// Puts "where" in front of an error's message, so a log line names the terminal.
template <class T>
LinkResult<T> located(LinkResult<T> result, const std::string& where) {
    if (!result) result.error().message = where + ": " + result.error().message;
    return result;
}

/// A modbus_t and whether it is connected. Closing and freeing happen in the
/// destructor; a failed request can close() so the next one reconnects.
class ModbusContext {
public:
    /// A TCP context for host (name or address) and port; nothing is connected
    /// yet. Errors: a host libmodbus refuses (empty, or too long).
    static LinkResult<ModbusContext> tcp(const std::string& host, int port);
    /// An RTU context: 8 data bits, 1 stop bit, parity 'N', 'E' or 'O'. Returns
    /// an error for arguments libmodbus refuses (bad baud or parity).
    static LinkResult<ModbusContext> rtu(const std::string& device, int baud, char parity);

    ModbusContext(ModbusContext&&) noexcept = default;
    ModbusContext& operator=(ModbusContext&&) noexcept = default;
    ~ModbusContext() = default;

    /// Sets how long a request waits for the first byte of its answer.
    void set_response_timeout(std::chrono::milliseconds timeout);
    /// Sets the unit id (slave) the next requests go to.
    LinkResult<void> set_unit(int unit);

    /// Connects if not connected (TCP connect, or opening the serial port).
    /// A descriptor select() cannot watch is closed again and an io error.
    LinkResult<void> ensure_connected();
    /// Closes the connection; the next ensure_connected() opens it again.
    void close() noexcept;
    /// Discards bytes received and not yet read (a late or partial frame).
    void flush() noexcept;
    bool connected() const noexcept { return connected_; }

    // The requests. Quantities outside the Modbus limits (read 1..125, write
    // 1..123, 0x17 write 1..121) are a caller bug and throw std::length_error
    // before anything goes on the wire.
    LinkResult<std::vector<std::uint16_t>> read_registers(std::uint16_t address, std::uint16_t count);
    LinkResult<void> write_registers(std::uint16_t address, std::span<const std::uint16_t> values);
    LinkResult<std::vector<std::uint16_t>> write_and_read_registers(std::uint16_t write_address,
                                                                    std::span<const std::uint16_t> values,
                                                                    std::uint16_t read_address,
                                                                    std::uint16_t read_count);

private:
    struct Deleter {
        void operator()(modbus_t* ctx) const noexcept;
    };
    explicit ModbusContext(modbus_t* ctx) : ctx_(ctx) {}

    std::unique_ptr<modbus_t, Deleter> ctx_;
    bool connected_ = false;
    // TCP: cardd connects the socket itself (tcp_connect.hpp); empty for RTU.
    std::string host_;
    int port_ = 0;
    std::chrono::milliseconds connect_timeout_{1000};
};

}  // namespace cardd::daemon
