#include "daemon/terminal/command_retry.hpp"

#include <string>

namespace cardd::daemon {

namespace {

bool worth_repeating(LinkError::Kind kind) noexcept {
    return kind == LinkError::Kind::timeout || kind == LinkError::Kind::garbage || kind == LinkError::Kind::protocol;
}

}  // namespace

LinkResult<protocol::Status> execute_with_retry(TerminalClient& client, const protocol::Command& command) {
    LinkResult<protocol::Status> result = client.execute(command);
    for (int attempt = 1; attempt < command_attempts && !result && worth_repeating(result.error().kind); ++attempt) {
        result = client.execute(command);
    }
    return result;
}

LinkResult<TerminalInfo> read_state_with_retry(TerminalClient& client) {
    LinkResult<TerminalInfo> result = client.read_state();
    for (int attempt = 1; attempt < command_attempts && !result && worth_repeating(result.error().kind); ++attempt) {
        result = client.read_state();
    }
    return result;
}

LinkError status_error(const protocol::Command& command, protocol::Status status, std::string_view context) {
    std::string message = std::string(protocol::to_string(command.opcode));
    if (!context.empty()) message += " " + std::string(context);
    message += ": terminal answered " + std::string(protocol::to_string(status));
    switch (status) {
        case protocol::Status::busy: return {LinkError::Kind::busy, message + " (serving a card; retry later)"};
        case protocol::Status::capacity: return {LinkError::Kind::capacity, std::move(message)};
        default: return {LinkError::Kind::protocol, std::move(message)};
    }
}

}  // namespace cardd::daemon
