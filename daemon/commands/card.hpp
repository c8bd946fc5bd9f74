#pragma once
// card-read, card-init, encoder-sim-place, encoder-sim-slow,
// encoder-sim-remove, and an encoder's parameters.

#include "daemon/card_workflow.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

struct CardReadArgs {
    std::optional<store::CardNo> expected;  ///< the card the caller thinks it is
    EncoderChoice encoder;
};
CardReadArgs parse_card_read(const nlohmann::json& arguments);

/// The encoder to use and nothing else (card-init).
EncoderChoice parse_encoder_only(const nlohmann::json& arguments);

/// A card put on the simulated encoder: blank (`count` of them, one after
/// another), or the chip `uid`, of ours or `foreign`.
struct SimPlaceArgs {
    bool blank = false;
    bool foreign = false;
    std::optional<std::vector<std::uint8_t>> uid;
    int count = 1;
    std::optional<std::string> encoder;
};
SimPlaceArgs parse_sim_place(const nlohmann::json& arguments);

struct SimSlowArgs {
    std::int64_t ms = 0;
    std::optional<std::string> encoder;
};
SimSlowArgs parse_sim_slow(const nlohmann::json& arguments);

struct SimRemoveArgs {
    std::optional<int> after;  ///< card commands before the card leaves; absent: now
    std::optional<std::string> encoder;
};
SimRemoveArgs parse_sim_remove(const nlohmann::json& arguments);

/// The encoder named, or the only one.
struct EncoderNameArgs {
    std::optional<std::string> encoder;
};
EncoderNameArgs parse_encoder_name(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> card_read(Service& service, Request& request, const CardReadArgs& arguments);
boost::asio::awaitable<Answer> card_init(Service& service, Request& request, const EncoderChoice& arguments);
boost::asio::awaitable<Answer> encoder_sim_place(Service& service, Request& request, const SimPlaceArgs& arguments);
boost::asio::awaitable<Answer> encoder_sim_slow(Service& service, Request& request, const SimSlowArgs& arguments);
boost::asio::awaitable<Answer> encoder_sim_remove(Service& service, Request& request, const SimRemoveArgs& arguments);
/// Ends the wait for a card on the encoder (Cancel at the desk).
boost::asio::awaitable<Answer> encoder_cancel(Service& service, Request& request, const EncoderNameArgs& arguments);

/// An encoder's firmware and card presence (device-read-params on an encoder).
boost::asio::awaitable<Answer> encoder_read_params(Service& service, const std::string& name);

}  // namespace cardd::daemon
