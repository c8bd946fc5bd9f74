#include "tools/cardctl/dates.hpp"

#include <cstdlib>
#include <ctime>
#include <string>

#include <gtest/gtest.h>

namespace cardd::cardctl {
namespace {

// Sets TZ for one test and puts the old value back.
class TimeZone {
public:
    explicit TimeZone(const char* zone) {
        if (const char* old = std::getenv("TZ")) old_ = old;
        ::setenv("TZ", zone, 1);
        ::tzset();
    }
    ~TimeZone() {
        if (old_.empty()) {
            ::unsetenv("TZ");
        } else {
            ::setenv("TZ", old_.c_str(), 1);
        }
        ::tzset();
    }
    TimeZone(const TimeZone&) = delete;
    TimeZone& operator=(const TimeZone&) = delete;

private:
    std::string old_;
};

// A date is local midnight for --from and the day's last second for --to (China, UTC+8).
TEST(Dates, dayEdgesInLocalTime) {
    const TimeZone zone("CST-8");
    EXPECT_EQ(parse_date("2025-11-24", DayEdge::start), 1763913600);  // 2025-11-23T16:00:00Z
    EXPECT_EQ(parse_date("2025-11-24", DayEdge::end), 1763999999);
}

// The same date in UTC is eight hours later.
TEST(Dates, utcDay) {
    const TimeZone zone("UTC0");
    EXPECT_EQ(parse_date("2025-11-24", DayEdge::start), 1763942400);
    EXPECT_EQ(parse_date("2025-11-24", DayEdge::end), 1764028799);
    EXPECT_EQ(parse_date("2024-02-29", DayEdge::start), 1709164800);
}

// On the day summer time starts the day has 23 hours, and --to still ends at its last second.
TEST(Dates, summerTimeDayEndsRight) {
    const TimeZone zone("EST5EDT,M3.2.0,M11.1.0");
    const auto start = parse_date("2025-03-09", DayEdge::start);
    const auto end = parse_date("2025-03-09", DayEdge::end);
    EXPECT_EQ(start, 1741496400);
    EXPECT_EQ(end, 1741579199);
    EXPECT_EQ(*end - *start, 23 * 3600 - 1);
}

// Digits are Unix seconds, taken as they are at either edge.
TEST(Dates, unixSecondsPassThrough) {
    EXPECT_EQ(parse_date("1764000000", DayEdge::start), 1764000000);
    EXPECT_EQ(parse_date("1764000000", DayEdge::end), 1764000000);
    EXPECT_EQ(parse_date("0", DayEdge::start), 0);
}

// Impossible dates and other shapes are refused with the text named.
TEST(Dates, malformedDatesRefused) {
    for (const char* text :
         {"2025-02-29", "2025-13-01", "2025-00-10", "2025-04-31", "2025-1-5", "25-11-24", "2025/11/24",
          "2025-11-24T00:00", "", "yesterday", "-5", "1969-12-31", "99999999999999999999"}) {
        EXPECT_FALSE(parse_date(text, DayEdge::start)) << text;
    }
    EXPECT_EQ(parse_date("2025-02-29", DayEdge::start).error(), "invalid date '2025-02-29': no such day in that month");
    EXPECT_EQ(parse_date("2025/11/24", DayEdge::start).error(),
              "invalid date '2025/11/24': give YYYY-MM-DD (local time) or Unix seconds");
}

// Eight digits look like a date written without dashes, so they are refused rather than read as 1970.
TEST(Dates, eightDigitsRefusedAsAmbiguous) {
    EXPECT_EQ(parse_date("20251124", DayEdge::start).error(),
              "invalid date '20251124': write a date as YYYY-MM-DD, or Unix seconds with more than 8 digits");
}

// Times print in local time.
TEST(Dates, formatLocalTime) {
    const TimeZone zone("CST-8");
    EXPECT_EQ(format_local_time(1764000000), "2025-11-25 00:00:00");
    const TimeZone utc("UTC0");
    EXPECT_EQ(format_local_time(1764000000), "2025-11-24 16:00:00");
}

}  // namespace
}  // namespace cardd::cardctl
