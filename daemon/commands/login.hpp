#pragma once
// account-login, account-logout, account-session: the staff console's
// sessions (docs/accounts.md). Only the console's user logs in; its other
// requests carry the session the login gave (daemon/control/console_gate.hpp).

#include "daemon/control/arguments.hpp"
#include "daemon/control/command_registry.hpp"
#include "daemon/control/secret.hpp"

namespace cardd::daemon {

struct Service;

/// The name and password someone typed into the console.
struct LoginArgs {
    std::string name;
    Secret password;
};
LoginArgs parse_login(const nlohmann::json& arguments);

/// Checks the password (on the password pool: a name with no account costs
/// the same), settles the login in the store (the lockout), and opens a
/// session for the account: {session, account, role, idle_timeout_s}.
boost::asio::awaitable<Answer> account_login(Service& service, Request& request, const LoginArgs& arguments);
/// Ends the request's session.
boost::asio::awaitable<Answer> account_logout(Service& service, Request& request, const NoArguments& arguments);
/// The request's session: {account, role, idle_timeout_s}.
boost::asio::awaitable<Answer> account_session(Service& service, Request& request, const NoArguments& arguments);

}  // namespace cardd::daemon
