#include "daemon/terminal/connection_budget.hpp"

namespace cardd::daemon {

void ConnectionBudget::opening(Holder& holder) {
    std::lock_guard lock(mutex_);
    if (auto found = place_.find(&holder); found != place_.end()) {
        by_open_.erase(found->second);
        place_.erase(found);
    }
    // Only try: a busy holder's thread may be waiting for this budget's lock
    // in closed(), so waiting for that holder's lock here would deadlock.
    for (auto at = by_open_.end(); at != by_open_.begin() && by_open_.size() >= limit_;) {
        --at;
        Holder* candidate = *at;
        if (candidate->close_if_idle()) {
            place_.erase(candidate);
            at = by_open_.erase(at);
            ++evicted_;
        }
    }
    place_.emplace(&holder, by_open_.insert(by_open_.end(), &holder));
}

void ConnectionBudget::closed(Holder& holder) noexcept {
    std::lock_guard lock(mutex_);
    if (auto found = place_.find(&holder); found != place_.end()) {
        by_open_.erase(found->second);
        place_.erase(found);
    }
}

std::size_t ConnectionBudget::open() const {
    std::lock_guard lock(mutex_);
    return by_open_.size();
}

std::size_t ConnectionBudget::evicted() const {
    std::lock_guard lock(mutex_);
    return evicted_;
}

}  // namespace cardd::daemon
