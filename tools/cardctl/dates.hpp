#pragma once
// Dates on the command line (`losses --from 2025-11-24 --to 2025-11-30`) and
// times in tables. The socket carries Unix seconds; a calendar date is a day
// in the local time zone, the zone the canteen's staff live in.

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

namespace cardd::cardctl {

/// Which second of a calendar day a date stands for.
enum class DayEdge {
    start,  ///< 00:00:00, for --from
    end,    ///< the day's last second (23:59:59 on a 24-hour day), for --to
};

/// "YYYY-MM-DD" as local time at `edge`, or Unix seconds written as digits.
/// Eight digits alone are refused: 20251124 is far more likely a date than 1970-08-23.
std::expected<std::int64_t, std::string> parse_date(std::string_view text, DayEdge edge);

/// Unix seconds as local "YYYY-MM-DD HH:MM:SS".
std::string format_local_time(std::int64_t unix_seconds);

}  // namespace cardd::cardctl
