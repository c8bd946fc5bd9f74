#include "daemon/terminal/terminal_link.hpp"

#include <string>

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
        case LinkError::Kind::wrong_terminal: return "wrong_terminal";
    }
    return "unknown";
}

LinkError wrong_terminal(std::uint32_t expected, std::uint32_t got) {
    return LinkError{LinkError::Kind::wrong_terminal,
                     "the terminal answers as serial " + std::to_string(got) + ", not " + std::to_string(expected) +
                         " as on record; nothing was written to it",
                     0};
}

}  // namespace cardd::daemon
