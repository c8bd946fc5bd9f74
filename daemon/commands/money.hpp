#pragma once
// card-topup, card-refund-close, card-return.

#include "daemon/card_workflow.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

struct TopupArgs {
    store::CardNo card_no = 0;
    store::Cents amount = 0;
    EncoderChoice encoder;
};
TopupArgs parse_topup(const nlohmann::json& arguments);

/// A card closed: refunded and closed, or returned.
struct CloseArgs {
    store::CardNo card_no = 0;
    bool refund = true;        ///< card-return: refund the balance (card-refund-close always does)
    std::optional<bool> wipe;  ///< absent: wipe an active card (refund-close), keep it (return)
    bool write_off = false;
    EncoderChoice encoder;
};
CloseArgs parse_refund_close(const nlohmann::json& arguments);
CloseArgs parse_return(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> card_topup(Service& service, Request& request, const TopupArgs& arguments);
boost::asio::awaitable<Answer> card_refund_close(Service& service, Request& request, const CloseArgs& arguments);
boost::asio::awaitable<Answer> card_return(Service& service, Request& request, const CloseArgs& arguments);

}  // namespace cardd::daemon
