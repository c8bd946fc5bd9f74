#include "store/error.hpp"

namespace cardd::store {

const char* to_string(Errc code) noexcept {
    switch (code) {
        case Errc::invalid_argument: return "invalid argument";
        case Errc::not_found: return "not found";
        case Errc::conflict: return "conflict";
        case Errc::storage: return "storage error";
        case Errc::contention: return "lost to a concurrent change";
        case Errc::fenced: return "lease passed on";
        case Errc::schema_too_new: return "schema too new";
        case Errc::card: return "card write failed";
    }
    return "unknown error";
}

}  // namespace cardd::store
