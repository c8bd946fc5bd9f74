#include "daemon/metrics/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <stdexcept>

namespace cardd::daemon::metrics {

namespace {

// From a push that reaches the terminals at once (under a second) to one
// that waited hours for a terminal to come back.
const prometheus::Histogram::BucketBoundaries push_buckets{0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600};

}  // namespace

struct Metrics::Impl {
    std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
    std::unique_ptr<prometheus::Exposer> exposer;

    prometheus::Family<prometheus::Counter>& requests =
        prometheus::BuildCounter()
            .Name("cardd_requests_total")
            .Help("Control-socket requests answered, by command and result code")
            .Register(*registry);
    prometheus::Family<prometheus::Counter>& card_writes = prometheus::BuildCounter()
                                                               .Name("cardd_card_writes_total")
                                                               .Help("Card writes on an encoder, by outcome")
                                                               .Register(*registry);
    prometheus::Family<prometheus::Histogram>& push_latency_family =
        prometheus::BuildHistogram()
            .Name("cardd_push_latency_seconds")
            .Help("Seconds from a blacklist change being written to a terminal confirming it")
            .Register(*registry);
    prometheus::Histogram& push_latency = push_latency_family.Add({}, push_buckets);
    prometheus::Family<prometheus::Gauge>& terminals =
        prometheus::BuildGauge().Name("cardd_terminals").Help("Terminals by state").Register(*registry);
    prometheus::Gauge& retry_queue = prometheus::BuildGauge()
                                         .Name("cardd_retry_queue_depth")
                                         .Help("Terminals waiting for a retry")
                                         .Register(*registry)
                                         .Add({});
    prometheus::Gauge& pending_batches = prometheus::BuildGauge()
                                             .Name("cardd_blacklist_batches_pending")
                                             .Help("Blacklist batches written and not yet confirmed by their terminal")
                                             .Register(*registry)
                                             .Add({});
    prometheus::Gauge& open_writes = prometheus::BuildGauge()
                                         .Name("cardd_card_writes_open")
                                         .Help("Card-write intents open in the journal")
                                         .Register(*registry)
                                         .Add({});
    prometheus::Gauge& oldest_open_write = prometheus::BuildGauge()
                                               .Name("cardd_card_write_oldest_open_seconds")
                                               .Help("Age of the oldest open card-write intent; 0 with none")
                                               .Register(*registry)
                                               .Add({});
    prometheus::Family<prometheus::Gauge>& lag_family =
        prometheus::BuildGauge()
            .Name("cardd_collection_lag_seconds")
            .Help("Seconds since records were last collected from the terminal (since it was added, if never)")
            .Register(*registry);
    prometheus::Gauge& lag_max = prometheus::BuildGauge()
                                     .Name("cardd_collection_lag_max_seconds")
                                     .Help("The largest collection lag of any terminal; 0 with no terminals")
                                     .Register(*registry)
                                     .Add({});

    std::mutex lag_mutex;  // guards lag, which set() may change while another caller does
    std::map<std::string, prometheus::Gauge*, std::less<>> lag;
};

Metrics::Metrics() : impl_(std::make_unique<Impl>()) {
    // Every outcome and state is there from the start, at 0, so a rate() or
    // an alert has a series before the first event.
    for (const std::string_view outcome : card_write_outcomes) {
        impl_->card_writes.Add({{"outcome", std::string(outcome)}});
    }
}

Metrics::~Metrics() = default;

void Metrics::serve(const std::string& listen) {
    try {
        auto exposer = std::make_unique<prometheus::Exposer>(listen, 1);
        exposer->RegisterCollectable(impl_->registry);
        impl_->exposer = std::move(exposer);
    } catch (const std::exception& error) {
        throw std::runtime_error("cannot serve metrics on " + listen + ": " + error.what());
    }
}

bool Metrics::serving() const noexcept { return impl_->exposer != nullptr; }

void Metrics::count_request(std::string_view command, int result) {
    impl_->requests.Add({{"command", std::string(command)}, {"result", std::to_string(result)}}).Increment();
}

void Metrics::observe_push_latency(double seconds) { impl_->push_latency.Observe(std::max(0.0, seconds)); }

void Metrics::count_card_write(std::string_view outcome) {
    impl_->card_writes.Add({{"outcome", std::string(outcome)}}).Increment();
}

void Metrics::set(const Gauges& gauges) {
    for (const auto& [state, count] : gauges.terminals_by_state) {
        impl_->terminals.Add({{"state", state}}).Set(static_cast<double>(count));
    }
    impl_->retry_queue.Set(static_cast<double>(gauges.retry_queue_depth));
    impl_->pending_batches.Set(static_cast<double>(gauges.pending_batches));
    impl_->open_writes.Set(static_cast<double>(gauges.open_card_writes));
    impl_->oldest_open_write.Set(static_cast<double>(gauges.oldest_open_card_write_s));

    const std::lock_guard lock(impl_->lag_mutex);
    std::map<std::string, prometheus::Gauge*, std::less<>> now;
    std::int64_t most = 0;
    for (const auto& [terminal, seconds] : gauges.collection_lag_s) {
        prometheus::Gauge& gauge = impl_->lag_family.Add({{"terminal", terminal}});
        gauge.Set(static_cast<double>(seconds));
        now.emplace(terminal, &gauge);
        most = std::max(most, seconds);
    }
    // A removed terminal's series goes, rather than stay at its last lag.
    for (const auto& [terminal, gauge] : impl_->lag) {
        if (!now.contains(terminal)) impl_->lag_family.Remove(gauge);
    }
    impl_->lag = std::move(now);
    impl_->lag_max.Set(static_cast<double>(most));
}

std::string Metrics::exposition() const { return prometheus::TextSerializer().Serialize(impl_->registry->Collect()); }

}  // namespace cardd::daemon::metrics
