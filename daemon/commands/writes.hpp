#pragma once
// card-info and pending.

#include "daemon/control/arguments.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

struct CardNoArgs {
    store::CardNo card_no = 0;
};
CardNoArgs parse_card_no(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> card_info(Service& service, Request& request, const CardNoArgs& arguments);
boost::asio::awaitable<Answer> pending(Service& service, Request& request, const NoArguments& arguments);

}  // namespace cardd::daemon
