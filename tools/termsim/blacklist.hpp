#pragma once
// The enforced blacklist of one terminal: a set of card numbers kept sorted,
// with its CT-1 checksum cached so reading the state block costs nothing.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace cardd::termsim {

class Blacklist {
public:
    Blacklist() = default;
    /// Any order, duplicates allowed; every card must be 1..0xFFFFFF.
    explicit Blacklist(std::vector<std::uint32_t> cards);

    bool contains(std::uint32_t card) const noexcept;
    std::size_t size() const noexcept { return cards_.size(); }
    /// Ascending, distinct.
    const std::vector<std::uint32_t>& cards() const noexcept { return cards_; }
    /// CRC-32 over the cards ascending, 3 bytes each (register 0x0019).
    std::uint32_t checksum() const noexcept { return checksum_; }

    /// Size the list would have after adding `cards` (present ones and
    /// duplicates count once).
    std::size_t size_after_add(std::span<const std::uint32_t> cards) const;
    void add(std::span<const std::uint32_t> cards);
    void remove(std::span<const std::uint32_t> cards);
    /// Replaces the whole set at once (a full sync commit).
    void replace(std::vector<std::uint32_t> cards);

private:
    void normalise();

    std::vector<std::uint32_t> cards_;
    std::uint32_t checksum_ = 0;
};

}  // namespace cardd::termsim
