#pragma once
// What the command handlers work with, and the functions that register them.

#include <filesystem>
#include <optional>
#include <string>

#include "daemon/control/command_registry.hpp"
#include "daemon/control/sessions.hpp"
#include "daemon/config.hpp"
#include "daemon/distributor.hpp"
#include "daemon/encoders.hpp"
#include "daemon/events.hpp"
#include "daemon/passwords.hpp"
#include "store/card_store.hpp"

namespace cardd::daemon {

struct Service {
    const Config& config;
    store::CardStore& store;
    Distributor& distributor;
    Encoders& encoders;
    Sessions& sessions;    ///< the staff console's sessions
    Passwords& passwords;  ///< hashing and checking the console accounts' passwords
    std::int64_t started_at = 0;
    std::string database;  ///< the URL with the password masked
    /// The store's file when it is SQLite (the backup copies it); none on MariaDB.
    std::optional<std::filesystem::path> sqlite_file = std::nullopt;
    const Events* events = nullptr;  ///< who hears of card writes (the metrics); none by default

    /// A card write ended as `outcome` (written, failed, pending, settled).
    void card_write_ended(std::string_view outcome) const {
        if (events) events->card_write_ended(outcome);
    }
};

/// The caller as the store's audit log records it: its uid, and the console
/// account its session stands for (the audit line then says via console).
inline store::Actor actor_of(const Request& request) {
    return store::Actor{static_cast<std::int64_t>(request.caller.uid), request.caller.account};
}

/// The lockout cardd.conf sets for console accounts.
inline store::LockoutPolicy lockout_of(const Config& config) {
    return {config.console_lockout_failures, config.console_lockout.count()};
}

/// The terminals whose blacklist a change touched, each once.
std::vector<store::DeviceId> terminals_changed(const store::BlacklistChange& change);

/// Terminal results as answer arguments: names that succeeded, and failures with reasons.
nlohmann::json terminal_results_json(const std::vector<TerminalResult>& results, nlohmann::json& failed);

/// Whether a collection asks a failing RS-485 unit whose retry is not due
/// (Distributor::resting_on_bus). A loss spares it, so that the other units
/// on its line are not kept waiting; money paid out or carried to a new
/// card asks every terminal.
enum class RestingUnits { spare, ask };

/// Collects records from the terminals within the configured bound: returns
/// the names collected, fills `not_collected` with the others and why.
boost::asio::awaitable<nlohmann::json> collect_records(Service& service, std::vector<store::DeviceId> terminals,
                                                       nlohmann::json& not_collected,
                                                       std::optional<AfterPush> after_push = std::nullopt,
                                                       RestingUnits resting = RestingUnits::spare);

/// Pushes to the terminals `push` names (none for a database-only change):
/// returns the names now level, fills `failed` with the others and why.
boost::asio::awaitable<nlohmann::json> push_to(Service& service, const store::PushTarget& push, nlohmann::json& failed);

/// The line systemd shows as the service's status (sd_notify STATUS=), read
/// from the store's device rows alone, no terminal asked: "serving;
/// terminals: 3 level, 1 failed; retry queue 1" (pending: changes written,
/// not yet confirmed, no failure yet).
std::string service_status(store::CardStore& store);

/// Resolves "devices" to terminal ids: all, or the named ones (which must exist and be terminals).
store::Result<std::vector<store::DeviceId>> terminals_for(store::CardStore& store, const store::PushTarget& target);

}  // namespace cardd::daemon
