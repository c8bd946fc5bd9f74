// What card-termsim counts of each request: its kind read from the PDU, the
// bytes in and out, and the totals over several terminals.

#include <chrono>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tools/termsim/request_stats.hpp"

namespace cardd::termsim {
namespace {

using Bytes = std::vector<std::uint8_t>;
using nlohmann::json;

// The state block and model name by 0x03; a command at 0x0100 by 0x10 or by
// 0x17's write half, with its opcode; the records cursor written by 0x17, or
// the records block read by 0x03; anything else is other.
TEST(RequestStats, classifiesByWhatTheRequestAsks) {
    EXPECT_EQ(classify_request(Bytes{0x03, 0x00, 0x00, 0x00, 0x28}).kind, RequestKind::state_read);
    EXPECT_EQ(classify_request(Bytes{0x03, 0x00, 0x20, 0x00, 0x08}).kind, RequestKind::state_read);
    EXPECT_EQ(classify_request(Bytes{0x03, 0x02, 0x02, 0x00, 0x01}).kind, RequestKind::record_read);
    const RequestClass add_0x10 = classify_request(Bytes{0x10, 0x01, 0x00, 0x00, 0x07, 0x0E, 0x00, 0x01});
    EXPECT_EQ(add_0x10.kind, RequestKind::command);
    EXPECT_EQ(add_0x10.opcode, 0x0001);
    const RequestClass commit_0x17 =
        classify_request(Bytes{0x17, 0x00, 0x0E, 0x00, 0x02, 0x01, 0x00, 0x00, 0x07, 0x0E, 0x00, 0x13});
    EXPECT_EQ(commit_0x17.kind, RequestKind::command);
    EXPECT_EQ(commit_0x17.opcode, 0x0013);
    EXPECT_EQ(classify_request(Bytes{0x17, 0x02, 0x02, 0x00, 0x79, 0x02, 0x00, 0x00, 0x02, 0x04, 0, 0, 0, 1}).kind,
              RequestKind::record_read);
    EXPECT_EQ(classify_request(Bytes{0x04, 0x00, 0x00, 0x00, 0x01}).kind, RequestKind::other);
    EXPECT_EQ(classify_request(Bytes{0x03, 0x05, 0x00, 0x00, 0x01}).kind, RequestKind::other);
    EXPECT_EQ(classify_request(Bytes{0x17, 0x00}).kind, RequestKind::other);  // too short to say
    EXPECT_EQ(classify_request(Bytes{}).kind, RequestKind::other);
}

TEST(RequestStats, countsAndAddsUp) {
    const auto t0 = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000));
    RequestStats one;
    one.count(Bytes{0x03, 0x00, 0x00, 0x00, 0x28}, 12, 89, t0);
    one.count(Bytes{0x10, 0x01, 0x00, 0x00, 0x07, 0x0E, 0x00, 0x02}, 27, 0, t0 + std::chrono::milliseconds(250));
    RequestStats two;
    two.count(Bytes{0x17, 0x00, 0x0E, 0x00, 0x02, 0x01, 0x00, 0x00, 0x07, 0x0E, 0x00, 0x99}, 31, 13, t0);
    const json first = one.to_json();
    EXPECT_EQ(first.at("requests"), 2);
    EXPECT_EQ(first.at("bytes_in"), 39);
    EXPECT_EQ(first.at("bytes_out"), 89);
    EXPECT_EQ(first.at("by_function"), json({{"0x03", 1}, {"0x10", 1}}));
    EXPECT_EQ(first.at("by_kind"), json({{"state_read", 1}, {"command", 1}}));
    EXPECT_EQ(first.at("by_opcode"), json({{"REMOVE", 1}}));
    EXPECT_DOUBLE_EQ(first.at("last_request_at").get<double>(), 1'700'000'000.25);

    RequestStats total;
    EXPECT_TRUE(total.to_json().at("last_request_at").is_null());
    total += one;
    total += two;
    const json sum = total.to_json();
    EXPECT_EQ(sum.at("requests"), 3);
    EXPECT_EQ(sum.at("bytes_in"), 70);
    EXPECT_EQ(sum.at("bytes_out"), 102);
    EXPECT_EQ(sum.at("by_function"), json({{"0x03", 1}, {"0x10", 1}, {"0x17", 1}}));
    EXPECT_EQ(sum.at("by_kind"), json({{"state_read", 1}, {"command", 2}}));
    EXPECT_EQ(sum.at("by_opcode"), json({{"REMOVE", 1}, {"0x0099", 1}}));  // an unknown opcode by number
    EXPECT_DOUBLE_EQ(sum.at("last_request_at").get<double>(), 1'700'000'000.25);
}

}  // namespace
}  // namespace cardd::termsim
