#pragma once
// A card-termsim process: the terminals (with their flash files), the
// transport that serves them and the control socket, on one event loop.

#include <memory>
#include <string>
#include <vector>

#include "tools/termsim/accept_fault_report.hpp"
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
    /// Serves until SIGINT or SIGTERM; returns the signal number. The
    /// --stats-file is written once more before it returns.
    int run();

private:
    std::filesystem::path state_path(std::size_t index, std::uint32_t serial) const;
    /// Writes the --stats-file when the counts moved since the last write (or `always`).
    void write_stats(bool always);
    void schedule_stats();

    Options options_;
    EventLoop loop_;
    AcceptFaultReport accept_faults_;  // before the listeners that report to it
    std::vector<std::unique_ptr<Station>> stations_;
    std::unique_ptr<TcpTransport> tcp_;
    std::unique_ptr<RtuTransport> rtu_;
    std::unique_ptr<ControlServer> control_;
    std::uint64_t stats_written_ = 0;  // requests counted at the last --stats-file write
};

}  // namespace cardd::termsim
