#include "daemon/encoders.hpp"

#include "daemon/async/asio.hpp"

#include "daemon/log.hpp"
#include "daemon/encoder/libusb_transport.hpp"

namespace cardd::daemon {

namespace asio = boost::asio;
using asio::awaitable;
using asio::use_awaitable;

namespace {

// Short enough that a card is noticed at once, long enough not to keep the
// USB bus busy for nothing.
constexpr auto card_poll_interval = std::chrono::milliseconds(100);

awaitable<void> pause(std::chrono::milliseconds duration) {
    asio::steady_timer timer(co_await asio::this_coro::executor, duration);
    boost::system::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(use_awaitable, ignored));
}

bool same_spec(const store::Device& a, const store::Device& b) {
    return a.id == b.id && a.encoder && b.encoder && a.encoder->simulated == b.encoder->simulated &&
           a.encoder->vendor_id == b.encoder->vendor_id && a.encoder->product_id == b.encoder->product_id;
}

}  // namespace

encoder::Result<void> Station::open() {
    if (reader) return {};
    if (device.encoder->simulated) {
        auto simulated = std::make_unique<encoder::sim::SimulatedReader>(
            encoder::sim::ShelfDirectory(shelf_directory, old_shelf_file));
        if (auto loaded = simulated->load_shelf_directory(); !loaded) {
            log_event(msg::encoder_shelf_unreadable,
                      {{"encoder", device.name}, {"directory", shelf_directory}, {"error", loaded.error().message}});
        }
        sim = simulated.get();
        transport = std::move(simulated);
    } else {
        auto opened = encoder::LibusbTransport::open(device.encoder->vendor_id, device.encoder->product_id);
        if (!opened) return std::unexpected(opened.error());
        transport = std::move(*opened);
        sim = nullptr;
    }
    ccid = std::make_unique<encoder::CcidReader>(*transport);
    reader = std::make_unique<encoder::MifareReader>(*ccid);
    return {};
}

void Station::forget_if_gone(const encoder::Error& error) {
    if (sim) return;
    if (error.code == encoder::Errc::no_device || error.code == encoder::Errc::usb_io) {
        reader.reset();
        ccid.reset();
        transport.reset();
    }
}

Encoders::Encoders(asio::io_context& io, store::CardStore& store, const protocol::card::MasterKey& master,
                   std::filesystem::path data_dir)
    : io_(io), store_(store), master_(master), data_dir_(std::move(data_dir)) {}

store::Result<Station*> Encoders::find(const std::optional<std::string>& name) {
    std::vector<store::Device> encoders;
    if (name) {
        // One row by its name, not every device of a site with thousands of terminals.
        auto named = store_.device(*name);
        if (!named && named.error().code != store::Errc::not_found) return std::unexpected(named.error());
        if (named && named->kind == store::DeviceKind::encoder) encoders.push_back(std::move(*named));
    } else {
        auto devices = store_.devices();
        if (!devices) return std::unexpected(devices.error());
        for (auto& device : *devices) {
            if (device.kind == store::DeviceKind::encoder) encoders.push_back(device);
        }
    }
    if (encoders.empty()) {
        if (name) {
            return store::fail(store::Errc::not_found,
                               "no encoder named " + *name + " (cardctl device list shows them)");
        }
        return store::fail(store::Errc::not_found,
                           "no encoder is registered: add one with cardctl device add-encoder NAME --usb VID:PID");
    }
    if (encoders.size() > 1) {
        return store::fail(
            store::Errc::invalid_argument,
            std::to_string(encoders.size()) + " encoders are registered: choose one with --encoder NAME");
    }
    const store::Device& device = encoders.front();
    auto& station = stations_[device.name];
    // A station for a device removed and added again under the same name starts afresh.
    if (!station || !same_spec(station->device, device)) {
        if (station && leases_.locked(station.get())) {
            return store::fail(store::Errc::conflict, "encoder " + device.name + " is busy");
        }
        station = std::make_unique<Station>();
        station->device = device;
        station->shelf_directory = data_dir_ / ("encoder-" + device.name + ".cards.d");
        station->old_shelf_file = data_dir_ / ("encoder-" + device.name + ".cards");
    }
    return station.get();
}

awaitable<StationLease> Encoders::lease(Station& station) {
    auto held = co_await leases_.lock(&station);
    co_return StationLease(station, std::move(held));
}

awaitable<encoder::Result<void>> Encoders::wait_for_card(Station& station, std::chrono::milliseconds timeout,
                                                         std::optional<std::vector<std::uint8_t>> other_than) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    station.waiting = true;
    station.cancel_asked = false;
    struct Waiting {
        Station& station;
        ~Waiting() { station.waiting = false; }
    } waiting{station};
    for (;;) {
        if (station.cancel_asked) {
            station.cancel_asked = false;
            co_return encoder::fail(encoder::Errc::no_card,
                                    "the wait for a card on encoder " + station.device.name + " was cancelled");
        }
        if (auto opened = station.open(); !opened) co_return std::unexpected(opened.error());
        if (station.sim && station.blank_feed > 0 && !station.sim->card_on_reader()) {
            if (auto placed = station.sim->place_blank(); !placed) co_return std::unexpected(placed.error());
            --station.blank_feed;
        }
        auto present = station.reader->card_present();
        if (!present) {
            station.forget_if_gone(present.error());
            co_return std::unexpected(present.error());
        }
        if (*present) {
            if (!other_than) co_return encoder::Result<void>{};
            auto uid = station.reader->uid();
            if (uid && *uid != *other_than) co_return encoder::Result<void>{};
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout).count();
            co_return encoder::fail(encoder::Errc::no_card, std::string(other_than ? "no other card" : "no card") +
                                                                " was placed on encoder " + station.device.name +
                                                                " within " + std::to_string(seconds) + " s");
        }
        co_await pause(card_poll_interval);
    }
}

bool Encoders::cancel_wait(Station& station) {
    if (!station.waiting) return false;
    station.cancel_asked = true;
    return true;
}

}  // namespace cardd::daemon
