#include "protocol/money.hpp"

namespace cardd::protocol {

std::string format_yuan(std::int64_t cents) {
    // Work on the magnitude as unsigned so that the most negative value is safe too.
    const bool negative = cents < 0;
    const std::uint64_t magnitude =
        negative ? std::uint64_t{0} - static_cast<std::uint64_t>(cents) : static_cast<std::uint64_t>(cents);
    const std::uint64_t fraction = magnitude % 100;
    std::string out = negative ? "-" : "";
    out += std::to_string(magnitude / 100);
    out += '.';
    out += static_cast<char>('0' + fraction / 10);
    out += static_cast<char>('0' + fraction % 10);
    return out;
}

}  // namespace cardd::protocol
