#include "daemon/control/command_registry.hpp"

#include <stdexcept>

#include "daemon/log.hpp"

namespace cardd::daemon {

void CommandRegistry::add_entry(std::string name, Role least, bool login, Prepare prepare) {
    if (commands_.contains(name)) throw std::logic_error("command registered twice: " + name);
    commands_.emplace(std::move(name), Entry{least, login, std::move(prepare)});
}

bool CommandRegistry::logs_in(std::string_view name) const {
    const auto found = commands_.find(name);
    return found != commands_.end() && found->second.login;
}

namespace {

/// "uid 1000 is issuer", "account desk-1 is viewer", "uid 1000 is in no cardd group".
std::string who_is(const Caller& caller) {
    if (caller.account) {
        return "account " + *caller.account + " is " + std::string(to_string(caller.role.value_or(Role::viewer)));
    }
    const std::string uid = "uid " + std::to_string(caller.uid);
    if (caller.console) return uid + " is the console's user, which has no role of its own: log in";
    return caller.role ? uid + " is " + std::string(to_string(*caller.role)) : uid + " is in no cardd group";
}

}  // namespace

std::vector<std::pair<std::string, std::string>> CommandRegistry::least_roles() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [name, entry] : commands_)
        out.emplace_back(name, entry.login ? std::string("console") : std::string(to_string(entry.least)));
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
    const Caller& caller = request.caller;
    if (entry.login) {
        if (!caller.console) {
            log_event(msg::command_denied, {{"command", request.command}, {"uid", caller.uid}, {"needs", "console"}});
            co_return Answer::failure(ResultCode::denied, "'" + request.command +
                                                              "' is for the staff console's user (console_user in "
                                                              "cardd.conf) only; uid " +
                                                              std::to_string(caller.uid) + " is not it");
        }
    } else if (!caller.role || *caller.role < entry.least) {
        if (caller.account) {
            log_event(msg::command_denied, {{"command", request.command},
                                            {"uid", caller.uid},
                                            {"account", *caller.account},
                                            {"needs", to_string(entry.least)}});
        } else {
            log_event(msg::command_denied,
                      {{"command", request.command}, {"uid", caller.uid}, {"needs", to_string(entry.least)}});
        }
        co_return Answer::failure(
            ResultCode::denied,
            "'" + request.command + "' needs the " + std::string(to_string(entry.least)) + " role; " + who_is(caller));
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
        const int result = static_cast<int>(answer->result);
        if (caller.account) {
            log_event(
                msg::command_done,
                {{"command", request.command}, {"uid", caller.uid}, {"account", *caller.account}, {"result", result}});
        } else {
            log_event(msg::command_done, {{"command", request.command}, {"uid", caller.uid}, {"result", result}});
        }
    }
    co_return std::move(*answer);
}

}  // namespace cardd::daemon
