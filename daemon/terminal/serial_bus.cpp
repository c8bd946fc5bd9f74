#include "daemon/terminal/serial_bus.hpp"

#include <thread>
#include <utility>

#include "protocol/wire_cost.hpp"

namespace cardd::daemon {

LinkResult<std::shared_ptr<SerialBus>> SerialBus::create(std::string device, int baud, char parity,
                                                         LinkOptions options) {
    auto ctx = ModbusContext::rtu(device, baud, parity);
    if (!ctx) return located(LinkResult<std::shared_ptr<SerialBus>>(std::unexpected(ctx.error())), device);
    ctx->set_response_timeout(options.response_timeout);
    return std::shared_ptr<SerialBus>(new SerialBus(std::move(device), baud, parity, options, std::move(*ctx)));
}

SerialBus::SerialBus(std::string device, int baud, char parity, LinkOptions options, ModbusContext ctx)
    : device_(std::move(device)),
      baud_(baud),
      parity_(parity),
      options_(options),
      ctx_(std::move(ctx)),
      // 11 bits a character (8E1, 8O1; 8N1 is shorter, so this is safe).
      frame_gap_(baud > 0 ? protocol::rtu_silent_interval(static_cast<std::uint32_t>(baud), 11)
                          : std::chrono::microseconds(1750)) {}

template <class Op>
auto SerialBus::transact(int unit, Op op) -> decltype(op(std::declval<ModbusContext&>())) {
    using Result = decltype(op(std::declval<ModbusContext&>()));
    const std::string where = device_ + " unit " + std::to_string(unit);
    std::lock_guard lock(mutex_);
    if (auto connected = ctx_.ensure_connected(); !connected) {
        return located(Result(std::unexpected(connected.error())), where);
    }
    // The slave id lives in the shared context, so it is set under the lock,
    // for every request: the previous request may have been another unit's.
    if (auto set = ctx_.set_unit(unit); !set) return located(Result(std::unexpected(set.error())), where);
    std::this_thread::sleep_until(line_free_at_);
    Result result = op(ctx_);
    line_free_at_ = std::chrono::steady_clock::now() + frame_gap_;
    if (!result) {
        switch (result.error().kind) {
            case LinkError::Kind::timeout:
            case LinkError::Kind::garbage:
                // Never leave a half-read or late frame for the next request: let
                // the line go quiet, then drop whatever arrived.
                std::this_thread::sleep_for(options_.serial_quiet_time);
                ctx_.flush();
                break;
            case LinkError::Kind::modbus_exception: break;  // a whole frame; the bus is in step
            default: ctx_.close(); break;                   // the port failed: reopen on the next request
        }
    }
    return located(std::move(result), where);
}

LinkResult<std::vector<std::uint16_t>> SerialBus::read_registers(int unit, std::uint16_t address, std::uint16_t count) {
    return transact(unit, [&](ModbusContext& ctx) { return ctx.read_registers(address, count); });
}

LinkResult<void> SerialBus::write_registers(int unit, std::uint16_t address, std::span<const std::uint16_t> values) {
    return transact(unit, [&](ModbusContext& ctx) { return ctx.write_registers(address, values); });
}

LinkResult<std::vector<std::uint16_t>> SerialBus::write_and_read_registers(int unit, std::uint16_t write_address,
                                                                           std::span<const std::uint16_t> values,
                                                                           std::uint16_t read_address,
                                                                           std::uint16_t read_count) {
    return transact(unit, [&](ModbusContext& ctx) {
        return ctx.write_and_read_registers(write_address, values, read_address, read_count);
    });
}

LinkResult<std::vector<std::uint16_t>> RtuLink::read_registers(std::uint16_t address, std::uint16_t count) {
    return bus_->read_registers(unit_, address, count);
}

LinkResult<void> RtuLink::write_registers(std::uint16_t address, std::span<const std::uint16_t> values) {
    return bus_->write_registers(unit_, address, values);
}

LinkResult<std::vector<std::uint16_t>> RtuLink::write_and_read_registers(std::uint16_t write_address,
                                                                         std::span<const std::uint16_t> values,
                                                                         std::uint16_t read_address,
                                                                         std::uint16_t read_count) {
    return bus_->write_and_read_registers(unit_, write_address, values, read_address, read_count);
}

}  // namespace cardd::daemon
