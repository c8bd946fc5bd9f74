#pragma once
// The set a terminal must end up enforcing, as the caller plans it: a list
// shared by every terminal (the cards lost everywhere), with this terminal's
// own few differences from it. Thousands of terminals share one list and its
// checksum; the whole set of one terminal is built only when a full sync or
// a weighing of deltas against one needs it.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

namespace cardd::daemon {

class DesiredSet {
public:
    /// The list shared by terminals, with what every sync asks of it computed once.
    struct Shared {
        std::vector<std::uint32_t> cards;  ///< ascending, distinct
        bool carriable = true;             ///< every card fits CT-1 (1 to 16777215)
        std::uint32_t checksum = 0;        ///< protocol::blacklist_checksum(cards), when carriable
    };
    /// Sorts and de-duplicates `cards` (0 stands for a card CT-1 cannot carry).
    static std::shared_ptr<const Shared> share(std::vector<std::uint32_t> cards);

    DesiredSet() : DesiredSet(share({}), {}, {}) {}
    /// A set of its own, with no list shared.
    static DesiredSet of(std::vector<std::uint32_t> cards) { return DesiredSet(share(std::move(cards)), {}, {}); }
    /// `shared` with the cards in `plus` added and those in `minus` left out.
    DesiredSet(std::shared_ptr<const Shared> shared, std::vector<std::uint32_t> plus, std::vector<std::uint32_t> minus);

    /// Every card fits CT-1: only then may the set be sent.
    bool carriable() const noexcept { return carriable_; }
    std::size_t size() const noexcept { return size_; }
    /// The highest card, 0 for the empty set.
    std::uint32_t largest() const noexcept { return largest_; }
    /// protocol::blacklist_checksum of the set; the shared list's own when
    /// there are no exceptions. Only for a carriable set.
    std::uint32_t checksum() const;
    /// The whole set, ascending; built on first use.
    const std::vector<std::uint32_t>& cards() const;

private:
    std::shared_ptr<const Shared> shared_;
    std::vector<std::uint32_t> plus_;
    std::vector<std::uint32_t> minus_;
    bool carriable_ = true;
    std::size_t size_ = 0;
    std::uint32_t largest_ = 0;
    mutable std::optional<std::vector<std::uint32_t>> whole_;
};

}  // namespace cardd::daemon
