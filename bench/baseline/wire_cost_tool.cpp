// What protocol/wire_cost.hpp says a full sync of the cards FIRST ..
// FIRST+COUNT-1 costs with 0x17 commands, as list and as bitmap, and which of
// the two cardd picks for a terminal with this bitmap limit. The resync
// benchmark compares the bytes card-termsim counted with these.
//
// Usage: wire_cost_tool FIRST COUNT BITMAP_LIMIT [tcp|rtu]
// Prints one JSON object.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string_view>
#include <vector>

#include "protocol/registers.hpp"
#include "protocol/status.hpp"
#include "protocol/wire_cost.hpp"

namespace {

void print_cost(const char* name, const cardd::protocol::WireCost& cost) {
    std::printf("\"%s\": {\"bytes\": %llu, \"request_bytes\": %llu, \"response_bytes\": %llu, \"frames\": %llu}", name,
                static_cast<unsigned long long>(cost.bytes()), static_cast<unsigned long long>(cost.request_bytes),
                static_cast<unsigned long long>(cost.response_bytes),
                static_cast<unsigned long long>(cost.round_trips));
}

}  // namespace

int main(int argc, char** argv) {
    namespace protocol = cardd::protocol;
    if (argc < 4 || argc > 5) {
        std::fprintf(stderr, "usage: wire_cost_tool FIRST COUNT BITMAP_LIMIT [tcp|rtu]\n");
        return 2;
    }
    const auto first = static_cast<std::uint32_t>(std::strtoul(argv[1], nullptr, 10));
    const auto count = static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10));
    const auto bitmap_limit = static_cast<std::uint32_t>(std::strtoul(argv[3], nullptr, 10));
    const bool rtu = argc == 5 && std::string_view(argv[4]) == "rtu";
    if (first == 0 || count == 0 || std::uint64_t{first} + count - 1 > protocol::max_card_number) {
        std::fprintf(stderr, "wire_cost_tool: cards out of range\n");
        return 2;
    }
    std::vector<std::uint32_t> cards(count);
    std::iota(cards.begin(), cards.end(), first);
    const auto transport = rtu ? protocol::Transport::rtu : protocol::Transport::tcp;
    constexpr auto rw = protocol::WriteFunction::read_write_multiple;
    const auto costs = protocol::full_sync_costs(cards, transport, rw);
    const auto chosen =
        protocol::choose_full_sync_format(cards, transport, bitmap_limit, protocol::capability::bitmap_full_sync, rw);
    std::printf("{\"entries\": %zu, \"bitmap_bytes\": %zu, \"format\": \"%s\", ", costs.entries, costs.bitmap_bytes,
                std::string(protocol::to_string(chosen)).c_str());
    print_cost("list", costs.list);
    std::printf(", ");
    print_cost("bitmap", costs.bitmap);
    std::printf(", ");
    print_cost("chosen", chosen == protocol::SyncFormat::bitmap ? costs.bitmap : costs.list);
    std::printf("}\n");
    return 0;
}
