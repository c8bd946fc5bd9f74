#pragma once
// account-add, account-list, account-passwd, account-disable, account-enable,
// account-remove: the staff console's accounts, kept by cardd
// (docs/accounts.md). Every one is an administrator's, audited with who made
// it; a password is hashed on the password pool, never on the io thread.

#include "daemon/control/arguments.hpp"
#include "daemon/control/command_registry.hpp"
#include "daemon/control/secret.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

/// A new account: its name, its role, its first password (which must meet
/// password_refusal's policy).
struct AccountAddArgs {
    std::string name;
    store::AccountRole role = store::AccountRole::viewer;
    Secret password;
};
AccountAddArgs parse_account_add(const nlohmann::json& arguments);

/// An account and its new password.
struct AccountPasswordArgs {
    std::string name;
    Secret password;
};
AccountPasswordArgs parse_account_passwd(const nlohmann::json& arguments);

/// The name of an account.
struct AccountNameArgs {
    std::string name;
};
AccountNameArgs parse_account_name(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> account_add(Service& service, Request& request, const AccountAddArgs& arguments);
boost::asio::awaitable<Answer> account_list(Service& service, Request& request, const NoArguments& arguments);
/// Sets the password, clears any lockout, ends the account's sessions.
boost::asio::awaitable<Answer> account_passwd(Service& service, Request& request, const AccountPasswordArgs& arguments);
/// Disables the account and ends its sessions.
boost::asio::awaitable<Answer> account_disable(Service& service, Request& request, const AccountNameArgs& arguments);
boost::asio::awaitable<Answer> account_enable(Service& service, Request& request, const AccountNameArgs& arguments);
/// Removes the account and ends its sessions.
boost::asio::awaitable<Answer> account_remove(Service& service, Request& request, const AccountNameArgs& arguments);

}  // namespace cardd::daemon
