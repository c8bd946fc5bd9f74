#include "tools/cardctl/argument_syntax.hpp"

#include <algorithm>
#include <limits>

namespace cardd::cardctl {

namespace {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

constexpr bool is_hex(char c) noexcept { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

std::vector<std::string_view> split_commas(std::string_view text) {
    std::vector<std::string_view> parts;
    for (;;) {
        const auto comma = text.find(',');
        parts.push_back(text.substr(0, comma));
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return parts;
}

/// A comma-separated `list` of `item`s (device names, staff numbers), none empty, none twice.
std::expected<std::vector<std::string>, std::string> distinct_list(std::string_view text, std::string_view list,
                                                                   std::string_view item) {
    std::vector<std::string> names;
    for (const auto part : split_commas(text)) {
        if (part.empty()) {
            return std::unexpected("invalid " + std::string(list) + " '" + std::string(text) + "': an empty " +
                                   std::string(item));
        }
        if (std::ranges::find(names, part) != names.end()) {
            return std::unexpected("invalid " + std::string(list) + " '" + std::string(text) +
                                   "': " + std::string(part) + " is named twice");
        }
        names.emplace_back(part);
    }
    return names;
}

}  // namespace

std::expected<std::int64_t, std::string> parse_number(std::string_view text, std::string_view what) {
    const auto refuse = [&](std::string_view why) {
        return std::unexpected("invalid " + std::string(what) + " '" + std::string(text) + "': " + std::string(why));
    };
    if (text.empty()) return refuse("empty");
    std::int64_t value = 0;
    for (const char c : text) {
        if (!is_digit(c)) return refuse("give a whole number in decimal digits");
        const int digit = c - '0';
        if (value > (std::numeric_limits<std::int64_t>::max() - digit) / 10) return refuse("too large");
        value = value * 10 + digit;
    }
    return value;
}

std::expected<std::vector<std::int64_t>, std::string> parse_number_list(std::string_view text, std::string_view what) {
    std::vector<std::int64_t> numbers;
    for (const auto part : split_commas(text)) {
        auto number = parse_number(part, what);
        if (!number) return std::unexpected(number.error());
        numbers.push_back(*number);
    }
    return numbers;
}

std::expected<std::vector<std::string>, std::string> parse_name_list(std::string_view text) {
    return distinct_list(text, "device list", "name");
}

std::expected<std::vector<std::string>, std::string> parse_staff_list(std::string_view text) {
    return distinct_list(text, "staff number list", "staff number");
}

std::expected<std::vector<std::int64_t>, std::string> parse_distinct_numbers(const std::vector<std::string>& texts,
                                                                             std::string_view what) {
    std::vector<std::int64_t> numbers;
    for (const std::string& text : texts) {
        auto number = parse_number(text, what);
        if (!number) return std::unexpected(number.error());
        if (std::ranges::find(numbers, *number) != numbers.end()) {
            return std::unexpected(std::string(what) + " " + std::to_string(*number) + " is given twice");
        }
        numbers.push_back(*number);
    }
    return numbers;
}

std::expected<DeviceTargets, std::string> parse_device_targets(std::string_view text) {
    if (text == "all") return AllDevices{};
    auto names = parse_name_list(text);
    if (!names) return std::unexpected(names.error());
    if (std::ranges::find(*names, "all") != names->end()) {
        return std::unexpected("invalid device list '" + std::string(text) + "': 'all' stands alone");
    }
    return std::move(*names);
}

std::expected<std::string, std::string> check_host_port(std::string_view text) {
    const auto refuse = [&](std::string_view why) {
        return std::unexpected("invalid address '" + std::string(text) + "': " + std::string(why));
    };
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return refuse("give HOST:PORT, like 10.0.0.21:502");
    const auto port = parse_number(text.substr(colon + 1), "port");
    if (!port || *port < 1 || *port > 65535) return refuse("the port must be a number from 1 to 65535");
    return std::string(text);
}

std::expected<std::string, std::string> parse_usb_id(std::string_view text) {
    const bool shaped = text.size() == 9 && text[4] == ':' && std::ranges::all_of(text.substr(0, 4), is_hex) &&
                        std::ranges::all_of(text.substr(5), is_hex);
    if (!shaped) {
        return std::unexpected("invalid USB id '" + std::string(text) + "': give VID:PID in hex, like 072f:2200");
    }
    std::string id(text);
    std::ranges::transform(id, id.begin(), [](char c) { return c >= 'A' && c <= 'F' ? static_cast<char>(c + 32) : c; });
    return id;
}

}  // namespace cardd::cardctl
