#include "tests/daemon/terminal/sim_link.hpp"

#include <memory>
#include <string>

#include "protocol/registers.hpp"
#include "protocol/wire_cost.hpp"

namespace cardd::daemon::test {

namespace {

LinkError exception_error(termsim::ModbusException exception) {
    const int code = static_cast<int>(exception);
    return {LinkError::Kind::modbus_exception, "exception " + std::string(termsim::to_string(exception)), code};
}

}  // namespace

LinkResult<std::vector<std::uint16_t>> SimLink::read_registers(std::uint16_t address, std::uint16_t count) {
    ++requests;
    if (down) return link_fail(*down, "terminal down");
    auto regs = terminal_.read_registers(address, count);
    if (!regs) return std::unexpected(exception_error(regs.error()));
    if (tamper) tamper(address, *regs);
    return std::move(*regs);
}

LinkResult<void> SimLink::write_registers(std::uint16_t address, std::span<const std::uint16_t> values) {
    ++requests;
    if (down) return link_fail(*down, "terminal down");
    auto done = terminal_.write_registers(address, values);
    if (!done) return std::unexpected(exception_error(done.error()));
    return {};
}

LinkResult<std::vector<std::uint16_t>> SimLink::write_and_read_registers(std::uint16_t write_address,
                                                                         std::span<const std::uint16_t> values,
                                                                         std::uint16_t read_address,
                                                                         std::uint16_t read_count) {
    ++requests;
    if (down) return link_fail(*down, "terminal down");
    std::optional<protocol::Command> command;
    if (write_address == protocol::mailbox::block.address) {
        if (auto decoded = protocol::decode_command(values)) command = std::move(*decoded);
    }
    if (command && intercept) {
        if (auto status = intercept(*command)) {
            // Answer as the terminal would have: the registers asked for,
            // with this status and the command's tag at 0x000E and 0x000F.
            auto regs = terminal_.read_registers(read_address, read_count);
            if (!regs) return std::unexpected(exception_error(regs.error()));
            for (std::size_t i = 0; i < regs->size(); ++i) {
                const auto address = static_cast<std::uint16_t>(read_address + i);
                if (address == protocol::state::last_status.address) (*regs)[i] = protocol::raw(*status);
                if (address == protocol::state::last_tag.address) (*regs)[i] = command->tag;
            }
            return std::move(*regs);
        }
    }
    auto regs = terminal_.write_read(write_address, values, read_address, read_count);
    if (!regs) return std::unexpected(exception_error(regs.error()));
    if (command) {
        delivered.push_back(*command);
        answered.push_back(terminal_.state().last_status);
        if (after_command) after_command(*command);
        if (lose_answer && lose_answer(*command)) return link_fail(LinkError::Kind::timeout, "answer lost");
    }
    if (tamper) tamper(read_address, *regs);
    return std::move(*regs);
}

std::vector<protocol::Opcode> SimLink::opcodes() const {
    std::vector<protocol::Opcode> result;
    for (const auto& command : delivered) result.push_back(command.opcode);
    return result;
}

std::function<bool(const protocol::Command&)> first_n(protocol::Opcode opcode, int n) {
    auto left = std::make_shared<int>(n);
    return [opcode, left](const protocol::Command& command) {
        if (command.opcode != opcode || *left <= 0) return false;
        --*left;
        return true;
    };
}

}  // namespace cardd::daemon::test
