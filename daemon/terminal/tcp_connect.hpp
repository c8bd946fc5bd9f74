#pragma once
// Opening a terminal's TCP connection without select().
//
// libmodbus 3.1.6 waits on its sockets with select(), whose fd_set holds
// descriptors below FD_SETSIZE (1024) only; a larger one aborts the process
// (glibc's fortified FD_SET). cardd opens the socket itself, waits for the
// connect with poll(), and hands libmodbus only descriptors that select()
// can watch, so a busy daemon gets an error for one terminal instead of a
// SIGABRT for all of them. The connection budget (connection_budget.hpp)
// keeps the number of open links well below that limit.

#include <chrono>
#include <string>

#include "daemon/terminal/terminal_link.hpp"

namespace cardd::daemon {

/// Whether libmodbus may be given `fd`: select() can watch it.
bool selectable_descriptor(int fd) noexcept;

/// Resolves host and port, connects a non-blocking TCP socket (with
/// TCP_NODELAY, as libmodbus sets it) within `timeout`, and returns its
/// descriptor, which the caller owns. Errors are io (refused, unreachable,
/// unresolvable, or a descriptor select() cannot watch) or timeout.
LinkResult<int> connect_tcp(const std::string& host, int port, std::chrono::milliseconds timeout);

}  // namespace cardd::daemon
