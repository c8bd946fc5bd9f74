#include "protocol/wire_cost.hpp"

#include <chrono>
#include <cstdint>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

using Cards = std::vector<std::uint32_t>;
constexpr auto fc10 = WriteFunction::write_multiple;
constexpr auto fc17 = WriteFunction::read_write_multiple;

// W = 7 header registers with 0x10:
//   TCP request 7 MBAP + 6 + 2*7 = 27, response 7 + 5 = 12;
//   RTU request 1 + 6 + 14 + 2 = 23, response 1 + 5 + 2 = 8.
// With 0x17 reading status and tag back: request 7 + 10 + 14 = 31, response 7 + 2 + 4 = 13.
TEST(WireCost, oneCommandFrames) {
    EXPECT_EQ(command_cost(7, Transport::tcp, fc10), (WireCost{27, 12, 1}));
    EXPECT_EQ(command_cost(7, Transport::rtu, fc10), (WireCost{23, 8, 1}));
    EXPECT_EQ(command_cost(7, Transport::tcp, fc17), (WireCost{31, 13, 1}));
    EXPECT_EQ(command_cost(7, Transport::rtu, fc17), (WireCost{27, 9, 1}));
}

// {1, 2, 3} over TCP with 0x10 (a command of W registers costs 25 + 2W):
//   FULL_BEGIN W = 10 -> 45; FULL_COMMIT W = 7 -> 39;
//   list chunk: 3 entries = 9 bytes = 5 regs, W = 12 -> 49; total 45 + 49 + 39 = 133;
//   bitmap: 3/8 + 1 = 1 byte = 1 reg, W = 8 -> 41; total 45 + 41 + 39 = 125.
TEST(WireCost, smallSetOverTcp) {
    const auto costs = full_sync_costs(Cards{1, 2, 3}, Transport::tcp);
    EXPECT_EQ(costs.entries, 3u);
    EXPECT_EQ(costs.bitmap_bytes, 1u);
    EXPECT_EQ(costs.list.bytes(), 133u);
    EXPECT_EQ(costs.bitmap.bytes(), 125u);
    EXPECT_EQ(costs.list.round_trips, 3u);
}

// The same set over RTU (17 + 2W a command): 37 + 41 + 31 = 109 as a list, 37 + 33 + 31 = 101 as a bitmap.
TEST(WireCost, smallSetOverRtu) {
    const auto costs = full_sync_costs(Cards{3, 2, 1, 1}, Transport::rtu);
    EXPECT_EQ(costs.entries, 3u);
    EXPECT_EQ(costs.list.bytes(), 109u);
    EXPECT_EQ(costs.bitmap.bytes(), 101u);
}

// An empty full sync is FULL_BEGIN and FULL_COMMIT: 45 + 39 = 84 either way.
TEST(WireCost, emptySetIsBeginAndCommit) {
    EXPECT_EQ(full_list_cost(0, Transport::tcp).bytes(), 84u);
    EXPECT_EQ(full_bitmap_cost(0, Transport::tcp).bytes(), 84u);
}

// Full chunks: 77 entries -> W = 123 -> 25 + 246 = 271 bytes over TCP.
// 20000 entries = 259 * 77 + 57; the last chunk is 171 bytes = 86 regs, W = 93 -> 211.
//   list = 45 + 259 * 271 + 211 + 39 = 70484.
// Bitmap of highest card 500000 = 62501 bytes = 269 * 232 + 93; full chunk W = 123 -> 271,
// last chunk 47 regs, W = 54 -> 133; bitmap = 45 + 269 * 271 + 133 + 39 = 73116.
TEST(WireCost, largeListAndBitmapOverTcp) {
    EXPECT_EQ(full_list_cost(20000, Transport::tcp).bytes(), 70484u);
    EXPECT_EQ(full_list_cost(20000, Transport::tcp).round_trips, 262u);
    EXPECT_EQ(full_bitmap_cost(62501, Transport::tcp).bytes(), 73116u);
    EXPECT_EQ(full_bitmap_cost(62501, Transport::tcp).round_trips, 272u);
}

