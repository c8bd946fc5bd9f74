#pragma once
// CT-1 over a TerminalLink: the state block, commands and transaction
// records, each in as few round trips as the specification allows.

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/terminal/terminal_link.hpp"
#include "protocol/command.hpp"
#include "protocol/confirmation.hpp"
#include "protocol/record.hpp"
#include "protocol/state_block.hpp"
#include "protocol/status.hpp"

namespace cardd::daemon {

/// What one read of 0x0000..0x0027 tells: the state block and the model name.
struct TerminalInfo {
    protocol::TerminalState state;
    std::string model;  ///< printable ASCII; a byte outside it shows as '?'
};

/// A command's status and what the terminal enforces after it, from one 0x17.
struct ConfirmedAnswer {
    protocol::Status status = protocol::Status::ok;
    protocol::Confirmation seen;
};

/// Talks CT-1 to one terminal. Blocking; one caller at a time. The link must
/// outlive the client.
class TerminalClient {
public:
    /// Tags start at a random value, so an answer left over from an earlier
    /// client (a late frame) is unlikely to carry the tag this one expects.
    explicit TerminalClient(TerminalLink& link);
    /// Tags start at `first_tag` (tests).
    TerminalClient(TerminalLink& link, std::uint16_t first_tag) : link_(link), next_tag_(first_tag) {}

    /// One read of the state block (0x0000..0x001F), what a sync or a
    /// collection needs. A wrong magic or protocol version, serial 0 or a
    /// short answer is a `garbage` error.
    LinkResult<protocol::TerminalState> read_state();
    /// The state block and the model name after it in one read, for people;
    /// errors as read_state.
    LinkResult<TerminalInfo> read_info();

    /// Runs one command with one 0x17: the command written at 0x0100, status
    /// and tag read back from 0x000E. The command's tag is replaced by the
    /// client's next one; an answer with another tag is a stale answer (a
    /// `protocol` error), and so is a status CT-1 does not define. Throws
    /// std::length_error for a command longer than a 0x17 write (more than 76
    /// entries or 228 bitmap bytes): a caller bug.
    LinkResult<protocol::Status> execute(const protocol::Command& command);

    /// As execute(), reading back the whole confirmation window
    /// (0x0006..0x001A) instead of status and tag alone: the version, count
    /// and checksum the command left, so a delta is confirmed in the round
    /// trip that sends it.
    LinkResult<ConfirmedAnswer> execute_confirmed(const protocol::Command& command);

    /// One 0x17: writes `cursor` at 0x0200 and reads the window from 0x0202.
    /// Returns up to 10 consecutive records at or after the cursor (none when
    /// the terminal holds none there); a record before the cursor is a
    /// `protocol` error, a malformed window `garbage`. The first seq is the
    /// cursor unless the cursor is below the oldest record held.
    LinkResult<std::vector<protocol::TransactionRecord>> read_records(std::uint32_t cursor);

    /// SET_CLOCK, Unix seconds.
    LinkResult<protocol::Status> set_clock(std::uint32_t unix_seconds);
    /// RECORDS_ACK: records below `seq` may be dropped.
    LinkResult<protocol::Status> ack_records(std::uint32_t seq);

    /// The tag the next command will carry.
    std::uint16_t next_tag() const noexcept { return next_tag_; }

private:
    /// Tags the command, writes it with one 0x17 reading `read_count`
    /// registers from `read_address`, and checks the answer's length.
    LinkResult<std::vector<std::uint16_t>> send_command(const protocol::Command& command, std::uint16_t& tag,
                                                        std::uint16_t read_address, std::uint16_t read_count);

    TerminalLink& link_;
    std::uint16_t next_tag_;
};

}  // namespace cardd::daemon
