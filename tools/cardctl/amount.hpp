#pragma once
// Money on the command line is yuan with at most two decimals; on the socket it
// is integer cents. The conversion is done on the digits, never through a
// floating-point number, so 0.30 is 30 cents exactly.

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "protocol/money.hpp"

namespace cardd::cardctl {

enum class AmountSign { non_negative, any };

/// "50" -> 5000, "12.5" -> 1250, "0.30" -> 30. Digits, an optional point and
/// one or two decimals; no spaces, '+', exponent or thousands separator; a
/// leading '-' only with AmountSign::any. The error is a sentence for the user.
std::expected<std::int64_t, std::string> parse_amount(std::string_view text,
                                                      AmountSign sign = AmountSign::non_negative);

/// Cents as yuan with two decimals, the one formatter the daemon and the store use too.
using protocol::format_yuan;

}  // namespace cardd::cardctl
