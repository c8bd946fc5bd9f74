#include "daemon/card_workflow.hpp"

#include <chrono>

#include "daemon/control/arguments.hpp"
#include "daemon/card_write.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/log.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

namespace asio = boost::asio;
using asio::awaitable;
using nlohmann::json;
namespace card = protocol::card;

EncoderChoice parse_encoder_choice(const json& arguments) {
    EncoderChoice choice;
    choice.name = args::optional_string(arguments, encoder_argument);
    const auto wait_s = args::optional_int(arguments, wait_argument);
    if (wait_s && (*wait_s < 1 || *wait_s > 3600)) throw BadArgument("'wait_s' must be 1 to 3600 seconds");
    if (wait_s) choice.wait = std::chrono::seconds(*wait_s);
    return choice;
}

awaitable<std::expected<std::unique_ptr<EncoderUse>, Answer>> EncoderUse::begin(Service& service, Request& request,
                                                                                const EncoderChoice& choice) {
    const std::chrono::milliseconds wait = std::chrono::duration_cast<std::chrono::milliseconds>(
        choice.wait.value_or(std::chrono::duration_cast<std::chrono::seconds>(service.config.card_wait)));
    CARDD_CO_TRY(format, service.store.card_format());
    CARDD_CO_TRY(station, service.encoders.find(choice.name));
    StationLease lease = co_await service.encoders.lease(*station);
    co_return std::make_unique<EncoderUse>(service, std::move(lease), format.sector, wait, request.progress);
}

EncoderUse::EncoderUse(Service& service, StationLease lease, int sector, std::chrono::milliseconds wait,
                       ProgressSink progress)
    : service_(service), lease_(std::move(lease)), wait_(wait), sector_(sector), progress_(std::move(progress)) {}

EncoderUse::~EncoderUse() = default;

awaitable<std::expected<void, Answer>> EncoderUse::wait_for_card(std::optional<std::vector<std::uint8_t>> other_than,
                                                                 bool prompt) {
    session_.reset();
    auto placed = co_await service_.encoders.wait_for_card(*lease_, std::chrono::milliseconds(0), other_than);
    if (!placed && placed.error().code == encoder::Errc::no_card) {
        if (prompt && progress_) {
            const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(wait_).count();
            json asking = {
                {"text", "place the card on encoder " + name() + " (waiting up to " + std::to_string(seconds) + " s)"}};
            co_await progress_(std::move(asking));
        }
        placed = co_await service_.encoders.wait_for_card(*lease_, wait_, std::move(other_than));
    }
    CARDD_CO_TRY_VOID(placed);
    session_ = std::make_unique<encoder::CardSession>(*lease_->reader, service_.encoders.master_key(), sector_);
    CARDD_CO_TRY(settled, settle_card_on_encoder(service_, *this));
    if (settled && progress_) {
        json told = {{"text", settled->text}};
        co_await progress_(std::move(told));
    }
    co_return std::expected<void, Answer>{};
}

std::expected<bool, Answer> write_off_of(const Request& request, bool write_off) {
    if (write_off && request.caller.role != Role::admin) {
        return std::unexpected(
            Answer::failure(ResultCode::denied, "writing off a negative balance is an administrator's decision"));
    }
    return write_off;
}

Answer from_encoder_error(const encoder::Error& error) {
    return Answer::failure(ResultCode::card_failed, card_error(error).message);
}

store::Error card_error(const encoder::Error& error) {
    if (error.code == encoder::Errc::card_removed) {
        return store::Error{store::Errc::card, "the card was taken off the encoder before it was written (" +
                                                   error.message + "); nothing was changed: place it again and repeat"};
    }
    return store::Error{store::Errc::card, error.message};
}

card::Identity identity_of(const store::Card& stored, int valid_years) {
    return identity_of(stored.card_no, stored.serial, stored.issued_at, valid_years);
}

card::Identity identity_of(store::CardNo card_no, std::int64_t serial, store::UnixTime issued_at, int valid_years) {
    using namespace std::chrono;
    card::Identity identity;
    identity.status = card::CardStatus::active;
    identity.card_no = static_cast<std::uint32_t>(card_no);
    identity.serial = static_cast<std::uint32_t>(serial);
    identity.issued = card::day_number(issued_at);
    // The same day `valid_years` later; 29 February becomes 28 February.
    const year_month_day issued{floor<days>(sys_seconds(seconds(issued_at)))};
    year_month_day expires = issued + years(valid_years);
    if (!expires.ok()) expires = expires.year() / expires.month() / last;
    identity.expires = card::day_number(sys_seconds(sys_days(expires)).time_since_epoch().count());
    return identity;
}

