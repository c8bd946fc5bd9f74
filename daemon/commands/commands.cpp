#include "daemon/commands/commands.hpp"

#include "daemon/commands/accounts.hpp"
#include "daemon/commands/admin.hpp"
#include "daemon/commands/audit.hpp"
#include "daemon/commands/backup.hpp"
#include "daemon/commands/card.hpp"
#include "daemon/commands/issue.hpp"
#include "daemon/commands/issue_batch.hpp"
#include "daemon/commands/login.hpp"
#include "daemon/commands/loss.hpp"
#include "daemon/commands/money.hpp"
#include "daemon/commands/people.hpp"
#include "daemon/commands/sim.hpp"
#include "daemon/commands/terminals.hpp"
#include "daemon/commands/writes.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

namespace {

/// A handler of the list with the service it works on.
template <class Args>
TypedHandler<Args> on(Service& service, boost::asio::awaitable<Answer> (*handler)(Service&, Request&, const Args&)) {
    return
        [&service, handler](Request& request, const Args& arguments) { return handler(service, request, arguments); };
}

// What this cardd answers and who may ask it, as Kea's list-commands: a
// client learns the commands from the daemon it talks to, not from a list
// of its own that may be older or newer.
boost::asio::awaitable<Answer> list_commands(const CommandRegistry& registry, Request&, const NoArguments&) {
    nlohmann::json commands = nlohmann::json::array();
    for (const auto& [name, role] : registry.least_roles()) commands.push_back({{"name", name}, {"role", role}});
    const std::string text = std::to_string(commands.size()) + " commands";
    co_return Answer::ok(text, {{"commands", std::move(commands)}});
}

}  // namespace

void register_all_commands(CommandRegistry& registry, Service& service) {
    // admin.cpp: the service, the card format, the devices
    registry.add("list-commands", Role::viewer, no_arguments,
                 TypedHandler<NoArguments>([&registry](Request& request, const NoArguments& arguments) {
                     return list_commands(registry, request, arguments);
                 }));
    registry.add("status", Role::viewer, ignored_arguments, on(service, status));
    registry.add("format-show", Role::viewer, ignored_arguments, on(service, format_show));
    registry.add("format-set", Role::admin, parse_format_set, on(service, format_set));
    registry.add("device-add-terminal", Role::admin, parse_terminal, on(service, device_add_terminal));
    registry.add("device-add-encoder", Role::admin, parse_encoder, on(service, device_add_encoder));
    registry.add("device-list", Role::viewer, ignored_arguments, on(service, device_list));
    registry.add("device-remove", Role::admin, parse_device_name, on(service, device_remove));
    registry.add("device-read-params", Role::issuer, parse_device_name, on(service, device_read_params));
    registry.add("device-accept-serial", Role::admin, parse_device_name, on(service, device_accept_serial));
    // audit.cpp: who did what
    registry.add("audit-log", Role::viewer, parse_audit_log, on(service, audit_log));
    // backup.cpp: a copy of the store
    registry.add("store-backup", Role::admin, parse_store_backup, on(service, store_backup));
    // issue.cpp, issue_batch.cpp: people and new cards
    registry.add("person-add", Role::issuer, parse_person_add, on(service, person_add));
    registry.add("person-list", Role::viewer, ignored_arguments, on(service, person_list));
    registry.add("card-issue", Role::issuer, parse_card_issue, on(service, card_issue));
    registry.add("card-issue-batch", Role::issuer, parse_issue_batch, on(service, card_issue_batch));
    // people.cpp: people picked from a list, by department or by what is typed
    registry.add("person-search", Role::viewer, parse_person_search, on(service, person_search));
    registry.add("departments", Role::viewer, ignored_arguments, on(service, departments));
    // money.cpp: money onto a card and out of it
    registry.add("card-topup", Role::issuer, parse_topup, on(service, card_topup));
    registry.add("card-refund-close", Role::issuer, parse_refund_close, on(service, card_refund_close));
    registry.add("card-return", Role::issuer, parse_return, on(service, card_return));
    // loss.cpp: loss, unlock, replacement
    registry.add("card-loss", Role::issuer, parse_loss, on(service, card_loss));
    registry.add("card-unlock", Role::issuer, parse_unlock, on(service, card_unlock));
    registry.add("card-replace", Role::issuer, parse_replace, on(service, card_replace));
    registry.add("losses", Role::viewer, parse_losses, on(service, losses));
    // terminals.cpp: distribution and collection
    registry.add("failed", Role::viewer, no_arguments, on(service, failed));
    registry.add("resync", Role::admin, parse_resync, on(service, resync));
    registry.add("collect", Role::issuer, parse_collect, on(service, collect));
    // card.cpp: the card on the encoder, and the simulated encoder
    registry.add("card-read", Role::issuer, parse_card_read, on(service, card_read));
    registry.add("card-init", Role::issuer, parse_encoder_only, on(service, card_init));
    registry.add("encoder-cancel", Role::issuer, parse_encoder_name, on(service, encoder_cancel));
    registry.add("encoder-sim-place", Role::issuer, parse_sim_place, on(service, encoder_sim_place));
    registry.add("encoder-sim-slow", Role::issuer, parse_sim_slow, on(service, encoder_sim_slow));
    registry.add("encoder-sim-remove", Role::issuer, parse_sim_remove, on(service, encoder_sim_remove));
    // writes.cpp: a card as stored, and the journal
    registry.add("card-info", Role::viewer, parse_card_no, on(service, card_info));
    registry.add("pending", Role::viewer, no_arguments, on(service, pending));
    // sim.cpp: a terminal's purchase on a simulated card
    registry.add("encoder-sim-spend", Role::issuer, parse_sim_spend, on(service, encoder_sim_spend));
    // accounts.cpp: the staff console's accounts
    registry.add("account-add", Role::admin, parse_account_add, on(service, account_add));
    registry.add("account-list", Role::admin, no_arguments, on(service, account_list));
    registry.add("account-passwd", Role::admin, parse_account_passwd, on(service, account_passwd));
    registry.add("account-disable", Role::admin, parse_account_name, on(service, account_disable));
    registry.add("account-enable", Role::admin, parse_account_name, on(service, account_enable));
    registry.add("account-remove", Role::admin, parse_account_name, on(service, account_remove));
    // login.cpp: the console's sessions
    registry.add_login("account-login", parse_login, on(service, account_login));
    registry.add("account-logout", Role::viewer, no_arguments, on(service, account_logout));
    registry.add("account-session", Role::viewer, no_arguments, on(service, account_session));
}

}  // namespace cardd::daemon
