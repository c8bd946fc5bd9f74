#pragma once
// A terminal on Modbus TCP: one libmodbus connection of its own.

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "daemon/terminal/connection_budget.hpp"
#include "daemon/terminal/modbus_context.hpp"
#include "daemon/terminal/terminal_link.hpp"

namespace cardd::daemon {

/// A terminal on Modbus TCP. Connects on first use; after a timeout, a
/// garbled answer or a broken connection it disconnects, and the next call
/// connects again (so a late answer dies with the old connection). With a
/// budget, its connection counts against it and may be closed while idle.
class TcpLink final : public TerminalLink, public ConnectionBudget::Holder {
public:
    /// A link to `unit` at host:port; connects on first use. Errors: a host
    /// libmodbus refuses.
    static LinkResult<std::shared_ptr<TcpLink>> create(const std::string& host, int port, int unit,
                                                       LinkOptions options = {},
                                                       std::shared_ptr<ConnectionBudget> budget = nullptr);
    ~TcpLink();
    TcpLink(const TcpLink&) = delete;
    TcpLink& operator=(const TcpLink&) = delete;

    LinkResult<std::vector<std::uint16_t>> read_registers(std::uint16_t address, std::uint16_t count) override;
    LinkResult<void> write_registers(std::uint16_t address, std::span<const std::uint16_t> values) override;
    LinkResult<std::vector<std::uint16_t>> write_and_read_registers(std::uint16_t write_address,
                                                                    std::span<const std::uint16_t> values,
                                                                    std::uint16_t read_address,
                                                                    std::uint16_t read_count) override;

    bool close_if_idle() noexcept override;

private:
    TcpLink(std::string where, int unit, ModbusContext ctx, std::shared_ptr<ConnectionBudget> budget);

    template <class Op>
    auto request(Op op) -> decltype(op(std::declval<ModbusContext&>()));

    std::mutex mutex_;   // the interface asks for one caller at a time; this makes a slip harmless
    std::string where_;  // "host:port unit N", the prefix of error messages
    int unit_;
    ModbusContext ctx_;
    std::shared_ptr<ConnectionBudget> budget_;  // null: unbounded
};

}  // namespace cardd::daemon
