#pragma once
// cardd's Prometheus metrics (docs/metrics.md). Every call is thread-safe
// (prometheus-cpp's metrics are); cardd makes them all from its io thread,
// and the endpoint's own thread only reads them at each scrape.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cardd::daemon::metrics {

/// What the gauges show, read from the store by the service.
struct Gauges {
    std::vector<std::pair<std::string, std::int64_t>> terminals_by_state;  ///< state name, count
    std::int64_t retry_queue_depth = 0;
    std::int64_t pending_batches = 0;
    std::int64_t open_card_writes = 0;
    std::int64_t oldest_open_card_write_s = 0;                           ///< 0 with none open
    std::vector<std::pair<std::string, std::int64_t>> collection_lag_s;  ///< terminal name, seconds
};

/// The card write outcomes counted (cardd_card_writes_total's label).
inline constexpr std::string_view card_write_outcomes[] = {"written", "failed", "pending", "settled"};

class Metrics {
public:
    Metrics();
    ~Metrics();
    Metrics(const Metrics&) = delete;
    Metrics& operator=(const Metrics&) = delete;

    /// Serves GET /metrics on `listen` (IPv4 HOST:PORT or [IPv6]:PORT) from
    /// the endpoint's own threads; throws std::runtime_error when it cannot listen.
    void serve(const std::string& listen);
    bool serving() const noexcept;

    /// One control-socket request answered with `result`.
    void count_request(std::string_view command, int result);
    /// A terminal confirmed blacklist batches `seconds` after the oldest was written.
    void observe_push_latency(double seconds);
    /// A card write ended as one of card_write_outcomes.
    void count_card_write(std::string_view outcome);
    /// Sets every gauge; terminals no longer listed lose their series.
    void set(const Gauges& gauges);

    /// The text a scrape would get, for tests and for debugging.
    std::string exposition() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace cardd::daemon::metrics