store::Result<store::AppliedWrite> write_card(Service& service, EncoderUse& use, store::WriteIntent intent,
                                              const std::function<encoder::Sector(const store::WriteIntent&)>& after) {
    auto chip = use.session().uid();
    if (!chip) return std::unexpected(card_error(chip.error()));
    auto before = use.session().read_sector();
    if (!before) return std::unexpected(card_error(before.error()));
    intent.uid = encoder::uid_hex(*chip);
    intent.before = content_of(*before, use.sector());
    return journaled_write(service, use, std::move(intent), after);
}

store::Result<store::AppliedWrite> write_new_card(Service& service, EncoderUse& use, store::WriteIntent intent,
                                                  store::Cents balance) {
    encoder::CardSession& session = use.session();
    auto chip = session.uid();
    if (!chip) return std::unexpected(card_error(chip.error()));
    auto before = session.read_sector();
    if (!before) {
        if (before.error().code == encoder::Errc::auth_failed) {
            return store::fail(store::Errc::card,
                               "the card " + encoder::uid_hex(*chip) + " on encoder " + use.name() +
                                   " belongs to another system: its keys are not this card centre's");
        }
        return std::unexpected(card_error(before.error()));
    }
    // The next count: a card of ours written again goes on from its counter.
    std::uint32_t counter = 1;
    if (before->keys == encoder::CardKind::ours) {
        // A card of ours may be written again only when the store does not
        // count it as a live card: a returned card, or a write that never
        // reached the store.
        auto image = session.read();
        if (image) {
            auto reusable = service.store.check_chip_reusable(image->identity.card_no, encoder::uid_hex(*chip));
            if (!reusable) return std::unexpected(reusable.error());
            if (image->counter < card::max_counter) counter = image->counter + 1;
        }
    }
    intent.uid = encoder::uid_hex(*chip);
    intent.before = content_of(*before, use.sector());
    const int valid_years = service.config.card_valid_years;
    const int sector = use.sector();
    return journaled_write(service, use, std::move(intent), [&](const store::WriteIntent& planned) {
        return encoder::card_sector(identity_of(planned.card_no, planned.serial, planned.created_at, valid_years),
                                    static_cast<std::int32_t>(balance), counter, sector);
    });
}

store::Result<encoder::CardImage> read_expected_card(Service& service, EncoderUse& use, store::CardNo card_no) {
    auto image = use.session().read();
    if (!image) return std::unexpected(card_error(image.error()));
    if (image->identity.card_no != card_no) {
        return store::fail(store::Errc::conflict, "the card on encoder " + use.name() + " is card " +
                                                      std::to_string(image->identity.card_no) + ", not " +
                                                      std::to_string(card_no));
    }
    auto stored = service.store.card(card_no);
    if (!stored) return std::unexpected(stored.error());
    const std::string uid = encoder::uid_hex(image->uid);
    if (stored->uid && *stored->uid != uid) {
        return store::fail(store::Errc::conflict, "the card on encoder " + use.name() + " says it is card " +
                                                      std::to_string(card_no) + ", but its chip " + uid +
                                                      " is not the one the store holds for that card (" + *stored->uid +
                                                      "): a copy, or a card written elsewhere");
    }
    return *image;
}

json to_json(const encoder::CardImage& image) {
    const auto date = [](card::DayNumber day) {
        const std::chrono::year_month_day ymd{std::chrono::sys_days(std::chrono::floor<std::chrono::days>(
            std::chrono::sys_seconds(std::chrono::seconds(card::unix_seconds(day)))))};
        char text[16];
        std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                      static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
        return std::string(text);
    };
    return {{"uid", encoder::uid_hex(image.uid)},
            {"card_no", image.identity.card_no},
            {"serial", image.identity.serial},
            {"status", image.identity.status == card::CardStatus::active ? "active" : "closed"},
            {"issued", date(image.identity.issued)},
            {"expires", date(image.identity.expires)},
            {"balance", image.balance},
            {"counter", image.counter}};
}

}  // namespace cardd::daemon
