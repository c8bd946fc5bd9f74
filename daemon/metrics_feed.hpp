#pragma once
// Feeds the metrics (daemon/metrics/) from the service, on the io thread:
// the health gauges read from the store every few seconds and soon after a
// change, the counters from the service's events and the command registry.
// The endpoint's thread only reads what is set here.

#include <chrono>
#include <string>

#include "daemon/async/asio.hpp"
#include "daemon/async/interval_loop.hpp"
#include "daemon/async/throttle.hpp"
#include "daemon/control/command_registry.hpp"
#include "daemon/events.hpp"
#include "daemon/metrics/metrics.hpp"
#include "store/card_store.hpp"

namespace cardd::daemon {

class MetricsFeed {
public:
    MetricsFeed(boost::asio::io_context& io, store::CardStore& store, metrics::Metrics& metrics);

    /// The events the distributor and the workflows report to.
    const Events& events() const noexcept { return events_; }
    /// Counts each request the registry answers.
    void observe(CommandRegistry& registry);

    /// Refreshes the gauges now and then every `interval`.
    void start(std::chrono::steady_clock::duration interval);
    void stop();

private:
    void refresh();
    /// Refreshes soon: a burst of changes (every terminal of a push) reads
    /// the store at its start and after it, not once per change.
    void refresh_soon();
    static constexpr std::chrono::milliseconds refresh_spacing{500};

    boost::asio::io_context& io_;
    store::CardStore& store_;
    metrics::Metrics& metrics_;
    Events events_;
    async::Throttle refresh_soon_;
    async::IntervalLoop loop_;
};

}  // namespace cardd::daemon
