// Cents shown as yuan: two decimals always, the sign in front, the int64
// extremes exact.

#include "protocol/money.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace cardd::protocol {
namespace {

// Whole yuan, fractions and values under one yuan all get two decimals.
TEST(Money, centsFormatAsYuanWithTwoDecimals) {
    EXPECT_EQ(format_yuan(1250), "12.50");
    EXPECT_EQ(format_yuan(5000), "50.00");
    EXPECT_EQ(format_yuan(30), "0.30");
    EXPECT_EQ(format_yuan(5), "0.05");
    EXPECT_EQ(format_yuan(0), "0.00");
}

// A negative balance keeps its sign in front of the yuan, also under one yuan.
TEST(Money, negativeAmountsCarryTheSign) {
    EXPECT_EQ(format_yuan(-30), "-0.30");
    EXPECT_EQ(format_yuan(-1250), "-12.50");
    EXPECT_EQ(format_yuan(-100), "-1.00");
}

// The int64 extremes print exactly, the most negative value without overflow.
TEST(Money, theInt64ExtremesAreExact) {
    EXPECT_EQ(format_yuan(std::numeric_limits<std::int64_t>::max()), "92233720368547758.07");
    EXPECT_EQ(format_yuan(std::numeric_limits<std::int64_t>::min()), "-92233720368547758.08");
}

}  // namespace
}  // namespace cardd::protocol
