#pragma once
// card-loss, card-unlock, card-replace, losses.

#include "daemon/card_workflow.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

/// A card and the terminals to push its loss or its unlock to.
struct LossArgs {
    store::CardNo card_no = 0;
    store::PushTarget push;
};
LossArgs parse_loss(const nlohmann::json& arguments);

struct ReplaceArgs {
    bool write_off = false;
    store::CardNo old_card_no = 0;
    store::CardNo new_card_no = 0;
    store::Cents cost = 0;
    EncoderChoice encoder;
};
ReplaceArgs parse_replace(const nlohmann::json& arguments);

struct LossesArgs {
    store::LossQuery query;
};
LossesArgs parse_losses(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> card_loss(Service& service, Request& request, const LossArgs& arguments);
boost::asio::awaitable<Answer> card_unlock(Service& service, Request& request, const LossArgs& arguments);
boost::asio::awaitable<Answer> card_replace(Service& service, Request& request, const ReplaceArgs& arguments);
boost::asio::awaitable<Answer> losses(Service& service, Request& request, const LossesArgs& arguments);

}  // namespace cardd::daemon
