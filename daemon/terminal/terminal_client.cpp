#include "daemon/terminal/terminal_client.hpp"

#include <random>
#include <span>
#include <stdexcept>

#include "protocol/registers.hpp"
#include "protocol/wire_cost.hpp"
#include "protocol/words.hpp"

namespace cardd::daemon {

namespace {

namespace reg = protocol;

// One read covers the state block and the model name right after it.
constexpr std::uint16_t state_read_count = reg::model_name::block.end() - reg::state::block.address;
static_assert(state_read_count == 40);

std::uint16_t random_tag() {
    std::random_device device;
    return static_cast<std::uint16_t>(device());
}

// The model name is shown to people only; a terminal that pads it with
// something other than NUL still gets its blacklist.
std::string lenient_model_name(std::span<const std::uint16_t> regs) {
    if (auto name = protocol::decode_model_name(regs)) return *name;
    std::string name;
    for (const std::uint16_t word : regs) {
        for (const auto byte : {static_cast<unsigned char>(word >> 8), static_cast<unsigned char>(word & 0xFF)}) {
            if (byte == 0) return name;
            name.push_back(byte >= 0x20 && byte <= 0x7E ? static_cast<char>(byte) : '?');
        }
    }
    return name;
}

}  // namespace

TerminalClient::TerminalClient(TerminalLink& link) : TerminalClient(link, random_tag()) {}

LinkResult<TerminalInfo> TerminalClient::read_state() {
    auto regs = link_.read_registers(reg::state::block.address, state_read_count);
    if (!regs) return std::unexpected(std::move(regs.error()));
    if (regs->size() != state_read_count) {
        return link_fail(LinkError::Kind::garbage, "state block read returned " + std::to_string(regs->size()) +
                                                       " registers, not " + std::to_string(state_read_count));
    }
    auto state = protocol::decode_state_block(*regs);
    if (!state) return link_fail(LinkError::Kind::garbage, "not a CT-1 terminal: " + state.error().message);
    const auto name =
        std::span<const std::uint16_t>(*regs).subspan(reg::model_name::block.address, reg::model_name::block.count);
    return TerminalInfo{*state, lenient_model_name(name)};
}

LinkResult<protocol::Status> TerminalClient::execute(const protocol::Command& command) {
    protocol::Command tagged = command;
    tagged.tag = next_tag_++;
    const std::vector<std::uint16_t> regs = protocol::encode_command(tagged);
    if (regs.size() > reg::max_command_registers(reg::WriteFunction::read_write_multiple)) {
        throw std::length_error(std::string(protocol::to_string(command.opcode)) + " of " +
                                std::to_string(regs.size()) + " registers is longer than a 0x17 write");
    }
    static_assert(reg::state::last_tag.address == reg::state::last_status.address + 1);
    auto answer = link_.write_and_read_registers(reg::mailbox::block.address, regs, reg::state::last_status.address,
                                                 protocol::command_readback_registers);
    if (!answer) return std::unexpected(std::move(answer.error()));
    if (answer->size() != protocol::command_readback_registers) {
        return link_fail(LinkError::Kind::garbage,
                         "command answer has " + std::to_string(answer->size()) + " registers, not 2");
    }
    const auto status = static_cast<protocol::Status>((*answer)[0]);
    const std::uint16_t tag = (*answer)[1];
    // CT-1 sets status and tag before it answers, and the 0x17 read follows
    // its write; another tag means this answer belongs to another request.
    if (tag != tagged.tag) {
        return link_fail(LinkError::Kind::protocol, std::string(protocol::to_string(command.opcode)) +
                                                        ": answer carries tag " + std::to_string(tag) + ", sent " +
                                                        std::to_string(tagged.tag) + " (a stale answer)");
    }
    if (!protocol::is_known(status)) {
        return link_fail(LinkError::Kind::protocol, std::string(protocol::to_string(command.opcode)) + ": status " +
                                                        std::to_string((*answer)[0]) + " is not a CT-1 status");
    }
    return status;
}

LinkResult<std::vector<protocol::TransactionRecord>> TerminalClient::read_records(std::uint32_t cursor) {
    const auto cursor_regs = protocol::split_u32(cursor);
    auto answer = link_.write_and_read_registers(reg::records::cursor.address, cursor_regs, reg::records::count.address,
                                                 reg::records::max_window_registers);
    if (!answer) return std::unexpected(std::move(answer.error()));
    auto records = protocol::decode_records_window(*answer);
    if (!records) return link_fail(LinkError::Kind::garbage, "records window: " + records.error().message);
    // CT-1: the window holds "the records [cursor, cursor + k) that are held".
    // With the cursor below the oldest record held, a terminal may answer k = 0,
    // the held part of [cursor, cursor + 10), or records from its oldest on:
    // all of them are records at or after the cursor, which is what is
    // checked. A record before the cursor answers another question. The
    // unsigned difference follows a seq that wraps at 2^32.
    constexpr std::uint32_t half_range = 0x8000'0000u;
    if (!records->empty() && static_cast<std::uint32_t>(records->front().seq - cursor) >= half_range) {
        return link_fail(LinkError::Kind::protocol, "records window for cursor " + std::to_string(cursor) +
                                                        " starts at seq " + std::to_string(records->front().seq));
    }
    return std::move(*records);
}

LinkResult<protocol::Status> TerminalClient::set_clock(std::uint32_t unix_seconds) {
    return execute(protocol::make_set_clock(0, unix_seconds));
}

LinkResult<protocol::Status> TerminalClient::ack_records(std::uint32_t seq) {
    return execute(protocol::make_records_ack(0, seq));
}

}  // namespace cardd::daemon
