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

// The model name right after the state block is read only for people: on
// a bus at 9600 baud its 16 bytes cost 18 ms at every sync and collection.
constexpr std::uint16_t state_read_count = reg::state::block.count;
constexpr std::uint16_t info_read_count = reg::model_name::block.end() - reg::state::block.address;
static_assert(state_read_count == 32 && info_read_count == 40);

// Seeded once per thread: a client is made for every job, and reading the
// kernel's entropy for each would cost a system call per terminal per push.
std::uint16_t random_tag() {
    thread_local std::minstd_rand engine(std::random_device{}());
    return static_cast<std::uint16_t>(engine());
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

namespace {

LinkResult<std::vector<std::uint16_t>> read_from_start(TerminalLink& link, std::uint16_t count) {
    auto regs = link.read_registers(reg::state::block.address, count);
    if (!regs) return std::unexpected(std::move(regs.error()));
    if (regs->size() != count) {
        return link_fail(LinkError::Kind::garbage, "state block read returned " + std::to_string(regs->size()) +
                                                       " registers, not " + std::to_string(count));
    }
    return regs;
}

LinkResult<protocol::TerminalState> decoded_state(std::span<const std::uint16_t> regs) {
    auto state = protocol::decode_state_block(regs);
    if (!state) return link_fail(LinkError::Kind::garbage, "not a CT-1 terminal: " + state.error().message);
    return *state;
}

}  // namespace

LinkResult<protocol::TerminalState> TerminalClient::read_state() {
    auto regs = read_from_start(link_, state_read_count);
    if (!regs) return std::unexpected(std::move(regs.error()));
    return decoded_state(*regs);
}

LinkResult<TerminalInfo> TerminalClient::read_info() {
    auto regs = read_from_start(link_, info_read_count);
    if (!regs) return std::unexpected(std::move(regs.error()));
    auto state = decoded_state(*regs);
    if (!state) return std::unexpected(std::move(state.error()));
    const auto name =
        std::span<const std::uint16_t>(*regs).subspan(reg::model_name::block.address, reg::model_name::block.count);
    return TerminalInfo{*state, lenient_model_name(name)};
}

namespace {

// CT-1 sets status and tag before it answers, and the 0x17 read follows its
// write; another tag means this answer belongs to another request.
LinkResult<protocol::Status> checked_status(const protocol::Command& command, std::uint16_t sent_tag,
                                            std::uint16_t raw_status, std::uint16_t tag) {
    if (tag != sent_tag) {
        return link_fail(LinkError::Kind::protocol, std::string(protocol::to_string(command.opcode)) +
                                                        ": answer carries tag " + std::to_string(tag) + ", sent " +
                                                        std::to_string(sent_tag) + " (a stale answer)");
    }
    const auto status = static_cast<protocol::Status>(raw_status);
    if (!protocol::is_known(status)) {
        return link_fail(LinkError::Kind::protocol, std::string(protocol::to_string(command.opcode)) + ": status " +
                                                        std::to_string(raw_status) + " is not a CT-1 status");
    }
    return status;
}

}  // namespace

LinkResult<std::vector<std::uint16_t>> TerminalClient::send_command(const protocol::Command& command,
                                                                    std::uint16_t& tag, std::uint16_t read_address,
                                                                    std::uint16_t read_count) {
    protocol::Command tagged = command;
    tagged.tag = next_tag_++;
    tag = tagged.tag;
    const std::vector<std::uint16_t> regs = protocol::encode_command(tagged);
    if (regs.size() > reg::max_command_registers(reg::WriteFunction::read_write_multiple)) {
        throw std::length_error(std::string(protocol::to_string(command.opcode)) + " of " +
                                std::to_string(regs.size()) + " registers is longer than a 0x17 write");
    }
    auto answer = link_.write_and_read_registers(reg::mailbox::block.address, regs, read_address, read_count);
    if (!answer) return std::unexpected(std::move(answer.error()));
    if (answer->size() != read_count) {
        return link_fail(LinkError::Kind::garbage, "command answer has " + std::to_string(answer->size()) +
                                                       " registers, not " + std::to_string(read_count));
    }
    return answer;
}

LinkResult<protocol::Status> TerminalClient::execute(const protocol::Command& command) {
    static_assert(reg::state::last_tag.address == reg::state::last_status.address + 1);
    std::uint16_t tag = 0;
    auto answer = send_command(command, tag, reg::state::last_status.address, protocol::command_readback_registers);
    if (!answer) return std::unexpected(std::move(answer.error()));
    return checked_status(command, tag, (*answer)[0], (*answer)[1]);
}

LinkResult<ConfirmedAnswer> TerminalClient::execute_confirmed(const protocol::Command& command) {
    std::uint16_t tag = 0;
    auto answer =
        send_command(command, tag, protocol::confirmation::window.address, protocol::confirmation::window.count);
    if (!answer) return std::unexpected(std::move(answer.error()));
    auto seen = protocol::decode_confirmation(*answer);
    if (!seen) return link_fail(LinkError::Kind::garbage, "command answer: " + seen.error().message);
    auto status = checked_status(command, tag, seen->status, seen->tag);
    if (!status) return std::unexpected(std::move(status.error()));
    return ConfirmedAnswer{*status, *seen};
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
