#include "tools/cardctl/amount.hpp"

#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace cardd::cardctl {
namespace {

// Whole yuan, one decimal and two decimals all land on exact cents.
TEST(Amount, yuanBecomeExactCents) {
    EXPECT_EQ(parse_amount("50"), 5000);
    EXPECT_EQ(parse_amount("12.5"), 1250);
    EXPECT_EQ(parse_amount("0.30"), 30);
    EXPECT_EQ(parse_amount("0.3"), 30);
    EXPECT_EQ(parse_amount("0.01"), 1);
    EXPECT_EQ(parse_amount("0"), 0);
    EXPECT_EQ(parse_amount("007.05"), 705);
}

// 0.1 + 0.2 style values that a double would round: the digits are taken as they are.
TEST(Amount, noFloatingPointRounding) {
    EXPECT_EQ(parse_amount("0.29"), 29);
    EXPECT_EQ(parse_amount("1.15"), 115);
    EXPECT_EQ(parse_amount("4.35"), 435);
    EXPECT_EQ(parse_amount("92233720368547757.99"), 9223372036854775799);
}

// A third decimal is refused, not rounded.
TEST(Amount, moreThanTwoDecimalsRefused) {
    const auto r = parse_amount("1.234");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error(), "invalid amount '1.234': at most two decimals (a cent is the smallest unit)");
    EXPECT_FALSE(parse_amount("0.001"));
}

// Everything that is not digits[.d[d]] is refused with the text named.
TEST(Amount, malformedTextRefused) {
    for (const char* text :
         {"1e3", "abc", "", " 5", "5 ", "+5", "5.", ".5", "1,000", "1.2.3", "0x10", "５", "1_000", "--5", "12.5a"}) {
        EXPECT_FALSE(parse_amount(text)) << text;
    }
    EXPECT_EQ(parse_amount("abc").error(),
              "invalid amount 'abc': give yuan with at most two decimals, like 50, 12.5 or 0.30");
    EXPECT_EQ(parse_amount("").error(),
              "invalid amount '': empty; give yuan with at most two decimals, like 50, 12.5 or 0.30");
    EXPECT_EQ(parse_amount("5.").error(), "invalid amount '5.': a decimal point needs one or two digits after it");
}

// A negative amount is refused by default and allowed only when asked for.
TEST(Amount, negativeOnlyWhenAllowed) {
    EXPECT_EQ(parse_amount("-1").error(), "invalid amount '-1': must not be negative");
    EXPECT_EQ(parse_amount("--5").error(), "invalid amount '--5': must not be negative");
    EXPECT_EQ(parse_amount("-1", AmountSign::any), -100);
    EXPECT_EQ(parse_amount("-0.30", AmountSign::any), -30);
    EXPECT_FALSE(parse_amount("--5", AmountSign::any));
    EXPECT_FALSE(parse_amount("-", AmountSign::any));
}

// Values beyond int64 cents are refused instead of wrapping around.
TEST(Amount, overflowRefused) {
    EXPECT_EQ(parse_amount("99999999999999999999").error(), "invalid amount '99999999999999999999': too large");
    EXPECT_FALSE(parse_amount("92233720368547758"));  // * 100 + 99 would not fit
    EXPECT_FALSE(parse_amount("184467440737095516.16"));
}

// Cents print as yuan with two decimals, negatives and the extremes included.
TEST(Amount, centsFormatAsYuan) {
    EXPECT_EQ(format_yuan(1250), "12.50");
    EXPECT_EQ(format_yuan(30), "0.30");
    EXPECT_EQ(format_yuan(5), "0.05");
    EXPECT_EQ(format_yuan(0), "0.00");
    EXPECT_EQ(format_yuan(-30), "-0.30");
    EXPECT_EQ(format_yuan(-1250), "-12.50");
    EXPECT_EQ(format_yuan(std::numeric_limits<std::int64_t>::max()), "92233720368547758.07");
    EXPECT_EQ(format_yuan(std::numeric_limits<std::int64_t>::min()), "-92233720368547758.08");
}

}  // namespace
}  // namespace cardd::cardctl
