#include "daemon/encoder/encoder_error.hpp"

namespace cardd::encoder {

std::string_view to_string(Errc code) noexcept {
    switch (code) {
        case Errc::no_device: return "no_device";
        case Errc::usb_io: return "usb_io";
        case Errc::timeout: return "timeout";
        case Errc::garbled: return "garbled";
        case Errc::no_card: return "no_card";
        case Errc::card_removed: return "card_removed";
        case Errc::auth_failed: return "auth_failed";
        case Errc::not_permitted: return "not_permitted";
        case Errc::card_failed: return "card_failed";
        case Errc::corrupt: return "corrupt";
        case Errc::storage: return "storage";
    }
    return "unknown";
}

}  // namespace cardd::encoder
