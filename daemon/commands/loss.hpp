#pragma once
// card-loss, card-unlock, card-replace, losses.

#include "daemon/card_workflow.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

/// The most cards one loss report or unlock names.
inline constexpr std::size_t max_cards_at_once = 1000;

/// The cards ("card_no", or "card_nos": 1 to 1000, each once) and the
/// terminals to push their loss or their unlock to; a loss's reason.
struct LossArgs {
    std::vector<store::CardNo> cards;
    store::PushTarget push;
    store::LossReason reason = store::LossReason::lost;
};
LossArgs parse_loss(const nlohmann::json& arguments);
/// As parse_loss, without a reason.
LossArgs parse_unlock(const nlohmann::json& arguments);

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
