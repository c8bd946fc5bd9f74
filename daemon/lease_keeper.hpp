#pragma once
// This instance's side of the terminal leases (docs/scale.md): a lease round
// every third of the lease time, the terminals it drives, and its leases
// handed back at a clean stop. Without an instance name there are no
// leases: it drives every terminal, and the store fences nothing.

#include <functional>
#include <set>
#include <vector>

#include "daemon/async/asio.hpp"
#include "daemon/async/interval_loop.hpp"
#include "daemon/config.hpp"
#include "store/card_store.hpp"

namespace cardd::daemon {

class LeaseKeeper {
public:
    /// `claimed` hears, on the io thread, of the terminals a round gave this
    /// instance, so that they are brought level: others may have planned
    /// batches for them while no one drove them.
    using Claimed = std::function<void(const std::vector<store::DeviceId>&)>;
    LeaseKeeper(boost::asio::io_context& io, store::CardStore& store, const Config& config, Claimed claimed);

    /// The first round, before anything drives a terminal; a refusal (a bad
    /// instance name, the database away) stops cardd from starting.
    store::Result<void> start();
    /// Hands every lease back, so that the others take them at their next round.
    void stop();

    bool leasing() const noexcept { return !config_.instance.empty(); }
    /// Whether this instance drives the terminal now: every one when alone.
    bool drives(store::DeviceId terminal) const;
    /// How many terminals it drives, when leasing.
    std::size_t held() const noexcept { return held_.size(); }

private:
    store::Result<void> round();

    boost::asio::io_context& io_;
    store::CardStore& store_;
    const Config& config_;
    Claimed claimed_;
    std::set<store::DeviceId> held_;
    async::IntervalLoop rounds_;
};

}  // namespace cardd::daemon
