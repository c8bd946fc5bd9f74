#pragma once
// The encoders registered in the store, as open readers: one Station per
// encoder, opened on first use (libusb, or the simulated reader) and opened
// again after the reader went away. Use of a station is serialised: a
// workflow leases it, waits for a card, does its reads and writes, and hands
// it back; another workflow waits its turn.

#include "daemon/async/asio.hpp"
#include "daemon/async/keyed_lock.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "daemon/encoder/ccid_reader.hpp"
#include "daemon/encoder/mifare_reader.hpp"
#include "daemon/encoder/sim/simulated_reader.hpp"
#include "daemon/encoder/usb_transport.hpp"
#include "protocol/card/key_diversification.hpp"
#include "store/card_store.hpp"

namespace cardd::daemon {

struct Station {
    store::Device device;
    std::unique_ptr<encoder::UsbTransport> transport;
    encoder::sim::SimulatedReader* sim = nullptr;  ///< the transport, when simulated
    std::unique_ptr<encoder::CcidReader> ccid;
    std::unique_ptr<encoder::MifareReader> reader;
    int blank_feed = 0;                     ///< simulated: blank cards still to place, one each time the slot is empty
    std::filesystem::path shelf_directory;  ///< simulated: where its virtual cards are kept, a file each
    std::filesystem::path old_shelf_file;   ///< simulated: the single file of earlier releases, moved in on open
    bool waiting = false;                   ///< a workflow is waiting for a card on it
    bool cancel_asked = false;              ///< encoder-cancel asked that wait to end

    /// Opens the reader when it is not open. The simulated one always opens.
    encoder::Result<void> open();
    /// Drops a reader that failed at the USB level, so the next use opens it again.
    void forget_if_gone(const encoder::Error& error);
};

/// Holds a station for one workflow; gives it back (to the next workflow
/// waiting for it) when destroyed.
class StationLease {
public:
    using Lock = async::KeyedLock<const Station*>;

    StationLease(Station& station, Lock::Guard held) : station_(&station), held_(std::move(held)) {}
    StationLease(StationLease&&) noexcept = default;
    StationLease& operator=(StationLease&&) = delete;
    Station& operator*() const { return *station_; }
    Station* operator->() const { return station_; }

private:
    Station* station_;
    Lock::Guard held_;
};

class Encoders {
public:
    Encoders(boost::asio::io_context& io, store::CardStore& store, const protocol::card::MasterKey& master,
             std::filesystem::path data_dir);

    const protocol::card::MasterKey& master_key() const noexcept { return master_; }

    /// The named encoder, or the only one registered. Errors: not_found
    /// (none, or no such name), invalid_argument (several and no name).
    store::Result<Station*> find(const std::optional<std::string>& name);

    /// Waits until the station is free, then leases it; workflows waiting for
    /// one station get it in the order they asked.
    boost::asio::awaitable<StationLease> lease(Station& station);

    /// Waits up to `timeout` for a card on the station's reader; with
    /// `other_than`, for a card with another UID (the next card of a batch).
    boost::asio::awaitable<encoder::Result<void>> wait_for_card(
        Station& station, std::chrono::milliseconds timeout, std::optional<std::vector<std::uint8_t>> other_than = {});

    /// Ends the wait for a card of the workflow holding the station (a
    /// person at the desk pressed Cancel). A card already being written is
    /// not stopped: only the wait is. False when no workflow is waiting.
    bool cancel_wait(Station& station);

private:
    boost::asio::io_context& io_;
    store::CardStore& store_;
    const protocol::card::MasterKey& master_;
    std::filesystem::path data_dir_;
    std::map<std::string, std::unique_ptr<Station>> stations_;
    StationLease::Lock leases_;
};

}  // namespace cardd::daemon
