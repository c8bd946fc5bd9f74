// account-add, account-list, account-passwd, account-disable, account-enable, account-remove.

#include "daemon/commands/accounts.hpp"

#include "daemon/control/co_try.hpp"
#include "daemon/json_view.hpp"
#include "daemon/log.hpp"
#include "daemon/passwords.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

/// The request's password, copied straight from the JSON into a Secret, and
/// held to the policy when it is to become an account's.
Secret password_of(const json& a) {
    const auto found = a.find("password");
    if (found == a.end() || found->is_null()) throw BadArgument("argument 'password' is required");
    if (!found->is_string()) throw BadArgument("argument 'password' must be a string");
    Secret password(found->get_ref<const std::string&>());
    if (auto refused = password_refusal(password.view())) throw BadArgument("'password' is refused: " + *refused);
    return password;
}

/// Ends the account's console sessions, saying so in the log.
std::size_t end_sessions(Service& service, const std::string& name, std::string_view reason) {
    const std::size_t ended = service.sessions.end_account(name);
    if (ended > 0) log_event(msg::console_sessions_ended, {{"account", name}, {"sessions", ended}, {"reason", reason}});
    return ended;
}

std::string sessions_ended(std::size_t ended) {
    if (ended == 0) return "";
    return "; " + std::to_string(ended) + (ended == 1 ? " console session ended" : " console sessions ended");
}

}  // namespace

AccountAddArgs parse_account_add(const json& a) {
    args::only(a, {"name", "role", "password"});
    std::string name = args::required_string(a, "name");
    const std::string role = args::required_string(a, "role");
    const auto parsed = store::account_role_from(role);
    if (!parsed) throw BadArgument("'role' must be admin, issuer or viewer, not '" + role + "'");
    return {std::move(name), *parsed, password_of(a)};
}

AccountPasswordArgs parse_account_passwd(const json& a) {
    args::only(a, {"name", "password"});
    std::string name = args::required_string(a, "name");
    return {std::move(name), password_of(a)};
}

AccountNameArgs parse_account_name(const json& a) {
    args::only(a, {"name"});
    return {args::required_string(a, "name")};
}

awaitable<Answer> account_add(Service& service, Request& request, const AccountAddArgs& arguments) {
    // A name already taken is refused before the hash is spent on it.
    if (auto taken = service.store.account(arguments.name); taken) {
        co_return Answer::failure(ResultCode::conflict, "an account named '" + arguments.name + "' already exists");
    }
    const auto hashed = co_await service.passwords.hash(arguments.password);
    if (!hashed) co_return Answer::failure(ResultCode::error, hashed.error().message);
    CARDD_CO_TRY(added, service.store.add_account(actor_of(request), {arguments.name, arguments.role, *hashed}));
    co_return Answer::ok("account " + added.name + " added, role " + std::string(to_string(added.role)),
                         {{"account", to_json(added, store::system_clock_now())}});
}

awaitable<Answer> account_list(Service& service, Request&, const NoArguments&) {
    CARDD_CO_TRY(accounts, service.store.accounts());
    const store::UnixTime now = store::system_clock_now();
    json list = json::array();
    for (const store::Account& account : accounts) list.push_back(to_json(account, now));
    co_return Answer::ok(std::to_string(accounts.size()) + (accounts.size() == 1 ? " account" : " accounts"),
                         {{"accounts", std::move(list)}});
}

awaitable<Answer> account_passwd(Service& service, Request& request, const AccountPasswordArgs& arguments) {
    CARDD_CO_TRY(existing, service.store.account(arguments.name));
    (void)existing;
    const auto hashed = co_await service.passwords.hash(arguments.password);
    if (!hashed) co_return Answer::failure(ResultCode::error, hashed.error().message);
    CARDD_CO_TRY(changed, service.store.set_account_password(actor_of(request), arguments.name, *hashed));
    const std::size_t ended = end_sessions(service, changed.name, "password");
    co_return Answer::ok(
        "the password of account " + changed.name + " is set; it is not locked" + sessions_ended(ended),
        {{"account", to_json(changed, store::system_clock_now())}, {"sessions_ended", ended}});
}

awaitable<Answer> account_disable(Service& service, Request& request, const AccountNameArgs& arguments) {
    CARDD_CO_TRY(changed, service.store.set_account_disabled(actor_of(request), arguments.name, true));
    const std::size_t ended = end_sessions(service, changed.name, "disabled");
    co_return Answer::ok("account " + changed.name + " is disabled: it cannot log in" + sessions_ended(ended),
                         {{"account", to_json(changed, store::system_clock_now())}, {"sessions_ended", ended}});
}

awaitable<Answer> account_enable(Service& service, Request& request, const AccountNameArgs& arguments) {
    CARDD_CO_TRY(changed, service.store.set_account_disabled(actor_of(request), arguments.name, false));
    co_return Answer::ok("account " + changed.name + " is enabled",
                         {{"account", to_json(changed, store::system_clock_now())}});
}

awaitable<Answer> account_remove(Service& service, Request& request, const AccountNameArgs& arguments) {
    CARDD_CO_TRY_VOID(service.store.remove_account(actor_of(request), arguments.name));
    const std::size_t ended = end_sessions(service, arguments.name, "removed");
    co_return Answer::ok("account " + arguments.name + " removed" + sessions_ended(ended), {{"sessions_ended", ended}});
}

}  // namespace cardd::daemon
