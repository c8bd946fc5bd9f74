#pragma once
// failed, resync, collect.

#include "daemon/control/arguments.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

/// The failed terminals, or the named ones (with `cards` put on their lists first).
struct ResyncArgs {
    bool failed_only = false;
    std::vector<std::int64_t> cards;
    std::vector<std::string> devices;
};
ResyncArgs parse_resync(const nlohmann::json& arguments);

struct CollectArgs {
    store::PushTarget terminals;
};
CollectArgs parse_collect(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> failed(Service& service, Request& request, const NoArguments& arguments);
boost::asio::awaitable<Answer> resync(Service& service, Request& request, const ResyncArgs& arguments);
boost::asio::awaitable<Answer> collect(Service& service, Request& request, const CollectArgs& arguments);

}  // namespace cardd::daemon
