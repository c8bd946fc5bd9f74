// card-init, card-read, encoder-sim-place, encoder-sim-remove, encoder-sim-slow, and an encoder's parameters:
// what is done to a card on the encoder without another store change.

#include "daemon/commands/card.hpp"

#include <random>

#include "daemon/control/arguments.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/card_workflow.hpp"
#include "daemon/json_view.hpp"
#include "daemon/log.hpp"
#include "daemon/service.hpp"
#include "daemon/simulated_station.hpp"
#include "daemon/encoder/sim/virtual_card.hpp"
#include "protocol/card/access_bits.hpp"
#include "protocol/money.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;
namespace card = protocol::card;

namespace {

std::string kind_name(encoder::CardKind kind) {
    switch (kind) {
        case encoder::CardKind::blank: return "blank";
        case encoder::CardKind::ours: return "ours";
        case encoder::CardKind::foreign: return "foreign";
    }
    return "unknown";
}

/// Each way the card and the store disagree, as a sentence.
json differences(const encoder::CardImage& image, const store::Card& stored, std::int64_t now) {
    json found = json::array();
    const std::string uid = encoder::uid_hex(image.uid);
    if (stored.uid && *stored.uid != uid) {
        found.push_back("the store holds chip " + *stored.uid + " for card " + std::to_string(stored.card_no) +
                        ", this chip is " + uid);
    }
    if (image.identity.serial != stored.serial) {
        found.push_back("serial: the card says " + std::to_string(image.identity.serial) + ", the store " +
                        std::to_string(stored.serial));
    }
    if (stored.state != store::CardState::active) {
        found.push_back("the store has this card as " + std::string(to_string(stored.state)) +
                        (stored.state == store::CardState::lost ? " (terminals it was pushed to refuse it)" : ""));
    }
    if (image.balance != stored.balance) {
        found.push_back("balance: the card holds " + protocol::format_yuan(image.balance) + ", the ledger " +
                        protocol::format_yuan(stored.balance) +
                        (image.balance < stored.balance
                             ? " (purchases not yet collected from terminals explain a lower card balance)"
                             : ""));
    }
    if (card::unix_seconds(image.identity.expires) < now) found.push_back("the card expired");
    return found;
}

/// A card written by another card centre: its sectors' keys are not ours.
encoder::sim::VirtualCard foreign_card(std::vector<std::uint8_t> uid) {
    encoder::sim::VirtualCard other(std::move(uid));
    std::mt19937 random(std::random_device{}());
    card::Key key_a{};
    card::Key key_b{};
    for (auto& byte : key_a) byte = static_cast<std::uint8_t>(random());
    for (auto& byte : key_b) byte = static_cast<std::uint8_t>(random());
    for (int sector = card::first_sector; sector <= card::last_sector; ++sector) {
        const std::uint8_t trailer = card::block_number(sector, card::trailer_offset);
        (void)other.authenticate(trailer, card::KeyType::a, card::transport_key);
        (void)other.write(trailer, card::encode_trailer(key_a, card::issued_access, key_b));
    }
    other.halt();
    return other;
}

/// A slowed card command holds cardd's io thread, so the delay is bounded.
constexpr std::int64_t max_sim_command_ms = 10000;

/// The card on the encoder, told apart: the encoder leased, the card placed.
struct PlacedCard {
    std::unique_ptr<EncoderUse> use;
    encoder::CardKind kind = encoder::CardKind::foreign;
    std::string uid;
};

awaitable<std::expected<PlacedCard, Answer>> place_card(Service& service, Request& request,
                                                        const EncoderChoice& choice) {
    CARDD_CO_TRY(use, co_await EncoderUse::begin(service, request, choice));
    CARDD_CO_TRY_VOID(co_await use->wait_for_card());
    encoder::CardSession& session = use->session();
    CARDD_CO_TRY(kind, session.classify());
    CARDD_CO_TRY(uid, session.uid());
    PlacedCard placed{std::move(use), kind, encoder::uid_hex(uid)};
    co_return placed;
}

}  // namespace

CardReadArgs parse_card_read(const json& a) {
    args::only(a, {"card_no", "encoder", "wait_s"});
    return {args::optional_int(a, "card_no"), parse_encoder_choice(a)};
}

EncoderChoice parse_encoder_only(const json& a) {
    args::only(a, {"encoder", "wait_s"});
    return parse_encoder_choice(a);
}

