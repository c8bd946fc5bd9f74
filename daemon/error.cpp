#include "daemon/error.hpp"

namespace cardd::daemon {

const char* to_string(Errc code) noexcept {
    switch (code) {
        case Errc::invalid: return "invalid";
        case Errc::system: return "system error";
    }
    return "unknown error";
}

}  // namespace cardd::daemon
