#pragma once
// What the card-writing workflows share: taking an encoder and waiting for
// the card (which settles a write of it left open), reading the card a
// workflow expects, and writing a new card of ours through the journal.

#include "daemon/async/asio.hpp"
#include <nlohmann/json.hpp>

#include <chrono>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "daemon/control/answer.hpp"
#include "daemon/control/command_registry.hpp"
#include "daemon/encoders.hpp"
#include "daemon/encoder/card_session.hpp"
#include "protocol/card/card_layout.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

/// The request arguments every card-writing command accepts besides its
/// own: "encoder" (a name; absent: the only encoder) and "wait_s", how long
/// to wait for the card (1 to 3600 s; absent: the configured wait).
struct EncoderChoice {
    std::optional<std::string> name;
    std::optional<std::chrono::seconds> wait;
};
inline constexpr std::string_view encoder_argument = "encoder";
inline constexpr std::string_view wait_argument = "wait_s";
/// Reads "encoder" and "wait_s" from `arguments` (the request's, or a nested object of it).
EncoderChoice parse_encoder_choice(const nlohmann::json& arguments);

/// An encoder leased for one workflow, with a session on the configured sector.
class EncoderUse {
public:
    /// Finds the encoder `choice` names (or the only one) and leases it;
    /// progress goes to the request's connection. The error is the answer to give.
    static boost::asio::awaitable<std::expected<std::unique_ptr<EncoderUse>, Answer>> begin(
        Service& service, Request& request, const EncoderChoice& choice);

    EncoderUse(Service& service, StationLease lease, int sector, std::chrono::milliseconds wait, ProgressSink progress);
    ~EncoderUse();
    EncoderUse(const EncoderUse&) = delete;
    EncoderUse& operator=(const EncoderUse&) = delete;

    /// Waits for a card (with `other_than`, for a card with another UID),
    /// asking for it on the request's progress lines when it is not there
    /// (unless `prompt` is false: the caller asked already). A write of that
    /// card left open is settled first, and said on a progress line. The
    /// error is the answer when no card came.
    boost::asio::awaitable<std::expected<void, Answer>> wait_for_card(
        std::optional<std::vector<std::uint8_t>> other_than = {}, bool prompt = true);

    encoder::CardSession& session() { return *session_; }
    Station& station() { return *lease_; }
    const std::string& name() const { return lease_->device.name; }
    int sector() const noexcept { return sector_; }

private:
    Service& service_;
    StationLease lease_;
    std::chrono::milliseconds wait_;
    int sector_;
    ProgressSink progress_;
    std::unique_ptr<encoder::CardSession> session_;
};

/// A "write_off" asked (a negative balance written off at replacement or
/// close), which only an administrator may ask; the error is the answer to give.
std::expected<bool, Answer> write_off_of(const Request& request, bool write_off);

/// An encoder or card failure as an answer (result 7).
Answer from_encoder_error(const encoder::Error& error);
/// The same, under the name CARDD_CO_TRY calls (daemon/control/co_try.hpp).
inline Answer from_error(const encoder::Error& error) { return from_encoder_error(error); }
/// The same failure as a store error, for a card step.
store::Error card_error(const encoder::Error& error);

/// The identity block of a card as the store holds it.
protocol::card::Identity identity_of(const store::Card& card, int valid_years);
/// The identity block of a new card: its number, serial and issue time.
protocol::card::Identity identity_of(store::CardNo card_no, std::int64_t serial, store::UnixTime issued_at,
                                     int valid_years);

/// Writes the card on the encoder through the journal: its UID and its
/// sector before go into `intent`, `after` gives the sector it is written to.
store::Result<store::AppliedWrite> write_card(Service& service, EncoderUse& use, store::WriteIntent intent,
                                              const std::function<encoder::Sector(const store::WriteIntent&)>& after);

/// Writes a new card of ours through the journal (issue, onboarding,
/// replacement): the card on the encoder must be blank, or ours and not a
/// live card in the store. It is written with `balance` and the next counter;
/// `intent` gets the chip's UID and the card's sector before.
store::Result<store::AppliedWrite> write_new_card(Service& service, EncoderUse& use, store::WriteIntent intent,
                                                  store::Cents balance);

/// Reads the card on the encoder and checks it is card `card_no`.
store::Result<encoder::CardImage> read_expected_card(Service& service, EncoderUse& use, store::CardNo card_no);

/// The card as JSON, for answers.
nlohmann::json to_json(const encoder::CardImage& image);

}  // namespace cardd::daemon
