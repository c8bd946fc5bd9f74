#include "daemon/control/console_gate.hpp"

#include "daemon/log.hpp"

namespace cardd::daemon {

namespace {

Answer log_in_again(std::string_view state, const std::string& why) {
    Answer answer = Answer::failure(ResultCode::denied, why + ": log in again");
    answer.arguments = {{"session", state}};
    return answer;
}

}  // namespace

std::optional<Answer> ConsoleGate::admit(Request& request, bool logs_in) {
    Caller& caller = request.caller;
    caller.console = console_uid_ && caller.uid == *console_uid_;
    caller.account.reset();
    if (!caller.console) {
        if (!request.session) return std::nullopt;
        log_event(msg::console_session_foreign, {{"uid", caller.uid}, {"command", request.command}});
        return Answer::failure(ResultCode::denied,
                               "a console session is taken only from the console's user "
                               "(console_user in cardd.conf); uid " +
                                   std::to_string(caller.uid) + " is not it");
    }
    // Whatever groups the console's uid is in, it acts only for an account.
    caller.role.reset();
    if (logs_in) return std::nullopt;
    if (!request.session) return log_in_again("missing", "the request carries no session");
    const Sessions::Lookup lookup = sessions_.use(*request.session);
    if (lookup.state == Sessions::Lookup::State::expired) {
        log_event(msg::console_session_expired, {{"account", lookup.session->account}, {"reason", lookup.why}});
    }
    if (lookup.state != Sessions::Lookup::State::valid) return log_in_again("expired", "the session has expired");
    const Session& session = *lookup.session;
    auto role = check_(session);
    if (!role) return from_error(role.error());
    if (!*role) {
        sessions_.end(*request.session);
        log_event(msg::console_session_expired, {{"account", session.account}, {"reason", "account-changed"}});
        return log_in_again("expired", "the session has ended (its account was changed)");
    }
    caller.account = session.account;
    caller.role = **role;
    return std::nullopt;
}

}  // namespace cardd::daemon
