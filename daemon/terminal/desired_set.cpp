#include "daemon/terminal/desired_set.hpp"

#include <algorithm>
#include <iterator>

#include "protocol/checksum.hpp"
#include "protocol/registers.hpp"

namespace cardd::daemon {

namespace {

std::vector<std::uint32_t> ascending(std::vector<std::uint32_t> cards) {
    std::ranges::sort(cards);
    cards.erase(std::ranges::unique(cards).begin(), cards.end());
    return cards;
}

bool fits(std::uint32_t card) noexcept { return card >= 1 && card <= protocol::max_card_number; }

}  // namespace

std::shared_ptr<const DesiredSet::Shared> DesiredSet::share(std::vector<std::uint32_t> cards) {
    auto shared = std::make_shared<Shared>();
    shared->cards = ascending(std::move(cards));
    shared->carriable = std::ranges::all_of(shared->cards, fits);
    if (shared->carriable) shared->checksum = protocol::blacklist_checksum(shared->cards);
    return shared;
}

DesiredSet::DesiredSet(std::shared_ptr<const Shared> shared, std::vector<std::uint32_t> plus,
                       std::vector<std::uint32_t> minus)
    : shared_(std::move(shared)), plus_(ascending(std::move(plus))), minus_(ascending(std::move(minus))) {
    const auto& listed = shared_->cards;
    // A minus card not in the list, or a plus card already in it, changes
    // nothing: count only what the exceptions really change.
    std::size_t removed = 0;
    for (const std::uint32_t card : minus_) removed += std::ranges::binary_search(listed, card) ? 1 : 0;
    std::size_t added = 0;
    for (const std::uint32_t card : plus_) added += std::ranges::binary_search(listed, card) ? 0 : 1;
    size_ = listed.size() - removed + added;
    carriable_ = shared_->carriable && std::ranges::all_of(plus_, fits);
    for (auto it = listed.rbegin(); it != listed.rend(); ++it) {
        if (!std::ranges::binary_search(minus_, *it)) {
            largest_ = *it;
            break;
        }
    }
    if (!plus_.empty()) largest_ = std::max(largest_, plus_.back());
}

std::uint32_t DesiredSet::checksum() const {
    if (plus_.empty() && minus_.empty()) return shared_->checksum;
    return protocol::blacklist_checksum(cards());
}

const std::vector<std::uint32_t>& DesiredSet::cards() const {
    if (plus_.empty() && minus_.empty()) return shared_->cards;
    if (!whole_) {
        std::vector<std::uint32_t> kept;
        kept.reserve(shared_->cards.size());
        std::ranges::set_difference(shared_->cards, minus_, std::back_inserter(kept));
        std::vector<std::uint32_t> whole;
        whole.reserve(kept.size() + plus_.size());
        std::ranges::set_union(kept, plus_, std::back_inserter(whole));
        whole_ = std::move(whole);
    }
    return *whole_;
}

}  // namespace cardd::daemon
