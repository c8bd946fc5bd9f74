#pragma once
// The store's values as the control socket shows them (docs/control-socket.md).

#include <nlohmann/json.hpp>

#include <string>

#include "store/domain.hpp"

namespace cardd::daemon {

nlohmann::json to_json(const store::Card& card);
nlohmann::json to_json(const store::Person& person);
/// A person as a search finds them: with their live card, or null.
nlohmann::json to_json(const store::PersonMatch& match);
nlohmann::json to_json(const store::Department& department);
nlohmann::json to_json(const store::Loss& loss);
nlohmann::json to_json(const store::LedgerEntry& entry);
/// A card write of the journal; `now` gives its age.
nlohmann::json to_json(const store::WriteIntent& intent, store::UnixTime now);
nlohmann::json to_json(const store::CardFormat& format);
nlohmann::json to_json(const store::Device& device);
/// A console account, never its hash; `now` decides whether it is locked
/// (a lock run out is shown as none).
nlohmann::json to_json(const store::Account& account, store::UnixTime now);

/// "tcp 10.0.0.5:502", "rtu /dev/ttyUSB0 19200 8E1", "usb 072f:2200", "sim".
std::string address_of(const store::Device& device);

/// level, behind, failed or unknown for a terminal; registered for an encoder.
std::string state_of(const store::Device& device);

}  // namespace cardd::daemon

#include "daemon/terminal/terminal_client.hpp"

namespace cardd::daemon {

/// A terminal's state block as device-read-params shows it.
nlohmann::json terminal_info_json(const TerminalInfo& info);

}  // namespace cardd::daemon
