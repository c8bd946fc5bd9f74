// account-login, account-logout, account-session.

#include "daemon/commands/login.hpp"

#include <ctime>

#include "daemon/control/co_try.hpp"
#include "daemon/log.hpp"
#include "daemon/passwords.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

// One sentence for a wrong name and a wrong password, so the answer does not
// tell which names exist.
constexpr const char* wrong_login = "wrong account name or password";

/// "2025-11-24 10:15:00 UTC": the console may be in another time zone than cardd.
std::string utc_time(store::UnixTime at) {
    const std::time_t seconds = static_cast<std::time_t>(at);
    std::tm parts{};
    ::gmtime_r(&seconds, &parts);
    char text[32] = {};
    std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &parts);
    return text;
}

Answer wrong() { return Answer::failure(ResultCode::denied, wrong_login); }

Answer locked(const store::Account& account) {
    Answer answer = Answer::failure(ResultCode::denied,
                                    "account " + account.name + " is locked until " + utc_time(*account.locked_until) +
                                        " after " + std::to_string(account.failed_logins) +
                                        " wrong passwords in a row; wait, or ask an administrator to set its password");
    answer.arguments = {{"locked_until", *account.locked_until}};
    return answer;
}

/// The name as the log may show it: what someone typed as a name may be a
/// password typed in the wrong field, so only a name an account could have
/// is written out.
std::string loggable(const std::string& name) {
    if (name.empty() || name.size() > 64) return "(not an account name)";
    for (char c : name) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
                        c == '_' || c == '-';
        if (!ok) return "(not an account name)";
    }
    return name;
}

json session_json(Service& service, const std::string& account, Role role) {
    return {{"account", account},
            {"role", to_string(role)},
            {"idle_timeout_s", static_cast<std::int64_t>(service.sessions.limits().idle.count())}};
}

}  // namespace

LoginArgs parse_login(const json& a) {
    args::only(a, {"name", "password"});
    std::string name = args::required_string(a, "name");
    const auto found = a.find("password");
    if (found == a.end() || found->is_null()) throw BadArgument("argument 'password' is required");
    if (!found->is_string()) throw BadArgument("argument 'password' must be a string");
    return {std::move(name), Secret(found->get_ref<const std::string&>())};
}

awaitable<Answer> account_login(Service& service, Request& request, const LoginArgs& arguments) {
    const store::Actor actor{static_cast<std::int64_t>(request.caller.uid), std::nullopt};
    auto found = service.store.account(arguments.name);
    if (!found) {
        if (found.error().code != store::Errc::not_found) co_return from_error(found.error());
        co_await service.passwords.spend(arguments.password);
        log_event(msg::console_login_refused, {{"account", loggable(arguments.name)}, {"reason", "unknown-account"}});
        co_return wrong();
    }
    const store::Account& account = *found;
    // A locked account is refused before its password is checked: the lock
    // is there to stop guessing, and a guess checked would still be one.
    if (account.locked_at(store::system_clock_now())) {
        log_event(msg::console_login_locked, {{"account", account.name}, {"locked_until", *account.locked_until}});
        co_return locked(account);
    }
    const auto right = co_await service.passwords.matches(account.password_hash, arguments.password);
    if (!right) co_return Answer::failure(ResultCode::error, right.error().message);
    CARDD_CO_TRY(outcome, service.store.settle_login(actor, account.name, account.password_hash, *right,
                                                     lockout_of(service.config)));
    const store::Account& settled = outcome.account;
    switch (outcome.result) {
        case store::LoginOutcome::Result::ok: {
            const Role role = role_of(settled.role);
            json answer = session_json(service, settled.name, role);
            answer["session"] = service.sessions.open(settled.name, *settled.last_login_at);
            log_event(msg::console_login, {{"account", settled.name}, {"role", to_string(role)}});
            co_return Answer::ok("logged in as " + settled.name + " (" + std::string(to_string(role)) + ")",
                                 std::move(answer));
        }
        case store::LoginOutcome::Result::wrong_password: {
            log_event(
                msg::console_login_refused,
                {{"account", settled.name}, {"reason", "wrong-password"}, {"failed_logins", settled.failed_logins}});
            if (!outcome.locked_now) co_return wrong();
            log_event(msg::console_account_locked, {{"account", settled.name},
                                                    {"failed_logins", settled.failed_logins},
                                                    {"locked_until", *settled.locked_until}});
            Answer answer =
                Answer::failure(ResultCode::denied, std::string(wrong_login) + "; the account is now locked until " +
                                                        utc_time(*settled.locked_until));
            answer.arguments = {{"locked_until", *settled.locked_until}};
            co_return answer;
        }
        case store::LoginOutcome::Result::locked:
            log_event(msg::console_login_locked, {{"account", settled.name}, {"locked_until", *settled.locked_until}});
            co_return locked(settled);
        case store::LoginOutcome::Result::disabled:
            log_event(msg::console_login_refused, {{"account", settled.name}, {"reason", "disabled"}});
            co_return Answer::failure(ResultCode::denied,
                                      "account " + settled.name + " is disabled: an administrator can enable it again");
    }
    co_return wrong();
}

awaitable<Answer> account_logout(Service& service, Request& request, const NoArguments&) {
    if (!request.session || !request.caller.account) {
        co_return Answer::failure(ResultCode::denied,
                                  "'account-logout' ends a console session, and this request carries none");
    }
    const auto ended = service.sessions.end(*request.session);
    const std::string account = ended.value_or(*request.caller.account);
    log_event(msg::console_logout, {{"account", account}});
    co_return Answer::ok("account " + account + " logged out", {{"account", account}});
}

awaitable<Answer> account_session(Service& service, Request& request, const NoArguments&) {
    if (!request.session || !request.caller.account || !request.caller.role) {
        co_return Answer::failure(ResultCode::denied,
                                  "'account-session' describes a console session, and this request carries none");
    }
    co_return Answer::ok(
        "logged in as " + *request.caller.account + " (" + std::string(to_string(*request.caller.role)) + ")",
        session_json(service, *request.caller.account, *request.caller.role));
}

}  // namespace cardd::daemon
