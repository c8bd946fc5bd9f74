#include "tools/termsim/blacklist.hpp"

#include <algorithm>
#include <iterator>

#include "protocol/checksum.hpp"

namespace cardd::termsim {

namespace {

std::vector<std::uint32_t> sorted_distinct(std::span<const std::uint32_t> cards) {
    std::vector<std::uint32_t> sorted(cards.begin(), cards.end());
    std::ranges::sort(sorted);
    const auto [first, last] = std::ranges::unique(sorted);
    sorted.erase(first, last);
    return sorted;
}

}  // namespace

Blacklist::Blacklist(std::vector<std::uint32_t> cards) : cards_(std::move(cards)) { normalise(); }

bool Blacklist::contains(std::uint32_t card) const noexcept { return std::ranges::binary_search(cards_, card); }

std::size_t Blacklist::size_after_add(std::span<const std::uint32_t> cards) const {
    const auto extra = sorted_distinct(cards);
    std::size_t fresh = 0;
    for (const std::uint32_t card : extra) {
        if (!contains(card)) ++fresh;
    }
    return cards_.size() + fresh;
}

void Blacklist::add(std::span<const std::uint32_t> cards) {
    const auto extra = sorted_distinct(cards);
    std::vector<std::uint32_t> merged;
    merged.reserve(cards_.size() + extra.size());
    std::ranges::set_union(cards_, extra, std::back_inserter(merged));
    cards_ = std::move(merged);
    checksum_ = protocol::blacklist_checksum(cards_);
}

void Blacklist::remove(std::span<const std::uint32_t> cards) {
    const auto gone = sorted_distinct(cards);
    std::vector<std::uint32_t> kept;
    kept.reserve(cards_.size());
    std::ranges::set_difference(cards_, gone, std::back_inserter(kept));
    cards_ = std::move(kept);
    checksum_ = protocol::blacklist_checksum(cards_);
}

void Blacklist::replace(std::vector<std::uint32_t> cards) {
    cards_ = std::move(cards);
    normalise();
}

void Blacklist::normalise() {
    std::ranges::sort(cards_);
    const auto [first, last] = std::ranges::unique(cards_);
    cards_.erase(first, last);
    checksum_ = protocol::blacklist_checksum(cards_);
}

}  // namespace cardd::termsim
