#pragma once
// A card-termsim process: the terminals (with their flash files), the
// transport that serves them and the control socket, on one event loop.

#include <memory>
#include <string>
#include <vector>

#include "tools/termsim/control_server.hpp"
#include "tools/termsim/event_loop.hpp"
#include "tools/termsim/options.hpp"
#include "tools/termsim/rtu_transport.hpp"
#include "tools/termsim/station.hpp"
#include "tools/termsim/tcp_transport.hpp"

namespace cardd::termsim {

class Simulator {
public:
    /// Loads saved state, binds every port and socket. Throws on failure.
    explicit Simulator(const Options& options);

    /// The "ready" line printed once everything listens.
    std::string ready_line() const;
    /// Serves until SIGINT or SIGTERM; returns the signal number.
    int run() { return loop_.run(); }

private:
    std::filesystem::path state_path(std::size_t index, std::uint32_t serial) const;

    Options options_;
    EventLoop loop_;
    std::vector<std::unique_ptr<Station>> stations_;
    std::unique_ptr<TcpTransport> tcp_;
    std::unique_ptr<RtuTransport> rtu_;
    std::unique_ptr<ControlServer> control_;
};

}  // namespace cardd::termsim
