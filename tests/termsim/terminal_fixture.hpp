#pragma once
// A Terminal with a fake clock, and shorthand for running commands through
// its registers exactly as a Modbus master would.

#include <cstdint>
#include <span>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/command.hpp"
#include "protocol/registers.hpp"
#include "protocol/state_block.hpp"
#include "protocol/status.hpp"
#include "tools/termsim/terminal.hpp"

namespace cardd::termsim::test {

using Regs = std::vector<std::uint16_t>;
using Cards = std::vector<std::uint32_t>;
using protocol::Status;

inline constexpr std::int64_t fake_epoch = 1'700'000'000;

class TerminalFixture : public ::testing::Test {
protected:
    /// A terminal like the conformance check's: serial 7, capacity 100,
    /// bitmap limit 500000.
    static TerminalConfig default_config() {
        TerminalConfig config;
        config.serial = 7;
        config.firmware = 0x0102;
        config.capacity = 100;
        config.bitmap_limit = 500000;
        config.model = "CT-SIM";
        return config;
    }

    explicit TerminalFixture(TerminalConfig config = default_config())
        : terminal_(std::move(config), [this] { return now_; }) {}

    /// Writes the command with 0x10 and returns the status register.
    Status run(const protocol::Command& command) { return run_regs(protocol::encode_command(command)); }

    Status run_regs(const Regs& regs) {
        const auto done = terminal_.write_registers(protocol::mailbox::block.address, regs);
        EXPECT_TRUE(done.has_value()) << "mailbox write refused with exception " << int(done.error());
        return terminal_.state().last_status;
    }

    protocol::TerminalState state() const { return terminal_.state(); }
    Cards list() const { return terminal_.blacklist().cards(); }

    std::int64_t now_ = fake_epoch;
    Terminal terminal_;
};

}  // namespace cardd::termsim::test
