#pragma once
// Modbus TCP for any number of terminals on consecutive ports, all on one
// event loop. libmodbus opens each listening socket (modbus_tcp_pi_listen);
// accepted connections are framed by MbapFramer over non-blocking sockets.
// The unit id is not checked on TCP (the address names the terminal, as the
// Modbus TCP specification says) and is echoed in every answer.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tools/termsim/accept_fault_report.hpp"
#include "tools/termsim/acceptor.hpp"
#include "tools/termsim/event_loop.hpp"
#include "tools/termsim/mbap_framer.hpp"
#include "tools/termsim/modbus_handle.hpp"
#include "tools/termsim/station.hpp"
#include "tools/termsim/unique_fd.hpp"

namespace cardd::termsim {

class TcpTransport {
public:
    /// Listens for stations[i] on base_port + i (base_port 0 with one station:
    /// any free port). Throws std::runtime_error when a port cannot be bound.
    /// Failing accepts are said through `accept_faults`, which outlives this.
    TcpTransport(EventLoop& loop, std::vector<Station*> stations, const std::string& host, std::uint16_t base_port,
                 bool verbose, AcceptFaultReport& accept_faults);
    ~TcpTransport();
    TcpTransport(const TcpTransport&) = delete;
    TcpTransport& operator=(const TcpTransport&) = delete;

    /// The port station i listens on.
    std::uint16_t port(std::size_t i) const { return listeners_.at(i)->port; }

private:
    struct Listener {
        ModbusPtr context;  // holds the host and port libmodbus listened on
        UniqueFd fd;
        std::unique_ptr<Acceptor> acceptor;  // declared after fd: stops watching it before it closes
        Station* station = nullptr;
        std::uint16_t port = 0;
    };
    struct Connection {
        std::uint64_t id = 0;
        UniqueFd fd;
        EventLoop::WatchId watch = 0;
        Station* station = nullptr;
        MbapFramer framer;
        std::vector<std::uint8_t> out;
        bool want_write = false;      // EPOLLOUT is armed
        bool answer_pending = false;  // a delayed answer holds back later requests
        EventLoop::TimerId timer = 0;
    };

    void adopt(Station& station, UniqueFd socket);
    void on_readable(Connection& connection);
    void process(Connection& connection);
    void send(Connection& connection, std::vector<std::uint8_t> bytes);
    void flush(Connection& connection);
    void close(Connection& connection);

    EventLoop& loop_;
    bool verbose_;
    std::vector<std::unique_ptr<Listener>> listeners_;
    std::unordered_map<std::uint64_t, std::unique_ptr<Connection>> connections_;
    std::uint64_t next_connection_ = 1;
};

}  // namespace cardd::termsim
