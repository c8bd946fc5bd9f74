#include "daemon/metrics_feed.hpp"

#include "daemon/health.hpp"

namespace cardd::daemon {

MetricsFeed::MetricsFeed(boost::asio::io_context& io, store::CardStore& store, metrics::Metrics& metrics)
    : io_(io),
      store_(store),
      metrics_(metrics),
      refresh_soon_(io.get_executor(), refresh_spacing, [this] { refresh(); }) {
    events_.card_write = [this](std::string_view outcome) {
        metrics_.count_card_write(outcome);
        refresh_soon();
    };
    events_.push_confirmed = [this](double seconds) { metrics_.observe_push_latency(seconds); };
    events_.changed = [this] { refresh_soon(); };
}

void MetricsFeed::observe(CommandRegistry& registry) {
    registry.observe([this](std::string_view command, ResultCode result) {
        metrics_.count_request(command, static_cast<int>(result));
        // Most commands change what the gauges show; a refresh is a few COUNTs.
        refresh_soon();
    });
}

void MetricsFeed::start(std::chrono::steady_clock::duration interval) {
    refresh();
    loop_.start(io_.get_executor(), interval, [this]() -> boost::asio::awaitable<void> {
        refresh();
        co_return;
    });
}

void MetricsFeed::stop() { loop_.stop(); }

void MetricsFeed::refresh_soon() { refresh_soon_.request(); }

void MetricsFeed::refresh() {
    auto health = read_health(store_, store::system_clock_now());
    // A store that does not answer keeps the last figures; its outage is logged where it is met.
    if (!health) return;
    metrics::Gauges gauges;
    for (const TerminalState state : terminal_states) {
        gauges.terminals_by_state.emplace_back(std::string(to_string(state)), health->terminals_in(state));
    }
    gauges.retry_queue_depth = health->retry_queue_depth();
    gauges.pending_batches = health->pending_batches();
    gauges.open_card_writes = health->counts.open_writes;
    if (health->counts.oldest_open_write_at) {
        gauges.oldest_open_card_write_s = std::max<std::int64_t>(0, health->now - *health->counts.oldest_open_write_at);
    }
    for (const TerminalHealth& terminal : health->terminals) {
        gauges.collection_lag_s.emplace_back(terminal.device.name, health->collection_lag(terminal));
    }
    metrics_.set(gauges);
}

}  // namespace cardd::daemon