// With 0x17 a chunk holds 76 entries: W = 7 + 114 = 121, request 7 + 10 + 242 = 259,
// response 7 + 2 + 4 = 13, so 272. BEGIN (W = 10) 37 + 13 = 50, COMMIT (W = 7) 31 + 13 = 44.
//   76 entries: 50 + 272 + 44 = 366; 77 entries add a 1-entry chunk (W = 9: 35 + 13 = 48): 414.
TEST(WireCost, readWriteFunctionChunksAtSeventySix) {
    EXPECT_EQ(full_list_cost(76, Transport::tcp, fc17).bytes(), 366u);
    EXPECT_EQ(full_list_cost(77, Transport::tcp, fc17).bytes(), 414u);
}

// A delta of 78 entries is two commands: 77 (271 bytes) and 1 (W = 9 -> 43) over TCP; 0 is nothing.
TEST(WireCost, deltaSplitsIntoCommands) {
    EXPECT_EQ(delta_cost(78, Transport::tcp), (WireCost{259 + 31, 12 + 12, 2}));
    EXPECT_EQ(delta_cost(0, Transport::tcp), WireCost{});
}

// Bitmap is chosen when cheaper and allowed.
TEST(WireCost, choosesBitmapWhenCheaper) {
    EXPECT_EQ(choose_full_sync_format(Cards{1, 2, 3}, Transport::tcp, 500000, capability::bitmap_full_sync),
              SyncFormat::bitmap);
}

// Never bitmap without capability bit 0, above the bitmap limit, or for the empty set.
TEST(WireCost, listWhenBitmapNotAllowed) {
    EXPECT_EQ(choose_full_sync_format(Cards{1, 2, 3}, Transport::tcp, 500000, 0), SyncFormat::list);
    EXPECT_EQ(choose_full_sync_format(Cards{1, 2, 3}, Transport::tcp, 2, capability::bitmap_full_sync),
              SyncFormat::list);
    EXPECT_EQ(choose_full_sync_format(Cards{}, Transport::tcp, 500000, capability::bitmap_full_sync), SyncFormat::list);
}

// One card at 500000: list 45 + 43 + 39 = 127 bytes against a 73116-byte bitmap.
TEST(WireCost, sparseSetGoesAsList) {
    EXPECT_EQ(full_sync_costs(Cards{500000}, Transport::tcp).list.bytes(), 127u);
    EXPECT_EQ(choose_full_sync_format(Cards{500000}, Transport::tcp, 500000, capability::bitmap_full_sync),
              SyncFormat::list);
}

// 20744 entries = 269 * 77 + 31 (93 bytes, like the bitmap's last chunk) cost
// exactly the 73116 bytes of the bitmap to 500000: a tie goes to the list.
// One more entry makes the last chunk 96 bytes (48 regs) and the list 73118.
TEST(WireCost, tieGoesToListAndOneMoreEntryTipsToBitmap) {
    Cards cards(20743);
    std::iota(cards.begin(), cards.end(), 1u);
    cards.push_back(500000);
    EXPECT_EQ(full_sync_costs(cards, Transport::tcp).list.bytes(), 73116u);
    EXPECT_EQ(choose_full_sync_format(cards, Transport::tcp, 500000, capability::bitmap_full_sync), SyncFormat::list);
    cards.insert(cards.end() - 1, 20744);
    EXPECT_EQ(full_sync_costs(cards, Transport::tcp).list.bytes(), 73118u);
    EXPECT_EQ(choose_full_sync_format(cards, Transport::tcp, 500000, capability::bitmap_full_sync), SyncFormat::bitmap);
}

// 101 bytes in 6 frames at 9600 8E1: 101 * 11 / 9600 s = 115730 us (rounded up),
// plus 6 silences of 3.5 * 11 / 9600 s = 4011 us. At 115200 the silence is 1750 us.
TEST(WireCost, rtuLineTime) {
    const WireCost cost{77, 24, 3};
    EXPECT_EQ(rtu_line_time(cost, 9600), std::chrono::microseconds(115730 + 6 * 4011));
    EXPECT_EQ(rtu_line_time(cost, 115200), std::chrono::microseconds(9645 + 6 * 1750));
    EXPECT_EQ(rtu_silent_interval(9600), std::chrono::microseconds(4011));
    EXPECT_EQ(rtu_silent_interval(19200, 10), std::chrono::microseconds(1823));  // 8N1: 3.5 * 10 / 19200 s
    EXPECT_EQ(rtu_silent_interval(115200), std::chrono::microseconds(1750));
}

}  // namespace
}  // namespace cardd::protocol
