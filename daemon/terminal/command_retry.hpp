#pragma once
// Running a blacklist command (or a state read in the middle of a run) so
// that a lost answer does not fail the run.
//
// CT-1 makes every blacklist command safe to repeat: ADD and REMOVE answer
// OK_ALREADY when the terminal is at the new version already, a chunk
// received before answers OK_ALREADY, a repeated successful commit
// OK_ALREADY, and FULL_BEGIN or FULL_ABORT just start or drop staging again.
// So after a timeout, a garbled answer or a stale tag, the same command is
// simply sent again.

#include <string_view>

#include "daemon/terminal/terminal_client.hpp"
#include "daemon/terminal/terminal_link.hpp"
#include "protocol/command.hpp"
#include "protocol/status.hpp"

namespace cardd::daemon {

/// Tries a command this many times in all before giving up on the link.
inline constexpr int command_attempts = 3;

/// Executes `command`, sending it again after a timeout, a garbled answer or
/// a protocol error (a stale tag), up to `command_attempts` times. I/O errors
/// (connection refused or broken) and Modbus exceptions are returned at once:
/// repeating would not change them.
LinkResult<protocol::Status> execute_with_retry(TerminalClient& client, const protocol::Command& command);

/// As execute_with_retry, with the confirmation window read back (execute_confirmed).
LinkResult<ConfirmedAnswer> execute_confirmed_with_retry(TerminalClient& client, const protocol::Command& command);

/// Reads the state block, again after a timeout, a garbled answer or a
/// protocol error, up to `command_attempts` times. For reads in the middle of
/// a run, where the terminal has just answered; a first contact is read once,
/// so a terminal that is down holds its bus for one timeout only.
LinkResult<protocol::TerminalState> read_state_with_retry(TerminalClient& client);

/// A status other than OK or OK_ALREADY as a link error: BUSY is `busy`,
/// CAPACITY `capacity`, anything else `protocol`, with a message naming the
/// command and the status.
LinkError status_error(const protocol::Command& command, protocol::Status status, std::string_view context = {});

}  // namespace cardd::daemon
