#include "daemon/simulated_station.hpp"

#include "daemon/control/arguments.hpp"
#include "daemon/card_workflow.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

std::optional<std::vector<std::uint8_t>> parse_uid(const std::string& text) {
    if ((text.size() != 8 && text.size() != 14) || text.find_first_not_of("0123456789abcdefABCDEF") != std::string::npos) {
        return std::nullopt;
    }
    std::vector<std::uint8_t> uid;
    for (std::size_t i = 0; i < text.size(); i += 2) {
        uid.push_back(static_cast<std::uint8_t>(std::stoi(text.substr(i, 2), nullptr, 16)));
    }
    return uid;
}

store::Result<Station*> simulated_station(Service& service, const nlohmann::json& arguments) {
    auto station = service.encoders.find(args::optional_string(arguments, encoder_argument));
    if (!station) return station;
    if (auto opened = (*station)->open(); !opened) return store::fail(store::Errc::card, opened.error().message);
    if (!(*station)->sim) {
        return store::fail(store::Errc::invalid_argument, "encoder " + (*station)->device.name +
                                                              " is a USB reader: place a real card on it");
    }
    return station;
}

}  // namespace cardd::daemon