SimPlaceArgs parse_sim_place(const json& a) {
    args::only(a, {"encoder", "blank", "uid", "foreign", "count"});
    SimPlaceArgs place;
    place.blank = args::optional_bool(a, "blank", false);
    place.foreign = args::optional_bool(a, "foreign", false);
    const auto uid_text = args::optional_string(a, "uid");
    place.count = args::optional_int32(a, "count").value_or(1);
    if (place.blank == uid_text.has_value()) throw BadArgument("give exactly one of 'blank' and 'uid'");
    if (place.count < 1 || place.count > 1000) throw BadArgument("'count' must be 1 to 1000");
    if (place.count > 1 && !place.blank) throw BadArgument("'count' goes with 'blank'");
    if (place.foreign && !uid_text) throw BadArgument("'foreign' goes with 'uid'");
    if (uid_text) {
        place.uid = parse_uid(*uid_text);
        if (!place.uid) throw BadArgument("'uid' must be 8 or 14 hexadecimal digits (a 4- or 7-byte UID)");
    }
    place.encoder = args::optional_string(a, encoder_argument);
    return place;
}

SimSlowArgs parse_sim_slow(const json& a) {
    args::only(a, {"encoder", "ms"});
    const auto ms = args::required_int(a, "ms");
    if (ms < 0 || ms > max_sim_command_ms) {
        throw BadArgument("'ms' must be 0 to " + std::to_string(max_sim_command_ms) + " milliseconds per card command");
    }
    return {ms, args::optional_string(a, encoder_argument)};
}

EncoderNameArgs parse_encoder_name(const json& a) {
    args::only(a, {"encoder"});
    return {args::optional_string(a, encoder_argument)};
}

SimRemoveArgs parse_sim_remove(const json& a) {
    args::only(a, {"encoder", "after"});
    const auto after = args::optional_int32(a, "after");
    if (after && (*after < 0 || *after > 1000)) throw BadArgument("'after' must be 0 to 1000 card commands");
    return {after, args::optional_string(a, encoder_argument)};
}

awaitable<Answer> encoder_read_params(Service& service, const std::string& name) {
    CARDD_CO_TRY(station, service.encoders.find(name));
    StationLease lease = co_await service.encoders.lease(*station);
    CARDD_CO_TRY_VOID(lease->open());
    auto firmware = lease->reader->firmware();
    if (!firmware) {
        lease->forget_if_gone(firmware.error());
        co_return Answer::failure(ResultCode::card_failed,
                                  "encoder " + name + " did not answer: " + firmware.error().message);
    }
    CARDD_CO_TRY(present, lease->reader->card_present());
    json params = {{"device", name}, {"firmware", *firmware}, {"card_present", present}};
    std::string text =
        "encoder " + name + " answered: firmware " + *firmware + ", " + (present ? "a card" : "no card") + " on it";
    if (present) {
        if (auto uid = lease->reader->uid()) params["uid"] = encoder::uid_hex(*uid);
    }
    co_return Answer::ok(text, params);
}

awaitable<Answer> card_read(Service& service, Request& request, const CardReadArgs& arguments) {
    CARDD_CO_TRY(placed, co_await place_card(service, request, arguments.encoder));
    const std::string& chip = placed.uid;
    json answer = {{"uid", chip}, {"kind", kind_name(placed.kind)}};
    if (placed.kind == encoder::CardKind::blank) co_return Answer::ok("a blank card (" + chip + ")", answer);
    if (placed.kind == encoder::CardKind::foreign) {
        co_return Answer::ok("a card from another system (" + chip + "): its keys are not ours", answer);
    }
    CARDD_CO_TRY(image, placed.use->session().read());
    answer["on_card"] = to_json(image);
    json found = json::array();
    if (arguments.expected && *arguments.expected != image.identity.card_no) {
        found.push_back("this is card " + std::to_string(image.identity.card_no) + ", not " +
                        std::to_string(*arguments.expected));
    }
    auto stored = service.store.card(image.identity.card_no);
    if (stored) {
        answer["card"] = to_json(*stored);
        for (auto& difference : differences(image, *stored, store::system_clock_now())) found.push_back(difference);
    } else if (stored.error().code == store::Errc::not_found) {
        found.push_back("card " + std::to_string(image.identity.card_no) + " is not in the store");
    } else {
        CARDD_CO_TRY_VOID(stored);
    }
    answer["differences"] = found;
    std::string text = "card " + std::to_string(image.identity.card_no) + " (" + chip + "), holds " +
                       protocol::format_yuan(image.balance);
    text += found.empty() ? "; the card agrees with the store"
                          : "; " + std::to_string(found.size()) + (found.size() == 1 ? " difference" : " differences") +
                                " with the store";
    co_return Answer::ok(text, answer);
}

