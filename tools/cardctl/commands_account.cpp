// `cardctl account`: the staff console's accounts (docs/accounts.md).
// Passwords are never options: run() asks for them (password_input.hpp).

#include "tools/cardctl/command_values.hpp"
#include "tools/cardctl/commands.hpp"
#include "tools/cardctl/option_checks.hpp"

namespace cardd::cardctl {

namespace {

void add_account_name(CLI::App* sub, std::string& name) {
    sub->add_option("NAME", name, "The account's name: letters, digits, '.', '_' and '-'")
        ->required()
        ->check(utf8_check());
}

void add_password_stdin(CLI::App* sub, bool& flag) {
    sub->add_flag("--password-stdin", flag,
                  "Read the password as one line of standard input, for scripts (otherwise it is asked twice on "
                  "the terminal, not shown)");
}

/// A request whose password run() adds to `arguments` before it is sent.
Request with_password(std::string_view command, Json arguments, const std::string& name, bool from_stdin) {
    Request request = make_request(make_message(command, std::move(arguments)));
    request.password = PasswordSource{from_stdin, "Password for account " + name + ": "};
    return request;
}

}  // namespace

void CommandLine::add_account_commands() {
    CLI::App* account = app_->add_subcommand(
        "account",
        "Accounts of the staff console (cardd-console), kept by cardd: add, list, set a password, disable, "
        "enable, remove (admin)");
    account->require_subcommand(1);

    CLI::App* add = account->add_subcommand(
        "add", "Add an account with its role and first password (at least 10 characters), asked twice on the terminal");
    add_account_name(add, v_->name);
    add->add_option("--role", v_->role, "What the account may do on the console, as the roles of the socket")
        ->type_name("admin|issuer|viewer")
        ->required()
        ->transform(CLI::IsMember({"admin", "issuer", "viewer"}));
    add_password_stdin(add, v_->password_stdin);
    on_parsed(add, result_, [v = v_.get()] {
        Json args = Json::object();
        args["name"] = v->name;
        args["role"] = v->role;
        return with_password("account-add", std::move(args), v->name, v->password_stdin);
    });

    CLI::App* list = account->add_subcommand(
        "list", "List the accounts: role, disabled, locked until, wrong passwords in a row, created, last login");
    on_parsed(list, result_, [] { return make_request(make_message("account-list"), View::account_list); });

    CLI::App* passwd = account->add_subcommand(
        "passwd",
        "Set an account's password, asked twice on the terminal; this also unlocks it and ends its console sessions");
    add_account_name(passwd, v_->name);
    add_password_stdin(passwd, v_->password_stdin);
    on_parsed(passwd, result_, [v = v_.get()] {
        return with_password("account-passwd", Json{{"name", v->name}}, v->name, v->password_stdin);
    });

    CLI::App* disable =
        account->add_subcommand("disable", "Disable an account: it cannot log in, and its console sessions end");
    add_account_name(disable, v_->name);
    on_parsed(disable, result_, [v = v_.get()] {
        return make_request(make_message("account-disable", Json{{"name", v->name}}));
    });

    CLI::App* enable = account->add_subcommand("enable", "Enable a disabled account again");
    add_account_name(enable, v_->name);
    on_parsed(enable, result_, [v = v_.get()] {
        return make_request(make_message("account-enable", Json{{"name", v->name}}));
    });

    CLI::App* remove = account->add_subcommand("remove", "Remove an account; its console sessions end");
    add_account_name(remove, v_->name);
    on_parsed(remove, result_, [v = v_.get()] {
        return make_request(make_message("account-remove", Json{{"name", v->name}}));
    });
}

}  // namespace cardd::cardctl
