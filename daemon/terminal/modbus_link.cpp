#include "daemon/terminal/modbus_link.hpp"

#include <filesystem>
#include <system_error>
#include <variant>

namespace cardd::daemon {

namespace {

std::string canonical_device(const std::string& device) {
    std::error_code ec;
    auto path = std::filesystem::weakly_canonical(device, ec);
    return ec ? device : path.string();
}

std::string line_settings(int baud, char parity) { return std::to_string(baud) + " 8" + std::string(1, parity) + "1"; }

}  // namespace

LinkResult<std::shared_ptr<TerminalLink>> LinkFactory::link_for(const TerminalAddress& spec) {
    // CT-1: unit ids 1 to 247 (0 is broadcast, 248..255 reserved by Modbus).
    if (spec.unit_id < 1 || spec.unit_id > 247) {
        return link_fail(LinkError::Kind::io,
                         "terminal " + spec.name + ": unit id " + std::to_string(spec.unit_id) + " is outside 1..247");
    }
    if (const auto* tcp = std::get_if<TcpAddress>(&spec.address)) {
        if (tcp->port < 1 || tcp->port > 65535) {
            return link_fail(LinkError::Kind::io,
                             "terminal " + spec.name + ": TCP port " + std::to_string(tcp->port) + " is invalid");
        }
        auto link = TcpLink::create(tcp->host, tcp->port, spec.unit_id, options_, budget_);
        if (!link) {
            link.error().message = "terminal " + spec.name + ": " + link.error().message;
            return std::unexpected(std::move(link.error()));
        }
        return std::shared_ptr<TerminalLink>(std::move(*link));
    }
    const auto& rtu = std::get<RtuAddress>(spec.address);
    auto bus = bus_for(rtu);
    if (!bus) {
        bus.error().message = "terminal " + spec.name + ": " + bus.error().message;
        return std::unexpected(std::move(bus.error()));
    }
    return std::make_shared<RtuLink>(std::move(*bus), spec.unit_id);
}

LinkResult<std::shared_ptr<SerialBus>> LinkFactory::bus_for(const RtuAddress& address) {
    const std::string key = canonical_device(address.device);
    std::lock_guard lock(mutex_);
    if (auto existing = buses_[key].lock()) {
        if (existing->baud() != address.baud || existing->parity() != address.parity) {
            return link_fail(LinkError::Kind::io, "serial device " + address.device + " is already in use at " +
                                                      line_settings(existing->baud(), existing->parity()) + ", not " +
                                                      line_settings(address.baud, address.parity) +
                                                      ": every terminal on one bus needs the same line settings");
        }
        return existing;
    }
    auto bus = SerialBus::create(address.device, address.baud, address.parity, options_);
    if (bus) buses_[key] = *bus;
    // Forget buses whose last link is gone, so the map does not grow forever.
    std::erase_if(buses_, [](const auto& entry) { return entry.second.expired(); });
    return bus;
}

}  // namespace cardd::daemon
