#include "daemon/simulated_station.hpp"

#include "daemon/card_workflow.hpp"
#include "daemon/service.hpp"
#include "protocol/hex.hpp"

namespace cardd::daemon {

std::optional<std::vector<std::uint8_t>> parse_uid(const std::string& text) {
    if (text.size() != 8 && text.size() != 14) return std::nullopt;
    return protocol::parse_hex_bytes(text);
}

store::Result<Station*> simulated_station(Service& service, const std::optional<std::string>& encoder) {
    auto station = service.encoders.find(encoder);
    if (!station) return station;
    if (auto opened = (*station)->open(); !opened) return store::fail(store::Errc::card, opened.error().message);
    if (!(*station)->sim) {
        return store::fail(store::Errc::invalid_argument,
                           "encoder " + (*station)->device.name + " is a USB reader: place a real card on it");
    }
    return station;
}

}  // namespace cardd::daemon
