#include "protocol/wire_cost.hpp"

#include <algorithm>
#include <functional>
#include <vector>

#include "protocol/bitmap.hpp"
#include "protocol/entry_packing.hpp"

namespace cardd::protocol {

namespace {

constexpr std::uint64_t frame_overhead(Transport transport) noexcept {
    return transport == Transport::tcp ? 7 : 3;  // MBAP header; or address + CRC
}

// n items, at most `per_command` per command, each command costing cost_of(items).
template <class CostOf>
WireCost chunked(std::size_t n, std::size_t per_command, CostOf cost_of) noexcept {
    WireCost total = cost_of(per_command) * (n / per_command);
    if (n % per_command != 0) total += cost_of(n % per_command);
    return total;
}

WireCost entries_chunks(std::size_t entries, Transport transport, WriteFunction function) noexcept {
    return chunked(entries, max_entries_per_command(function), [&](std::size_t items) {
        return command_cost(mailbox::header_registers + entry_registers(items), transport, function);
    });
}

WireCost begin_and_commit(Transport transport, WriteFunction function) noexcept {
    WireCost cost = command_cost(mailbox::header_registers + mailbox::full_begin_items, transport, function);
    cost += command_cost(mailbox::header_registers, transport, function);
    return cost;
}

struct SetShape {
    std::size_t count = 0;
    std::uint32_t highest = 0;
};

SetShape shape_of(std::span<const std::uint32_t> cards) {
    if (cards.empty()) return {};
    if (std::ranges::adjacent_find(cards, std::greater_equal<>{}) == cards.end()) {
        return {cards.size(), cards.back()};
    }
    std::vector<std::uint32_t> sorted(cards.begin(), cards.end());
    std::ranges::sort(sorted);
    const auto [first, last] = std::ranges::unique(sorted);
    sorted.erase(first, last);
    return {sorted.size(), sorted.back()};
}

}  // namespace

WireCost command_cost(std::size_t write_registers, Transport transport, WriteFunction function) noexcept {
    const std::uint64_t overhead = frame_overhead(transport);
    const std::uint64_t data = 2 * std::uint64_t{write_registers};
    if (function == WriteFunction::write_multiple) {
        return {overhead + 6 + data, overhead + 5, 1};
    }
    return {overhead + 10 + data, overhead + 2 + 2 * std::uint64_t{command_readback_registers}, 1};
}

WireCost full_list_cost(std::size_t entries, Transport transport, WriteFunction function) noexcept {
    WireCost cost = begin_and_commit(transport, function);
    cost += entries_chunks(entries, transport, function);
    return cost;
}

WireCost full_bitmap_cost(std::size_t bitmap_bytes, Transport transport, WriteFunction function) noexcept {
    WireCost cost = begin_and_commit(transport, function);
    cost += chunked(bitmap_bytes, max_bitmap_bytes_per_command(function), [&](std::size_t bytes) {
        return command_cost(mailbox::header_registers + byte_registers(bytes), transport, function);
    });
    return cost;
}

WireCost delta_cost(std::size_t entries, Transport transport, WriteFunction function) noexcept {
    return entries_chunks(entries, transport, function);
}

FullSyncCosts full_sync_costs(std::span<const std::uint32_t> cards, Transport transport, WriteFunction function) {
    const SetShape shape = shape_of(cards);
    FullSyncCosts costs;
    costs.entries = shape.count;
    costs.bitmap_bytes = shape.count == 0 ? 0 : bitmap_bytes_for(shape.highest);
    costs.list = full_list_cost(costs.entries, transport, function);
    costs.bitmap = full_bitmap_cost(costs.bitmap_bytes, transport, function);
    return costs;
}

SyncFormat choose_full_sync_format(std::span<const std::uint32_t> cards, Transport transport,
                                   std::uint32_t bitmap_limit, std::uint16_t capabilities, WriteFunction function) {
    if ((capabilities & capability::bitmap_full_sync) == 0 || cards.empty()) return SyncFormat::list;
    if (std::ranges::max(cards) > bitmap_limit) return SyncFormat::list;
    const FullSyncCosts costs = full_sync_costs(cards, transport, function);
    return costs.bitmap.bytes() < costs.list.bytes() ? SyncFormat::bitmap : SyncFormat::list;
}

std::chrono::microseconds rtu_silent_interval(std::uint32_t baud, std::uint32_t bits_per_char) noexcept {
    if (baud == 0) return std::chrono::microseconds::zero();
    // 3.5 characters = 7 * bits / 2 bit times.
    const std::uint64_t silence_us =
        baud > 19200 ? 1750 : (std::uint64_t{7} * bits_per_char * 1'000'000 + 2ull * baud - 1) / (2ull * baud);
    return std::chrono::microseconds(static_cast<std::int64_t>(silence_us));
}

std::chrono::microseconds rtu_line_time(const WireCost& cost, std::uint32_t baud,
                                        std::uint32_t bits_per_char) noexcept {
    if (baud == 0) return std::chrono::microseconds::zero();
    const std::uint64_t frames = 2 * cost.round_trips;
    const std::uint64_t bit_us = cost.bytes() * bits_per_char * 1'000'000;
    const std::uint64_t data_us = (bit_us + baud - 1) / baud;
    return std::chrono::microseconds(static_cast<std::int64_t>(data_us)) +
           static_cast<std::int64_t>(frames) * rtu_silent_interval(baud, bits_per_char);
}

}  // namespace cardd::protocol
