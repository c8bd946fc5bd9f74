#pragma once
// What the card-writing workflows share: taking an encoder and waiting for
// the card, rehearsing a store change before the card is touched, and the
// card steps that make a store change and its card write one operation.

#include <utility>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/answer.hpp"
#include "daemon/command_registry.hpp"
#include "daemon/encoders.hpp"
#include "encoder/card_session.hpp"
#include "protocol/card/card_layout.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

/// An encoder leased for one workflow, with a session on the configured
/// sector. The simulated encoder's cards are saved when the use ends.
class EncoderUse {
public:
    /// Finds the encoder named by the request's "encoder" (or the only one)
    /// and leases it. The error is the answer to give.
    static boost::asio::awaitable<std::expected<std::unique_ptr<EncoderUse>, Answer>> begin(Service& service,
                                                                                             Request& request);
    /// The same, with the encoder arguments in `arguments` (a nested object of the request).
    static boost::asio::awaitable<std::expected<std::unique_ptr<EncoderUse>, Answer>> begin(
        Service& service, Request& request, const nlohmann::json& arguments);

    EncoderUse(Service& service, StationLease lease, int sector, std::chrono::milliseconds wait, ProgressSink progress);
    ~EncoderUse();
    EncoderUse(const EncoderUse&) = delete;
    EncoderUse& operator=(const EncoderUse&) = delete;

    /// Waits for a card (with `other_than`, for a card with another UID),
    /// asking for it on the request's progress lines when it is not there
    /// (unless `prompt` is false: the caller asked already). An answer when
    /// none came.
    boost::asio::awaitable<std::optional<Answer>> wait_for_card(std::optional<std::vector<std::uint8_t>> other_than = {},
                                                                bool prompt = true);

    encoder::CardSession& session() { return *session_; }
    Station& station() { return *lease_; }
    const std::string& name() const { return lease_->device.name; }

private:
    Service& service_;
    StationLease lease_;
    std::chrono::milliseconds wait_;
    int sector_;
    ProgressSink progress_;
    std::unique_ptr<encoder::CardSession> session_;
};

/// The request arguments every card-writing command accepts besides its own.
inline constexpr std::string_view encoder_argument = "encoder";
inline constexpr std::string_view wait_argument = "wait_s";

/// An encoder or card failure as an answer (result 7).
Answer from_encoder_error(const encoder::Error& error);
/// The same failure as a store error, for a card step.
store::Error card_error(const encoder::Error& error);

/// The identity block of a card as the store holds it.
protocol::card::Identity identity_of(const store::Card& card, int valid_years);

/// A store change that takes a card step.
using CardChange = std::function<store::Result<store::Card>(const store::CardStep* step)>;

/// Runs `change` with a step that refuses, so every rule of the change is
/// checked (and rolled back) before anyone is asked for a card.
store::Result<void> rehearse(const CardChange& change);

/// Writes a new card of ours as part of `change` (issue, onboarding,
/// replacement): the card on the encoder must be blank, or ours and not a
/// live card in the store. `uid` is set to the card's UID before `change`
/// runs, for the store to record.
store::Result<store::Card> write_new_card(Service& service, EncoderUse& use, std::string& uid, const CardChange& change);

/// Reads the card on the encoder and checks it is card `card_no`.
store::Result<encoder::CardImage> read_expected_card(Service& service, EncoderUse& use, store::CardNo card_no);

/// The card as JSON, for answers.
nlohmann::json to_json(const encoder::CardImage& image);

}  // namespace cardd::daemon
