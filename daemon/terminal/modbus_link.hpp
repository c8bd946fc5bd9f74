#pragma once
// TerminalLink on libmodbus: turns a terminal's address into a link, Modbus
// TCP (one connection per terminal, tcp_link.hpp) or Modbus RTU (terminals
// registered on the same serial device share one SerialBus: one open port,
// one request at a time, their unit ids told apart; serial_bus.hpp).

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "daemon/terminal/connection_budget.hpp"
#include "daemon/terminal/modbus_context.hpp"
#include "daemon/terminal/serial_bus.hpp"
#include "daemon/terminal/tcp_link.hpp"
#include "daemon/terminal/terminal_address.hpp"
#include "daemon/terminal/terminal_link.hpp"

namespace cardd::daemon {

class LinkFactory {
public:
    /// `max_tcp_connections`: the TCP connections its links keep open at
    /// once (connection_budget.hpp); 0 leaves them unbounded.
    explicit LinkFactory(LinkOptions options = {}, std::size_t max_tcp_connections = 0)
        : options_(options),
          budget_(max_tcp_connections > 0 ? std::make_shared<ConnectionBudget>(max_tcp_connections) : nullptr) {}

    /// The budget of its TCP links; null when unbounded.
    const std::shared_ptr<ConnectionBudget>& budget() const noexcept { return budget_; }

    /// A new link to the terminal. Keep it while the terminal is in use:
    /// a TCP link holds its connection, an RTU link keeps its bus open (a bus
    /// is closed when its last link goes). Errors: a unit id outside 1..247, a
    /// TCP port outside 1..65535, serial settings libmodbus refuses, or a
    /// device already open with another baud rate or parity (one bus has one
    /// line speed). Thread-safe.
    LinkResult<std::shared_ptr<TerminalLink>> link_for(const TerminalAddress& terminal);

private:
    LinkResult<std::shared_ptr<SerialBus>> bus_for(const RtuAddress& address);

    std::mutex mutex_;
    LinkOptions options_;
    std::shared_ptr<ConnectionBudget> budget_;
    // Keyed by the device's canonical path, so two spellings of one port
    // (a /dev/serial/by-id link and /dev/ttyUSB0) are still one bus.
    std::map<std::string, std::weak_ptr<SerialBus>> buses_;
};

}  // namespace cardd::daemon
