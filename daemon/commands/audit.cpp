// audit-log.

#include "daemon/commands/audit.hpp"

#include "daemon/control/co_try.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

AuditLogArgs parse_audit_log(const json& a) {
    args::only(a, {"account", "uid", "action", "from", "to", "limit"});
    AuditLogArgs parsed;
    store::AuditQuery& query = parsed.query;
    query.account = args::optional_string(a, "account");
    query.uid = args::optional_int(a, "uid");
    query.action = args::optional_string(a, "action");
    query.from = args::optional_int(a, "from");
    query.to = args::optional_int(a, "to");
    if (query.from && query.to && *query.from > *query.to) throw BadArgument("'from' is after 'to'");
    const auto limit = args::optional_int(a, "limit").value_or(100);
    if (limit < 1 || limit > 1000) throw BadArgument("'limit' must be 1 to 1000 lines");
    query.limit = static_cast<std::size_t>(limit);
    return parsed;
}

awaitable<Answer> audit_log(Service& service, Request&, const AuditLogArgs& arguments) {
    CARDD_CO_TRY(entries, service.store.audit_log(arguments.query));
    json list = json::array();
    for (const auto& entry : entries) {
        list.push_back({{"id", entry.id},
                        {"at", entry.at},
                        {"uid", entry.uid},
                        {"account", entry.account ? json(*entry.account) : json(nullptr)},
                        {"via", entry.via},
                        {"action", entry.action},
                        {"detail", entry.detail}});
    }
    const std::size_t shown = entries.size();
    co_return Answer::ok(shown == 1 ? std::string("1 audit line") : std::to_string(shown) + " audit lines",
                         {{"entries", list}});
}

}  // namespace cardd::daemon
