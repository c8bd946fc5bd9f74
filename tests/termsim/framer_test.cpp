// Modbus TCP (MBAP) and RTU framing of the simulator's byte streams.

#include <chrono>
#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "tools/termsim/mbap_framer.hpp"
#include "tools/termsim/rtu_framer.hpp"

namespace cardd::termsim {
namespace {

using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

// CRC-16/MODBUS of the classic example request 01 03 00 00 00 0A is C5 CD on the wire.
TEST(RtuFrame, crcMatchesKnownVector) {
    EXPECT_EQ(rtu_frame(0x01, Bytes{0x03, 0x00, 0x00, 0x00, 0x0A}),
              (Bytes{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A, 0xC5, 0xCD}));
    EXPECT_EQ(crc16_modbus(Bytes{'1', '2', '3', '4', '5', '6', '7', '8', '9'}),
              0x4B37);  // the CRC catalogue's check value
}

// Request lengths come from the function code and, where there is one, the byte count.
TEST(RtuFrame, requestLengthFromFunctionAndByteCount) {
    EXPECT_EQ(rtu_request_length(Bytes{0x01, 0x03}), 8u);
    EXPECT_EQ(rtu_request_length(Bytes{0x01, 0x10, 0x01, 0x00, 0x00}), 0u);
    EXPECT_EQ(rtu_request_length(Bytes{0x01, 0x10, 0x01, 0x00, 0x00, 0x07, 0x0E}), 9u + 14);
    EXPECT_EQ(rtu_request_length(Bytes{0x01, 0x17, 0, 0, 0, 2, 1, 0, 0, 7, 0x0E}), 13u + 14);
    EXPECT_EQ(rtu_request_length(Bytes{0x01, 0x41}), std::nullopt);
    EXPECT_EQ(rtu_request_length(Bytes{0x01}), 0u);
}

class RtuFramerTest : public ::testing::Test {
protected:
    RtuFramer framer{20ms};
    std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
};

// Two requests back to back in one read are cut by length.
TEST_F(RtuFramerTest, backToBackFramesAreCutByLength) {
    Bytes both = rtu_frame(1, Bytes{0x03, 0x00, 0x00, 0x00, 0x02});
    const Bytes second = rtu_frame(2, Bytes{0x10, 0x02, 0x00, 0x00, 0x01, 0x02, 0x00, 0x07});
    both.insert(both.end(), second.begin(), second.end());
    framer.feed(both, t0);
    const auto frames = framer.take(t0);
    ASSERT_EQ(frames.size(), 2u);
    EXPECT_EQ(frames[0].unit, 1);
    EXPECT_EQ(frames[0].pdu, (Bytes{0x03, 0x00, 0x00, 0x00, 0x02}));
    EXPECT_EQ(frames[1].unit, 2);
    EXPECT_EQ(frames[1].pdu.size(), 8u);
}

// A frame split over two reads is joined.
TEST_F(RtuFramerTest, splitFrameIsJoined) {
    const Bytes frame = rtu_frame(1, Bytes{0x03, 0x00, 0x00, 0x00, 0x02});
    framer.feed(std::span(frame).first(3), t0);
    EXPECT_TRUE(framer.take(t0 + 1ms).empty());
    framer.feed(std::span(frame).subspan(3), t0 + 2ms);
    EXPECT_EQ(framer.take(t0 + 2ms).size(), 1u);
}

// A function the framer does not know ends at the silence.
TEST_F(RtuFramerTest, unknownFunctionEndsAtSilence) {
    framer.feed(rtu_frame(1, Bytes{0x41, 0x01, 0x02}), t0);
    EXPECT_TRUE(framer.take(t0 + 10ms).empty());
    ASSERT_EQ(framer.deadline(), t0 + 20ms);
    const auto frames = framer.take(t0 + 20ms);
    ASSERT_EQ(frames.size(), 1u);
    EXPECT_EQ(frames[0].pdu, (Bytes{0x41, 0x01, 0x02}));
}

// A bad CRC drops the frame and every byte up to the next silence.
TEST_F(RtuFramerTest, badCrcDropsUntilSilence) {
    Bytes bad = rtu_frame(1, Bytes{0x03, 0x00, 0x00, 0x00, 0x02});
    bad.back() ^= 0xFF;
    const Bytes good = rtu_frame(1, Bytes{0x03, 0x00, 0x00, 0x00, 0x01});
    framer.feed(bad, t0);
    framer.feed(good, t0 + 1ms);  // no silence between: dropped too
    EXPECT_TRUE(framer.take(t0 + 1ms).empty());
    EXPECT_EQ(framer.dropped(), 1u);
    framer.feed(good, t0 + 30ms);
    EXPECT_EQ(framer.take(t0 + 30ms).size(), 1u);
}

// A frame cut off by a silence is dropped, and the next frame still reads.
TEST_F(RtuFramerTest, truncatedFrameIsDroppedAtSilence) {
    const Bytes frame = rtu_frame(1, Bytes{0x03, 0x00, 0x00, 0x00, 0x02});
    framer.feed(std::span(frame).first(5), t0);
    EXPECT_TRUE(framer.take(t0 + 25ms).empty());
    EXPECT_EQ(framer.dropped(), 1u);
    framer.feed(frame, t0 + 30ms);
    EXPECT_EQ(framer.take(t0 + 30ms).size(), 1u);
}

// MBAP frames are cut by their length field, across reads and several per read.
TEST(MbapFramerTest, framesCutByLengthField) {
    MbapFramer framer;
    Bytes stream = mbap_frame(0x1234, 1, Bytes{0x03, 0x00, 0x00, 0x00, 0x02});
    const Bytes second = mbap_frame(0x1235, 0xFF, Bytes{0x03, 0x00, 0x06, 0x00, 0x02});
    stream.insert(stream.end(), second.begin(), second.end());
    framer.feed(std::span(stream).first(4));
    EXPECT_FALSE(framer.next().value().has_value());
    framer.feed(std::span(stream).subspan(4));
    auto first = framer.next();
    ASSERT_TRUE(first && *first);
    EXPECT_EQ((*first)->transaction, 0x1234);
    EXPECT_EQ((*first)->unit, 1);
    EXPECT_EQ((*first)->pdu, (Bytes{0x03, 0x00, 0x00, 0x00, 0x02}));
    auto next = framer.next();
    ASSERT_TRUE(next && *next);
    EXPECT_EQ((*next)->transaction, 0x1235);
    EXPECT_EQ((*next)->unit, 0xFF);
    EXPECT_FALSE(framer.next().value().has_value());
}

// A length field outside 2..254 breaks the stream.
TEST(MbapFramerTest, badLengthIsAnError) {
    MbapFramer framer;
    framer.feed(Bytes{0, 1, 0, 0, 0, 1, 1});
    EXPECT_FALSE(framer.next().has_value());
    MbapFramer long_framer;
    long_framer.feed(Bytes{0, 1, 0, 0, 0x01, 0x00, 1});
    EXPECT_FALSE(long_framer.next().has_value());
}

// The response header echoes transaction and unit, protocol 0, length = unit + PDU.
TEST(MbapFramerTest, responseHeaderEchoesIds) {
    EXPECT_EQ(mbap_frame(0xABCD, 7, Bytes{0x83, 0x02}), (Bytes{0xAB, 0xCD, 0x00, 0x00, 0x00, 0x03, 0x07, 0x83, 0x02}));
}

}  // namespace
}  // namespace cardd::termsim
