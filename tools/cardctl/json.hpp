#pragma once
// One JSON type for cardctl: ordered, so a request goes on the wire in the
// order docs/control-socket.md writes it and an answer keeps the daemon's order.

#include <nlohmann/json.hpp>

namespace cardd::cardctl {

using Json = nlohmann::ordered_json;

}  // namespace cardd::cardctl
