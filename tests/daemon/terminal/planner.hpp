#pragma once
// The card centre's side of distribution, as docs/store.md describes it,
// reduced to one terminal and spoken in the driver's own types: a desired set, batches of at most 76 cards written before
// they are sent, versions from a counter that other terminals also draw on,
// full syncs that supersede pending deltas, and confirmations.

#include <cstdint>
#include <set>
#include <vector>

#include "daemon/terminal/blacklist_sync.hpp"

namespace cardd::daemon::test {

class Planner {
public:
    /// Versions start at `first_version` and step by `step`, so the code under
    /// test cannot rely on versions being consecutive.
    explicit Planner(std::int64_t first_version = 100, std::int64_t step = 3)
        : next_version_(first_version), step_(step) {}

    /// Changes the desired set by these cards, one batch per 76 of them.
    void add(const std::vector<std::uint32_t>& cards);
    void remove(const std::vector<std::uint32_t>& cards);
    /// CardStore::plan_full_sync: one full batch at a fresh version; pending deltas superseded.
    void full();
    /// CardStore::confirm_version.
    void confirm(std::int64_t version);
    /// Applies what a sync run says the terminal confirmed.
    void record(const SyncOutcome& outcome);

    SyncPlan plan(protocol::Transport transport = protocol::Transport::tcp, std::uint32_t session = 0x5E55'0001) const;

    std::vector<std::uint32_t> desired() const { return {desired_.begin(), desired_.end()}; }
    std::int64_t planned() const noexcept { return planned_; }
    std::int64_t confirmed() const noexcept { return confirmed_; }
    const std::vector<BlacklistBatch>& pending() const noexcept { return pending_; }

private:
    void change(BatchOp op, const std::vector<std::uint32_t>& cards);
    std::int64_t next_version();

    std::int64_t next_version_;
    std::int64_t step_;
    std::set<std::uint32_t> desired_;
    std::int64_t planned_ = 0;
    std::int64_t confirmed_ = 0;
    std::vector<BlacklistBatch> pending_;
};

}  // namespace cardd::daemon::test
