#include "daemon/lease_keeper.hpp"

#include <algorithm>
#include <iterator>

#include "daemon/log.hpp"
#include "daemon/log_catalogue.hpp"

namespace cardd::daemon {

LeaseKeeper::LeaseKeeper(boost::asio::io_context& io, store::CardStore& store, const Config& config, Claimed claimed)
    : io_(io), store_(store), config_(config), claimed_(std::move(claimed)) {}

store::Result<void> LeaseKeeper::start() {
    if (!leasing()) return {};
    if (auto first = round(); !first) return first;
    // A third of the lease: two rounds may fail in a row before it lapses.
    rounds_.start(io_.get_executor(), config_.lease_time / 3, [this]() -> boost::asio::awaitable<void> {
        if (auto done = round(); !done) {
            log_event(msg::lease_round_failed, {{"instance", config_.instance}, {"error", done.error().message}});
        }
        co_return;
    });
    return {};
}

void LeaseKeeper::stop() {
    rounds_.stop();
    if (!leasing()) return;
    // A failure leaves the leases to lapse: the others take them then.
    (void)store_.release_leases(config_.instance);
    held_.clear();
}

bool LeaseKeeper::drives(store::DeviceId terminal) const { return !leasing() || held_.contains(terminal); }

store::Result<void> LeaseKeeper::round() {
    auto got = store_.lease_round({config_.instance, config_.lease_time.count(), config_.buses});
    if (!got) return std::unexpected(std::move(got.error()));
    std::set<store::DeviceId> now;
    for (const store::Lease& lease : got->held) now.insert(lease.terminal);
    std::vector<store::DeviceId> claimed;
    std::ranges::set_difference(now, held_, std::back_inserter(claimed));
    std::vector<store::DeviceId> given_up;
    std::ranges::set_difference(held_, now, std::back_inserter(given_up));
    held_ = std::move(now);
    if (!claimed.empty() || !given_up.empty()) {
        log_event(msg::leases_changed, {{"instance", config_.instance},
                                        {"held", held_.size()},
                                        {"claimed", claimed.size()},
                                        {"given_up", given_up.size()},
                                        {"instances", got->instances}});
    }
    if (!claimed.empty() && claimed_) claimed_(claimed);
    return {};
}

}  // namespace cardd::daemon
