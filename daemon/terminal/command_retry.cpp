#include "daemon/terminal/command_retry.hpp"

#include <string>

namespace cardd::daemon {

namespace {

bool worth_repeating(LinkError::Kind kind) noexcept {
    return kind == LinkError::Kind::timeout || kind == LinkError::Kind::garbage || kind == LinkError::Kind::protocol;
}

template <class Call>
auto repeated(Call call) {
    auto result = call();
    for (int attempt = 1; attempt < command_attempts && !result && worth_repeating(result.error().kind); ++attempt) {
        result = call();
    }
    return result;
}

}  // namespace

LinkResult<protocol::Status> execute_with_retry(TerminalClient& client, const protocol::Command& command) {
    return repeated([&] { return client.execute(command); });
}

LinkResult<ConfirmedAnswer> execute_confirmed_with_retry(TerminalClient& client, const protocol::Command& command) {
    return repeated([&] { return client.execute_confirmed(command); });
}

LinkResult<protocol::TerminalState> read_state_with_retry(TerminalClient& client) {
    return repeated([&] { return client.read_state(); });
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
