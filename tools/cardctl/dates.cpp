#include "tools/cardctl/dates.hpp"

#include <array>
#include <ctime>
#include <limits>

namespace cardd::cardctl {

namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

constexpr bool is_leap(int year) noexcept { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

constexpr int days_in_month(int year, int month) noexcept {
    constexpr std::array<int, 12> days{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return month == 2 && is_leap(year) ? 29 : days[static_cast<std::size_t>(month - 1)];
}

int digits_value(std::string_view digits) noexcept {
    int value = 0;
    for (const char c : digits) value = value * 10 + (c - '0');
    return value;
}

// Local midnight at the start of year-month-day; mktime normalises day overflow.
std::expected<std::int64_t, std::string> local_midnight(int year, int month, int day, std::string_view text) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_isdst = -1;  // let the zone's rules say whether summer time applies
    const std::time_t t = std::mktime(&tm);
    if (t == static_cast<std::time_t>(-1)) {
        return std::unexpected("invalid date '" + std::string(text) + "': outside the time zone's range");
    }
    return static_cast<std::int64_t>(t);
}

}  // namespace

std::expected<std::int64_t, std::string> parse_date(std::string_view text, DayEdge edge) {
    const auto refuse = [&](std::string_view why) {
        return std::unexpected("invalid date '" + std::string(text) + "': " + std::string(why));
    };
    constexpr std::string_view shape = "give YYYY-MM-DD (local time) or Unix seconds";
    if (text.empty()) return refuse(shape);

    bool all_digits = true;
    for (const char c : text) all_digits = all_digits && is_digit(c);
    if (all_digits) {
        if (text.size() == 8) return refuse("write a date as YYYY-MM-DD, or Unix seconds with more than 8 digits");
        std::int64_t seconds = 0;
        for (const char c : text) {
            const int digit = c - '0';
            if (seconds > (std::numeric_limits<std::int64_t>::max() - digit) / 10) return refuse("too large");
            seconds = seconds * 10 + digit;
        }
        return seconds;
    }

    const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' && is_digit(text[0]) &&
                        is_digit(text[1]) && is_digit(text[2]) && is_digit(text[3]) && is_digit(text[5]) &&
                        is_digit(text[6]) && is_digit(text[8]) && is_digit(text[9]);
    if (!shaped) return refuse(shape);
    const int year = digits_value(text.substr(0, 4));
    const int month = digits_value(text.substr(5, 2));
    const int day = digits_value(text.substr(8, 2));
    if (year < 1970) return refuse("before 1970");
    if (month < 1 || month > 12) return refuse("no such month");
    if (day < 1 || day > days_in_month(year, month)) return refuse("no such day in that month");

    if (edge == DayEdge::start) return local_midnight(year, month, day, text);
    // The next day's midnight less one second: right on days that summer time makes 23 or 25 hours long.
    const auto next = local_midnight(year, month, day + 1, text);
    if (!next) return next;
    return *next - 1;
}

std::string format_local_time(std::int64_t unix_seconds) {
    const auto t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    if (localtime_r(&t, &tm) == nullptr) return std::to_string(unix_seconds);
    std::array<char, 32> out{};
    const std::size_t n = std::strftime(out.data(), out.size(), "%Y-%m-%d %H:%M:%S", &tm);
    return std::string(out.data(), n);
}

}  // namespace cardd::cardctl
