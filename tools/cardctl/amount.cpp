#include "tools/cardctl/amount.hpp"

#include <cstddef>
#include <limits>

namespace cardd::cardctl {

namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

std::unexpected<std::string> refuse(std::string_view text, std::string_view why) {
    return std::unexpected("invalid amount '" + std::string(text) + "': " + std::string(why));
}

}  // namespace

std::expected<std::int64_t, std::string> parse_amount(std::string_view text, AmountSign sign) {
    constexpr std::string_view shape = "give yuan with at most two decimals, like 50, 12.5 or 0.30";
    if (text.empty()) return refuse(text, "empty; " + std::string(shape));

    std::string_view rest = text;
    const bool negative = rest.front() == '-';
    if (negative) {
        if (sign == AmountSign::non_negative) return refuse(text, "must not be negative");
        rest.remove_prefix(1);
    }

    // Whole yuan are capped so that yuan * 100 + 99 still fits in an int64.
    constexpr std::int64_t max_yuan = (std::numeric_limits<std::int64_t>::max() - 99) / 100;
    std::int64_t yuan = 0;
    std::size_t pos = 0;
    for (; pos < rest.size() && is_digit(rest[pos]); ++pos) {
        const int digit = rest[pos] - '0';
        if (yuan > (max_yuan - digit) / 10) return refuse(text, "too large");
        yuan = yuan * 10 + digit;
    }
    if (pos == 0) return refuse(text, shape);

    std::int64_t cents = 0;
    if (pos < rest.size()) {
        if (rest[pos] != '.') return refuse(text, shape);
        const std::string_view decimals = rest.substr(pos + 1);
        if (decimals.empty()) return refuse(text, "a decimal point needs one or two digits after it");
        for (const char c : decimals) {
            if (!is_digit(c)) return refuse(text, shape);
        }
        if (decimals.size() > 2) return refuse(text, "at most two decimals (a cent is the smallest unit)");
        cents = (decimals[0] - '0') * 10 + (decimals.size() == 2 ? decimals[1] - '0' : 0);
    }
    const std::int64_t total = yuan * 100 + cents;  // cannot overflow: yuan <= max_yuan
    return negative ? -total : total;
}

}  // namespace cardd::cardctl
