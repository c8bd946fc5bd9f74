#include "protocol/confirmation.hpp"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

using Regs = std::vector<std::uint16_t>;

// The window 0x0006..0x001A written out by hand, one distinct value per field.
const Regs sample_window{
    0x0000, 0x0007,  // blacklist version 7
    0x0000, 0x0003,  // 3 cards
    0x0001, 0x0000,  // capacity 65536
    0x0007, 0xA120,  // bitmap limit 500000
    0x0001,          // last status OK_ALREADY
    0xBEEF,          // last tag
    0x0001, 0x0064,  // oldest seq 65636
    0x0001, 0x006E,  // next seq 65646
    0x6553, 0xF100,  // clock
    0x0000,          // idle
    0x0000, 0x0000,  // progress
    0xE770, 0xA7EA,  // checksum
};

TEST(Confirmation, windowIsTheStateFromVersionToChecksum) {
    EXPECT_EQ(confirmation::window.address, 0x0006);
    EXPECT_EQ(confirmation::window.count, 21);
    EXPECT_EQ(sample_window.size(), confirmation::window.count);
}

TEST(Confirmation, decodesEveryFieldItActsOn) {
    const auto decoded = decode_confirmation(sample_window);
    ASSERT_TRUE(decoded) << decoded.error().message;
    EXPECT_EQ(decoded->blacklist_version, 7u);
    EXPECT_EQ(decoded->blacklist_count, 3u);
    EXPECT_EQ(decoded->status, 1);
    EXPECT_EQ(decoded->tag, 0xBEEF);
    EXPECT_EQ(decoded->checksum, 0xE770A7EAu);
    EXPECT_EQ(decoded->oldest_seq, 65636u);
    EXPECT_EQ(decoded->next_seq, 65646u);
}

TEST(Confirmation, aShortWindowIsTruncated) {
    const Regs shorter(sample_window.begin(), sample_window.end() - 1);
    const auto decoded = decode_confirmation(shorter);
    ASSERT_FALSE(decoded);
    EXPECT_EQ(decoded.error().code, DecodeErrc::truncated);
}

}  // namespace
}  // namespace cardd::protocol
