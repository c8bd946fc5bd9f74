#pragma once
// What the commands for the simulated encoder share: finding it, and reading
// a card UID from a request.

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/encoders.hpp"
#include "store/error.hpp"

namespace cardd::daemon {

struct Service;

/// "04A20001" or a 7-byte UID in hex, as bytes; nothing for anything else.
std::optional<std::vector<std::uint8_t>> parse_uid(const std::string& text);

/// The simulated encoder named `encoder` (absent: the only encoder),
/// opened. A USB reader is refused (invalid_argument).
store::Result<Station*> simulated_station(Service& service, const std::optional<std::string>& encoder);

}  // namespace cardd::daemon
