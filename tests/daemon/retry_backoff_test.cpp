// retry_delay: doubling from the base per failed attempt, capped, with the
// upper half of the delay scaled by the random value.

#include "daemon/retry_backoff.hpp"

#include <gtest/gtest.h>

namespace cardd::daemon {
namespace {

using std::chrono::seconds;

// With the random value at its top, the delay doubles with each failure: 2, 4, 8, 16 s.
TEST(RetryBackoffTest, delayDoublesPerAttempt) {
    constexpr double top = 0.999999;
    EXPECT_EQ(retry_delay(0, seconds(2), seconds(300), top), seconds(2));
    EXPECT_EQ(retry_delay(1, seconds(2), seconds(300), top), seconds(4));
    EXPECT_EQ(retry_delay(2, seconds(2), seconds(300), top), seconds(8));
    EXPECT_EQ(retry_delay(3, seconds(2), seconds(300), top), seconds(16));
}

// The delay never passes the cap, however many attempts failed.
TEST(RetryBackoffTest, delayStopsAtCap) {
    for (std::int64_t attempts : {8, 9, 20, 62, 1000}) {
        EXPECT_EQ(retry_delay(attempts, seconds(2), seconds(300), 0.999999), seconds(300)) << attempts;
    }
    EXPECT_EQ(retry_delay(7, seconds(2), seconds(300), 0.999999), seconds(256));
}

// The jitter keeps the delay within [delay - delay/2, delay]: the bottom at random 0, the top near 1.
TEST(RetryBackoffTest, jitterStaysWithinEqualJitterBounds) {
    EXPECT_EQ(retry_delay(3, seconds(2), seconds(300), 0.0), seconds(8));   // 16 - 8
    EXPECT_EQ(retry_delay(3, seconds(2), seconds(300), 0.5), seconds(12));  // 8 + floor(0.5 * 9)
    for (double random = 0.0; random < 1.0; random += 0.01) {
        const auto delay = retry_delay(10, seconds(2), seconds(300), random);
        EXPECT_GE(delay, seconds(150)) << random;
        EXPECT_LE(delay, seconds(300)) << random;
    }
    // Out-of-range randomness is held to the bounds, never beyond.
    EXPECT_EQ(retry_delay(10, seconds(2), seconds(300), 1.0), seconds(300));
    EXPECT_EQ(retry_delay(10, seconds(2), seconds(300), -1.0), seconds(150));
}

// A base below 1 s counts as 1 s, and a cap below the base as the base.
TEST(RetryBackoffTest, baseAndCapAreKeptSane) {
    EXPECT_EQ(retry_delay(0, seconds(0), seconds(300), 0.999999), seconds(1));
    EXPECT_EQ(retry_delay(5, seconds(10), seconds(3), 0.999999), seconds(10));
    EXPECT_EQ(retry_delay(5, seconds(10), seconds(3), 0.0), seconds(5));
}

}  // namespace
}  // namespace cardd::daemon
