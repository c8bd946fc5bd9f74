#include "tests/daemon/terminal/planner.hpp"

#include <algorithm>

#include <gtest/gtest.h>

namespace cardd::daemon::test {

std::int64_t Planner::next_version() {
    const std::int64_t version = next_version_;
    next_version_ += step_;
    return version;
}

void Planner::change(BatchOp op, const std::vector<std::uint32_t>& cards) {
    constexpr std::size_t per_batch = 76;  // one 0x17 command
    for (std::size_t i = 0; i < cards.size(); i += per_batch) {
        BlacklistBatch batch;
        batch.op = op;
        batch.base_version = planned_;
        batch.new_version = next_version();
        batch.cards.assign(cards.begin() + static_cast<std::ptrdiff_t>(i),
                           cards.begin() + static_cast<std::ptrdiff_t>(std::min(cards.size(), i + per_batch)));
        for (const auto card : batch.cards) {
            if (op == BatchOp::add) {
                desired_.insert(card);
            } else {
                desired_.erase(card);
            }
        }
        planned_ = batch.new_version;
        pending_.push_back(std::move(batch));
    }
}

void Planner::add(const std::vector<std::uint32_t>& cards) { change(BatchOp::add, cards); }
void Planner::remove(const std::vector<std::uint32_t>& cards) { change(BatchOp::remove, cards); }

void Planner::full() {
    BlacklistBatch batch;
    batch.op = BatchOp::full;
    batch.base_version = confirmed_;
    batch.new_version = next_version();
    planned_ = batch.new_version;
    pending_ = {std::move(batch)};
}

void Planner::confirm(std::int64_t version) {
    std::erase_if(pending_, [&](const BlacklistBatch& batch) { return batch.new_version <= version; });
    confirmed_ = version;
}

void Planner::record(const SyncOutcome& outcome) {
    if (!outcome.confirmed_version) return;
    // CardStore::confirm_version refuses a version that is not a batch, or a
    // superseded one: the outcome must only name pending batches.
    const auto version = *outcome.confirmed_version;
    EXPECT_TRUE(std::ranges::any_of(pending_, [&](const auto& batch) { return batch.new_version == version; }))
        << "confirmed_version " << version << " is not a pending batch";
    confirm(version);
}

SyncPlan Planner::plan(protocol::Transport transport, std::uint32_t session) const {
    SyncPlan plan;
    plan.planned_version = planned_;
    plan.confirmed_version = confirmed_;
    plan.pending = pending_;
    plan.desired = DesiredSet::of(desired());
    plan.transport = transport;
    plan.session_id = session;
    return plan;
}

}  // namespace cardd::daemon::test
