#pragma once
// The Unix control socket: JSON lines in, JSON lines out, one coroutine per
// connection, the caller identified by SO_PEERCRED (and, for the staff
// console, by the session its request carries: console_gate.hpp).

#include "daemon/async/asio.hpp"

#include <chrono>
#include <filesystem>
#include <memory>

#include "daemon/control/command_registry.hpp"
#include "daemon/control/console_gate.hpp"
#include "daemon/control/roles.hpp"

namespace cardd::daemon {

struct ControlLimits {
    std::size_t max_line = 1 << 20;          ///< longer lines get result 6 and the connection is closed
    std::chrono::milliseconds idle{30'000};  ///< no complete line for this long: closed
    std::string socket_group;                ///< chgrp the socket to this group (empty: leave it)
};

class ControlServer {
public:
    /// Binds `path` (replacing a stale socket file), mode 0660.
    ControlServer(boost::asio::io_context& io, const std::filesystem::path& path, const CommandRegistry& registry,
                  RoleGroups groups, ControlLimits limits = {});
    ~ControlServer();

    void start();
    void stop();
    void set_groups(RoleGroups groups) { groups_ = std::move(groups); }
    /// Who the staff console's requests speak for (none: the console is
    /// treated as any other caller); `gate` outlives the server.
    void set_console(ConsoleGate& gate) { console_ = &gate; }

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::local::stream_protocol::socket socket);

    boost::asio::io_context& io_;
    std::filesystem::path path_;
    const CommandRegistry& registry_;
    RoleGroups groups_;
    ControlLimits limits_;
    boost::asio::local::stream_protocol::acceptor acceptor_;
    ConsoleGate* console_ = nullptr;
};

}  // namespace cardd::daemon
