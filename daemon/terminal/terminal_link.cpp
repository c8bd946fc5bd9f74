#include "daemon/terminal/terminal_link.hpp"

namespace cardd::daemon {

std::string_view to_string(LinkError::Kind kind) noexcept {
    switch (kind) {
        case LinkError::Kind::timeout: return "timeout";
        case LinkError::Kind::io: return "io";
        case LinkError::Kind::modbus_exception: return "modbus_exception";
        case LinkError::Kind::garbage: return "garbage";
        case LinkError::Kind::protocol: return "protocol";
        case LinkError::Kind::busy: return "busy";
        case LinkError::Kind::capacity: return "capacity";
    }
    return "unknown";
}

}  // namespace cardd::daemon
