#include "tests/termsim/modbus_client.hpp"

#include <cerrno>
#include <stdexcept>

#include "protocol/registers.hpp"

namespace cardd::termsim::test {

namespace p = cardd::protocol;
using namespace std::chrono_literals;

ModbusClient ModbusClient::tcp(std::uint16_t port) {
    ModbusPtr ctx(modbus_new_tcp("127.0.0.1", port));
    if (!ctx || modbus_connect(ctx.get()) != 0) {
        throw std::runtime_error("cannot connect to 127.0.0.1:" + std::to_string(port) + ": " + modbus_strerror(errno));
    }
    ModbusClient client(std::move(ctx), false);
    client.set_timeout(2000ms);
    return client;
}

ModbusClient ModbusClient::rtu(const std::string& device, int unit, int baud, char parity) {
    ModbusPtr ctx(modbus_new_rtu(device.c_str(), baud, parity, 8, 1));
    if (!ctx || modbus_connect(ctx.get()) != 0) {
        throw std::runtime_error("cannot open " + device + ": " + modbus_strerror(errno));
    }
    ModbusClient client(std::move(ctx), true);
    client.set_unit(unit);
    client.set_timeout(2000ms);
    return client;
}

void ModbusClient::set_unit(int unit) {
    unit_ = unit;
    modbus_set_slave(ctx_.get(), unit);
}

void ModbusClient::set_timeout(std::chrono::milliseconds timeout) {
    const auto ms = static_cast<std::uint32_t>(timeout.count());
    modbus_set_response_timeout(ctx_.get(), ms / 1000, (ms % 1000) * 1000);
}

std::expected<Regs, int> ModbusClient::read(std::uint16_t address, std::uint16_t count) {
    Regs out(count);
    if (modbus_read_registers(ctx_.get(), address, count, out.data()) != count) return std::unexpected(errno);
    return out;
}

std::expected<void, int> ModbusClient::write(std::uint16_t address, const Regs& values) {
    if (modbus_write_registers(ctx_.get(), address, static_cast<int>(values.size()), values.data()) !=
        static_cast<int>(values.size())) {
        return std::unexpected(errno);
    }
    return {};
}

std::expected<Regs, int> ModbusClient::write_read(std::uint16_t write_address, const Regs& values,
                                                  std::uint16_t read_address, std::uint16_t read_count) {
    Regs out(read_count);
    if (modbus_write_and_read_registers(ctx_.get(), write_address, static_cast<int>(values.size()), values.data(),
                                        read_address, read_count, out.data()) != read_count) {
        return std::unexpected(errno);
    }
    return out;
}

std::expected<Bytes, int> ModbusClient::raw(const Bytes& pdu) {
    Bytes request{static_cast<std::uint8_t>(unit_)};
    request.insert(request.end(), pdu.begin(), pdu.end());
    if (modbus_send_raw_request(ctx_.get(), request.data(), static_cast<int>(request.size())) < 0) {
        return std::unexpected(errno);
    }
    std::uint8_t response[MODBUS_TCP_MAX_ADU_LENGTH];
    const int length = modbus_receive_confirmation(ctx_.get(), response);
    if (length < 0) return std::unexpected(errno);
    const int header = modbus_get_header_length(ctx_.get());
    const int trailer = rtu_ ? 2 : 0;
    return Bytes(response + header, response + length - trailer);
}

std::expected<std::pair<p::Status, std::uint16_t>, int> ModbusClient::command(const p::Command& command) {
    const auto regs =
        write_read(p::mailbox::block.address, p::encode_command(command), p::state::last_status.address, 2);
    if (!regs) return std::unexpected(regs.error());
    return std::make_pair(static_cast<p::Status>((*regs)[0]), (*regs)[1]);
}

std::expected<p::Status, int> ModbusClient::command_with_0x10(const p::Command& command) {
    if (auto done = write(p::mailbox::block.address, p::encode_command(command)); !done) {
        return std::unexpected(done.error());
    }
    const auto regs = read(p::state::last_status.address, 1);
    if (!regs) return std::unexpected(regs.error());
    return static_cast<p::Status>((*regs)[0]);
}

}  // namespace cardd::termsim::test
