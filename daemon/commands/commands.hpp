#pragma once
// The control-socket commands, one file a group, registered from one list.
// Each handler parses its arguments, asks the store or the service, and
// passes the store's refusals on as answers; the card rules live in the store.

#include <string>

#include "daemon/control/command_registry.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

void register_admin_commands(CommandRegistry& registry, Service& service);
void register_issue_commands(CommandRegistry& registry, Service& service);
void register_money_commands(CommandRegistry& registry, Service& service);
void register_loss_commands(CommandRegistry& registry, Service& service);
void register_terminal_commands(CommandRegistry& registry, Service& service);
void register_card_commands(CommandRegistry& registry, Service& service);
void register_write_commands(CommandRegistry& registry, Service& service);
void register_sim_commands(CommandRegistry& registry, Service& service);

/// An encoder's firmware and card presence (device-read-params on an encoder).
boost::asio::awaitable<Answer> encoder_read_params(Service& service, const std::string& name);

/// Every command, in one place.
inline void register_all_commands(CommandRegistry& registry, Service& service) {
    register_admin_commands(registry, service);
    register_issue_commands(registry, service);
    register_money_commands(registry, service);
    register_loss_commands(registry, service);
    register_terminal_commands(registry, service);
    register_card_commands(registry, service);
    register_write_commands(registry, service);
    register_sim_commands(registry, service);
}

}  // namespace cardd::daemon
