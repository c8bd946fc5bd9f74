#include "daemon/terminal/modbus_context.hpp"

#include <cerrno>
#include <stdexcept>

#include <modbus/modbus.h>

#include "daemon/terminal/tcp_connect.hpp"

namespace cardd::daemon {

namespace {

void check_quantity(std::size_t count, std::size_t max, const char* what) {
    if (count == 0 || count > max) {
        throw std::length_error(std::string(what) + ": quantity " + std::to_string(count) + " is outside 1.." +
                                std::to_string(max));
    }
}

}  // namespace

LinkError link_error_from_errno(int err, std::string_view what) {
    std::string message = std::string(what) + ": " + modbus_strerror(err);
    if (err == ETIMEDOUT) return {LinkError::Kind::timeout, std::move(message)};
    // EMBXILFUN .. EMBXGTAR: a well-formed exception response, code = errno - MODBUS_ENOBASE.
    if (err >= EMBXILFUN && err <= EMBXGTAR) {
        return {LinkError::Kind::modbus_exception, std::move(message), err - MODBUS_ENOBASE};
    }
    switch (err) {
        case EMBBADCRC:
        case EMBBADDATA:
        case EMBBADEXC:
        case EMBUNKEXC:
        case EMBMDATA:
        case EMBBADSLAVE: return {LinkError::Kind::garbage, std::move(message)};
        default: return {LinkError::Kind::io, std::move(message)};
    }
}

void ModbusContext::Deleter::operator()(modbus_t* ctx) const noexcept {
    modbus_close(ctx);  // a no-op on a context that is not connected
    modbus_free(ctx);
}

LinkResult<ModbusContext> ModbusContext::tcp(const std::string& host, int port) {
    // The _pi variant resolves names ("localhost", "pos-3.canteen") through
    // getaddrinfo; modbus_new_tcp only takes a dotted IPv4 address.
    const std::string service = std::to_string(port);
    modbus_t* ctx = modbus_new_tcp_pi(host.c_str(), service.c_str());
    if (ctx == nullptr) return std::unexpected(link_error_from_errno(errno, "TCP host '" + host + "'"));
    ModbusContext made(ctx);
    made.host_ = host;
    made.port_ = port;
    return made;
}

LinkResult<ModbusContext> ModbusContext::rtu(const std::string& device, int baud, char parity) {
    modbus_t* ctx = modbus_new_rtu(device.c_str(), baud, parity, 8, 1);
    if (ctx == nullptr) {
        return std::unexpected(link_error_from_errno(errno, "serial port " + device + " settings"));
    }
    return ModbusContext(ctx);
}

void ModbusContext::set_response_timeout(std::chrono::milliseconds timeout) {
    const auto ms = timeout.count() < 1 ? 1 : timeout.count();
    // libmodbus bounds its own connect by the response timeout; so does cardd's.
    connect_timeout_ = std::chrono::milliseconds(ms);
    modbus_set_response_timeout(ctx_.get(), static_cast<std::uint32_t>(ms / 1000),
                                static_cast<std::uint32_t>((ms % 1000) * 1000));
}

LinkResult<void> ModbusContext::set_unit(int unit) {
    if (modbus_set_slave(ctx_.get(), unit) == -1) {
        return std::unexpected(link_error_from_errno(errno, "unit id " + std::to_string(unit)));
    }
    return {};
}

LinkResult<void> ModbusContext::ensure_connected() {
    if (connected_) return {};
    if (!host_.empty()) {
        auto fd = connect_tcp(host_, port_, connect_timeout_);
        if (!fd) return std::unexpected(fd.error());
        modbus_set_socket(ctx_.get(), *fd);
        connected_ = true;
        return {};
    }
    if (modbus_connect(ctx_.get()) == -1) {
        const int err = errno;
        // A refused or timed-out connect leaves a socket behind in libmodbus.
        modbus_close(ctx_.get());
        return std::unexpected(link_error_from_errno(err, "connect"));
    }
    if (const int fd = modbus_get_socket(ctx_.get()); !selectable_descriptor(fd)) {
        modbus_close(ctx_.get());
        return link_fail(LinkError::Kind::io,
                         "open: descriptor " + std::to_string(fd) + " is past what libmodbus can wait on");
    }
    connected_ = true;
    return {};
}

void ModbusContext::close() noexcept {
    if (ctx_ != nullptr) modbus_close(ctx_.get());
    connected_ = false;
}

void ModbusContext::flush() noexcept {
    if (ctx_ != nullptr && connected_) modbus_flush(ctx_.get());
}

LinkResult<std::vector<std::uint16_t>> ModbusContext::read_registers(std::uint16_t address, std::uint16_t count) {
    check_quantity(count, MODBUS_MAX_READ_REGISTERS, "read holding registers");
    std::vector<std::uint16_t> regs(count);
    if (modbus_read_registers(ctx_.get(), address, count, regs.data()) == -1) {
        return std::unexpected(link_error_from_errno(errno, "read holding registers"));
    }
    return regs;
}

LinkResult<void> ModbusContext::write_registers(std::uint16_t address, std::span<const std::uint16_t> values) {
    check_quantity(values.size(), MODBUS_MAX_WRITE_REGISTERS, "write multiple registers");
    if (modbus_write_registers(ctx_.get(), address, static_cast<int>(values.size()), values.data()) == -1) {
        return std::unexpected(link_error_from_errno(errno, "write multiple registers"));
    }
    return {};
}

LinkResult<std::vector<std::uint16_t>> ModbusContext::write_and_read_registers(std::uint16_t write_address,
                                                                               std::span<const std::uint16_t> values,
                                                                               std::uint16_t read_address,
                                                                               std::uint16_t read_count) {
    check_quantity(values.size(), MODBUS_MAX_WR_WRITE_REGISTERS, "read/write multiple registers (write)");
    check_quantity(read_count, MODBUS_MAX_WR_READ_REGISTERS, "read/write multiple registers (read)");
    std::vector<std::uint16_t> regs(read_count);
    if (modbus_write_and_read_registers(ctx_.get(), write_address, static_cast<int>(values.size()), values.data(),
                                        read_address, read_count, regs.data()) == -1) {
        return std::unexpected(link_error_from_errno(errno, "read/write multiple registers"));
    }
    return regs;
}

}  // namespace cardd::daemon
