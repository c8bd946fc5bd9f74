#include "daemon/control/command_registry.hpp"

#include <stdexcept>

#include "daemon/log.hpp"

namespace cardd::daemon {

void CommandRegistry::add_entry(std::string name, Role least, Prepare prepare) {
    if (commands_.contains(name)) throw std::logic_error("command registered twice: " + name);
    commands_.emplace(std::move(name), Entry{least, std::move(prepare)});
}

std::vector<std::string> CommandRegistry::names() const {
    std::vector<std::string> out;
    for (const auto& [name, entry] : commands_) out.push_back(name);
    return out;
}

boost::asio::awaitable<Answer> CommandRegistry::dispatch(Request& request) const {
    Answer answered = co_await respond(request);
    if (observer_) observer_(commands_.contains(request.command) ? request.command : "unknown", answered.result);
    co_return answered;
}

boost::asio::awaitable<Answer> CommandRegistry::respond(Request& request) const {
    const auto found = commands_.find(request.command);
    if (found == commands_.end()) {
        co_return Answer::failure(ResultCode::unsupported, "unknown command '" + request.command + "'");
    }
    const Entry& entry = found->second;
    if (!request.caller.role || *request.caller.role < entry.least) {
        log_event(msg::command_denied,
                  {{"command", request.command}, {"uid", request.caller.uid}, {"needs", to_string(entry.least)}});
        co_return Answer::failure(ResultCode::denied,
                                  "'" + request.command + "' needs the " + std::string(to_string(entry.least)) +
                                      " role; uid " + std::to_string(request.caller.uid) +
                                      (request.caller.role ? " is " + std::string(to_string(*request.caller.role))
                                                           : std::string(" is in no cardd group")));
    }
    // A co_await inside a catch block is not allowed, so the outcome of the
    // handler is captured first and the answer built after.
    std::optional<Answer> answer;
    std::string failure;
    ResultCode failure_code = ResultCode::error;
    // The arguments are read first, into the command's struct; the body
    // runs only with arguments that parsed.
    Handler run;
    try {
        run = entry.prepare(request.arguments);
        answer = co_await run(request);
    } catch (const BadArgument& bad) {
        failure = bad.what();
        failure_code = ResultCode::invalid;
    } catch (const nlohmann::json::exception& bad) {
        failure = std::string("bad arguments: ") + bad.what();
        failure_code = ResultCode::invalid;
    } catch (const std::exception& error) {
        failure = error.what();
        log_event(msg::command_failed, {{"command", request.command}, {"error", failure}});
    }
    if (!answer) answer = Answer::failure(failure_code, failure);
    if (entry.least != Role::viewer) {
        // Arguments are not logged: the audit log in the store has the details.
        log_event(
            msg::command_done,
            {{"command", request.command}, {"uid", request.caller.uid}, {"result", static_cast<int>(answer->result)}});
    }
    co_return std::move(*answer);
}

}  // namespace cardd::daemon