awaitable<Answer> card_init(Service& service, Request& request, const EncoderChoice& arguments) {
    CARDD_CO_TRY(placed, co_await place_card(service, request, arguments));
    encoder::CardSession& session = placed.use->session();
    const std::string& chip = placed.uid;
    if (placed.kind == encoder::CardKind::foreign) {
        co_return Answer::failure(ResultCode::card_failed,
                                  "the card " + chip + " belongs to another system; it cannot be initialised here");
    }
    std::string was = "blank";
    if (placed.kind == encoder::CardKind::ours) {
        // A live card holds money the ledger counts: it is returned
        // (cardctl card return --wipe), never initialised away.
        if (auto image = session.read()) {
            was = "card " + std::to_string(image->identity.card_no);
            CARDD_CO_TRY_VOID(service.store.check_chip_reusable(image->identity.card_no, chip));
        } else {
            was = "unreadable card of ours";
        }
    }
    store::WriteIntent intent;
    intent.kind = store::WriteKind::init;
    intent.actor = actor_of(request);
    CARDD_CO_TRY(wiped, write_card(service, *placed.use, std::move(intent),
                                   [](const store::WriteIntent&) { return encoder::blank_sector(); }));
    // A returned card's blacklist entries went with the wipe.
    if (!wiped.change.batches.empty()) {
        co_await service.distributor.push(terminals_changed(wiped.change), service.config.push_timeout, ProgressSink(),
                                          PushMode::changes_only);
    }
    co_return Answer::ok("card " + chip + " initialised: a blank card (was " + was + ")",
                         {{"uid", chip}, {"was", was}});
}

awaitable<Answer> encoder_sim_place(Service& service, Request&, const SimPlaceArgs& arguments) {
    CARDD_CO_TRY(station, simulated_station(service, arguments.encoder));
    Station& simulated = *station;
    std::optional<std::vector<std::uint8_t>> uid = arguments.uid;
    std::string text;
    if (arguments.blank) {
        CARDD_CO_TRY(fresh, simulated.sim->place_blank());
        uid = std::move(fresh);
        simulated.blank_feed = arguments.count - 1;
        text = "a blank card " + encoder::uid_hex(*uid) + " is on encoder " + simulated.device.name;
        if (arguments.count > 1) {
            text += "; " + std::to_string(arguments.count - 1) + " more follow, one each time the reader is empty";
        }
    } else if (arguments.foreign) {
        CARDD_CO_TRY_VOID(simulated.sim->place(foreign_card(*uid)));
        text = "a card from another system, " + encoder::uid_hex(*uid) + ", is on encoder " + simulated.device.name;
    } else {
        CARDD_CO_TRY_VOID(simulated.sim->place(*uid));
        text = "card " + encoder::uid_hex(*uid) + " is on encoder " + simulated.device.name;
    }
    co_return Answer::ok(text, {{"uid", encoder::uid_hex(*uid)}, {"encoder", simulated.device.name}});
}

// Tests slow the simulated reader down to hold a card write open for
// long enough to break something else in the middle of it.
awaitable<Answer> encoder_sim_slow(Service& service, Request&, const SimSlowArgs& arguments) {
    CARDD_CO_TRY(station, simulated_station(service, arguments.encoder));
    Station& simulated = *station;
    simulated.sim->slow_down(std::chrono::milliseconds(arguments.ms));
    const json answer = {{"encoder", simulated.device.name}, {"ms", arguments.ms}};
    if (arguments.ms == 0) {
        co_return Answer::ok("encoder " + simulated.device.name + " answers every card command at once", answer);
    }
    co_return Answer::ok(
        "every card command on encoder " + simulated.device.name + " now takes " + std::to_string(arguments.ms) + " ms",
        answer);
}

awaitable<Answer> encoder_sim_remove(Service& service, Request&, const SimRemoveArgs& arguments) {
    CARDD_CO_TRY(station, simulated_station(service, arguments.encoder));
    Station& simulated = *station;
    simulated.blank_feed = 0;
    if (arguments.after && *arguments.after > 0) {
        simulated.sim->remove_after(*arguments.after);
        co_return Answer::ok("the card leaves encoder " + simulated.device.name + " after " +
                             std::to_string(*arguments.after) + " more card commands");
    }
    simulated.sim->remove();
    co_return Answer::ok("encoder " + simulated.device.name + " is empty");
}

awaitable<Answer> encoder_cancel(Service& service, Request& request, const EncoderNameArgs& arguments) {
    CARDD_CO_TRY(station, service.encoders.find(arguments.encoder));
    if (!service.encoders.cancel_wait(*station)) {
        co_return Answer::failure(ResultCode::conflict,
                                  "no workflow is waiting for a card on encoder " + station->device.name);
    }
    log_event(msg::card_wait_cancelled, {{"encoder", station->device.name}, {"uid", request.caller.uid}});
    co_return Answer::ok(
        "the wait for a card on encoder " + station->device.name + " is cancelled; nothing was written",
        {{"encoder", station->device.name}});
}

}  // namespace cardd::daemon
