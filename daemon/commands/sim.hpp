#pragma once
// encoder-sim-spend: a terminal's purchase done to a card the simulated encoder keeps.

#include "daemon/control/command_registry.hpp"

namespace cardd::daemon {

struct Service;

struct SimSpendArgs {
    std::vector<std::uint8_t> uid;
    std::int64_t amount = 0;  ///< cents, 1 to 2147483647
    std::optional<std::string> encoder;
};
SimSpendArgs parse_sim_spend(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> encoder_sim_spend(Service& service, Request& request, const SimSpendArgs& arguments);

}  // namespace cardd::daemon
