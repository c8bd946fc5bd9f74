#pragma once
// The control-socket commands, one file a group, registered from one list.
// Each handler is a named function that gets its arguments already read
// into its struct, asks the store or the service, and passes the store's
// refusals on as answers (CARDD_CO_TRY); the card rules live in the store.

#include "daemon/control/command_registry.hpp"

namespace cardd::daemon {

struct Service;

/// Every command, in one list: name, the least role, the argument parser, the handler.
void register_all_commands(CommandRegistry& registry, Service& service);

}  // namespace cardd::daemon
