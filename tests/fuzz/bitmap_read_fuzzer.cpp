// Fuzzes reading a set back from a bitmap, and feeds the set to the code that
// works on whole sets (build, checksum, wire cost).

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "protocol/bitmap.hpp"
#include "protocol/checksum.hpp"
#include "protocol/wire_cost.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cardd::protocol;
using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> bytes(data, size);
    const auto cards = read_bitmap(bytes);
    if (!cards) {
        require(size > 0 && (data[0] & 0x80) != 0, "a bitmap without card 0 was refused");
        return 0;
    }
    require(std::ranges::adjacent_find(*cards, std::greater_equal<>{}) == cards->end(), "cards not ascending");
    require(cards->empty() || cards->front() != 0, "card 0 read back");

    // The shortest bitmap of the set is the input without its trailing zero bytes.
    std::size_t used = size;
    while (used > 0 && data[used - 1] == 0) --used;
    const auto rebuilt = build_bitmap(*cards);
    require(rebuilt.size() == used && std::equal(rebuilt.begin(), rebuilt.end(), data), "build(read(x)) != x");

    std::vector<std::uint32_t> shuffled(cards->rbegin(), cards->rend());
    require(blacklist_checksum(shuffled) == list_crc(*cards), "checksum depends on order");
    const auto costs = full_sync_costs(*cards, Transport::rtu);
    require(costs.entries == cards->size() && costs.bitmap_bytes == used, "wire cost saw another set");
    (void)choose_full_sync_format(*cards, Transport::tcp, max_card_number, capability::bitmap_full_sync);
    return 0;
}
