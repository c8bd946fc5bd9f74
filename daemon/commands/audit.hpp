#pragma once
// audit-log: who did what, when, on the socket or through the console.

#include "daemon/control/arguments.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

struct AuditLogArgs {
    store::AuditQuery query;
};
AuditLogArgs parse_audit_log(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> audit_log(Service& service, Request& request, const AuditLogArgs& arguments);

}  // namespace cardd::daemon
