#pragma once
// A TerminalLink onto card-termsim's pure Terminal, in-process: the real CT-1
// state machine without sockets, plus hooks that play a lossy line.

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "daemon/terminal/terminal_link.hpp"
#include "protocol/command.hpp"
#include "protocol/status.hpp"
#include "tools/termsim/terminal.hpp"

namespace cardd::daemon::test {

class SimLink final : public TerminalLink {
public:
    explicit SimLink(termsim::Terminal& terminal) : terminal_(terminal) {}

    LinkResult<std::vector<std::uint16_t>> read_registers(std::uint16_t address, std::uint16_t count) override;
    LinkResult<void> write_registers(std::uint16_t address, std::span<const std::uint16_t> values) override;
    LinkResult<std::vector<std::uint16_t>> write_and_read_registers(std::uint16_t write_address,
                                                                    std::span<const std::uint16_t> values,
                                                                    std::uint16_t read_address,
                                                                    std::uint16_t read_count) override;

    /// Every command the terminal ran, in order (a lost answer's too).
    std::vector<protocol::Command> delivered;
    /// The status the terminal left for each of them.
    std::vector<protocol::Status> answered;
    /// Requests of any kind that reached the link.
    int requests = 0;

    /// While set, every request fails with this kind and never reaches the terminal.
    std::optional<LinkError::Kind> down;
    /// Called for each command before the terminal sees it: a status keeps the
    /// command from the terminal and is answered instead (a lying terminal).
    std::function<std::optional<protocol::Status>(const protocol::Command&)> intercept;
    /// Called after the terminal ran a command: true loses its answer (timeout).
    std::function<bool(const protocol::Command&)> lose_answer;
    /// Called after the terminal ran a command, to change the world around it.
    std::function<void(const protocol::Command&)> after_command;
    /// Rewrites the registers read back, before the client sees them.
    std::function<void(std::uint16_t read_address, std::vector<std::uint16_t>& regs)> tamper;

    /// The opcodes of `delivered`, for short assertions.
    std::vector<protocol::Opcode> opcodes() const;

private:
    termsim::Terminal& terminal_;
};

/// A predicate true for the first `n` calls matching `opcode`.
std::function<bool(const protocol::Command&)> first_n(protocol::Opcode opcode, int n);

}  // namespace cardd::daemon::test
