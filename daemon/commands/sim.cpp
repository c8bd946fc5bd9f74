// encoder-sim-spend: what a terminal's purchase does to a card, done to a
// virtual card the simulated encoder keeps, so that a test's terminal
// records and its cards agree. Simulation only.

#include "daemon/commands/sim.hpp"

#include <limits>

#include "daemon/card_workflow.hpp"
#include "daemon/control/arguments.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/json_view.hpp"
#include "daemon/service.hpp"
#include "daemon/simulated_station.hpp"
#include "daemon/encoder/card_session.hpp"
#include "daemon/encoder/sim/terminal_purchase.hpp"
#include "protocol/money.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

ResultCode code_of(encoder::sim::PurchaseRefusal refusal) {
    using encoder::sim::PurchaseRefusal;
    switch (refusal) {
        case PurchaseRefusal::invalid_amount: return ResultCode::invalid;
        case PurchaseRefusal::insufficient: return ResultCode::conflict;
        case PurchaseRefusal::not_ours:
        case PurchaseRefusal::unreadable:
        case PurchaseRefusal::card_refused: break;
    }
    return ResultCode::card_failed;
}

}  // namespace

SimSpendArgs parse_sim_spend(const json& a) {
    args::only(a, {"encoder", "uid", "amount"});
    const auto uid = parse_uid(args::required_string(a, "uid"));
    if (!uid) throw BadArgument("'uid' must be 8 or 14 hexadecimal digits (a 4- or 7-byte UID)");
    const std::int64_t amount = args::required_int(a, "amount");
    if (amount <= 0 || amount > std::numeric_limits<std::int32_t>::max()) {
        throw BadArgument("'amount' must be 1 to 2147483647 cents");
    }
    return {*uid, amount, args::optional_string(a, encoder_argument)};
}

awaitable<Answer> encoder_sim_spend(Service& service, Request&, const SimSpendArgs& arguments) {
    CARDD_CO_TRY(station, simulated_station(service, arguments.encoder));
    Station& simulated = *station;
    CARDD_CO_TRY(format, service.store.card_format());
    const std::string chip = encoder::uid_hex(arguments.uid);
    std::expected<encoder::sim::Purchase, encoder::sim::PurchaseError> purchase;
    const int sector = format.sector;
    const auto kept = simulated.sim->change_kept_card(arguments.uid, [&](encoder::sim::VirtualCard& card) {
        purchase = encoder::sim::terminal_purchase(card, service.encoders.master_key(), sector,
                                                   static_cast<std::int32_t>(arguments.amount));
    });
    using Kept = encoder::sim::SimulatedReader::KeptCard;
    if (kept == Kept::not_kept) {
        co_return Answer::failure(ResultCode::not_found, "encoder " + simulated.device.name + " keeps no card " + chip +
                                                             " (encoder-sim-place puts one there)");
    }
    if (kept == Kept::on_reader) {
        co_return Answer::failure(ResultCode::conflict,
                                  "card " + chip + " is on encoder " + simulated.device.name +
                                      ": take it off (encoder-sim-remove) before it is spent at a terminal");
    }
    if (kept == Kept::not_stored) {
        co_return Answer::failure(ResultCode::error,
                                  "the simulated encoder's card file could not take the purchase; "
                                  "the card is unchanged");
    }
    if (!purchase) co_return Answer::failure(code_of(purchase.error().refusal), purchase.error().message);
    co_return Answer::ok("card " + chip + " spent " + protocol::format_yuan(arguments.amount) +
                             " at a simulated terminal, " + protocol::format_yuan(purchase->balance_after) +
                             " left; tap the terminal with counter " + std::to_string(purchase->counter),
                         {{"uid", chip},
                          {"encoder", simulated.device.name},
                          {"counter", purchase->counter},
                          {"balance_after", purchase->balance_after}});
}

}  // namespace cardd::daemon
