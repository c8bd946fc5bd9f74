#include "daemon/terminal/connection_budget.hpp"

namespace cardd::daemon {

void ConnectionBudget::touch(Holder& holder) {
    if (auto found = place_.find(&holder); found != place_.end()) {
        by_use_.splice(by_use_.end(), by_use_, found->second);
        return;
    }
    place_.emplace(&holder, by_use_.insert(by_use_.end(), &holder));
}

void ConnectionBudget::opening(Holder& holder) {
    std::lock_guard lock(mutex_);
    if (auto found = place_.find(&holder); found != place_.end()) {
        by_use_.erase(found->second);
        place_.erase(found);
    }
    // Only try: a busy holder's thread may be waiting for this budget's lock
    // in used(), so waiting for that holder's lock here would deadlock.
    for (auto at = by_use_.begin(); at != by_use_.end() && by_use_.size() >= limit_;) {
        Holder* candidate = *at;
        if (candidate->close_if_idle()) {
            place_.erase(candidate);
            at = by_use_.erase(at);
            ++evicted_;
        } else {
            ++at;
        }
    }
    touch(holder);
}

void ConnectionBudget::used(Holder& holder) {
    std::lock_guard lock(mutex_);
    touch(holder);
}

void ConnectionBudget::closed(Holder& holder) noexcept {
    std::lock_guard lock(mutex_);
    if (auto found = place_.find(&holder); found != place_.end()) {
        by_use_.erase(found->second);
        place_.erase(found);
    }
}

std::size_t ConnectionBudget::open() const {
    std::lock_guard lock(mutex_);
    return by_use_.size();
}

std::size_t ConnectionBudget::evicted() const {
    std::lock_guard lock(mutex_);
    return evicted_;
}

}  // namespace cardd::daemon
