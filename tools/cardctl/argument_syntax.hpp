#pragma once
// Syntax of the command line's values other than money and dates: decimal
// numbers, lists, device targets, addresses. Ranges (a sector of 1 to 15, a
// card number of at most 500000) are the daemon's to judge: it knows the
// configured format. Numbers are read here rather than by CLI11, which would
// take 010 as octal 8 and 0x10 as 16.

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace cardd::cardctl {

/// Decimal digits only ("1001", "007"); `what` names the value in the error.
std::expected<std::int64_t, std::string> parse_number(std::string_view text, std::string_view what);

/// "1001,1005": comma-separated numbers, none empty.
std::expected<std::vector<std::int64_t>, std::string> parse_number_list(std::string_view text, std::string_view what);

/// "canteen-1,canteen-3": comma-separated names, none empty, no repeats.
std::expected<std::vector<std::string>, std::string> parse_name_list(std::string_view text);

/// "E001,E002": comma-separated staff numbers, none empty, no repeats.
std::expected<std::vector<std::string>, std::string> parse_staff_list(std::string_view text);

/// Card numbers given one by one (`card loss 1001 1002`): each a number, none twice.
std::expected<std::vector<std::int64_t>, std::string> parse_distinct_numbers(const std::vector<std::string>& texts,
                                                                             std::string_view what);

/// `--devices all` or a list of names; "all" cannot be mixed with names.
struct AllDevices {
    friend bool operator==(AllDevices, AllDevices) = default;
};
using DeviceTargets = std::variant<AllDevices, std::vector<std::string>>;
std::expected<DeviceTargets, std::string> parse_device_targets(std::string_view text);

/// "10.0.0.21:502" or "[fe80::1]:502": something, a colon, a port of 1 to 65535.
std::expected<std::string, std::string> check_host_port(std::string_view text);

/// "072f:2200": four hex digits, a colon, four hex digits; returned in lower case.
std::expected<std::string, std::string> parse_usb_id(std::string_view text);

}  // namespace cardd::cardctl
