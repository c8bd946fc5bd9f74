#include "daemon/service.hpp"

#include <algorithm>

#include "daemon/health.hpp"

namespace cardd::daemon {

std::vector<store::DeviceId> terminals_changed(const store::BlacklistChange& change) {
    std::vector<store::DeviceId> ids;
    for (const auto& batch : change.batches) {
        if (std::find(ids.begin(), ids.end(), batch.terminal_id) == ids.end()) ids.push_back(batch.terminal_id);
    }
    return ids;
}

nlohmann::json terminal_results_json(const std::vector<TerminalResult>& results, nlohmann::json& failed) {
    nlohmann::json ok = nlohmann::json::array();
    if (!failed.is_array()) failed = nlohmann::json::array();
    for (const TerminalResult& result : results) {
        if (result.ok) {
            ok.push_back(result.device);
        } else {
            failed.push_back({{"device", result.device}, {"text", result.text}});
        }
    }
    return ok;
}

store::Result<std::vector<store::DeviceId>> terminals_for(store::CardStore& store, const store::PushTarget& target) {
    std::vector<store::DeviceId> ids;
    if (target.scope == store::PushTarget::Scope::none) return ids;
    if (target.scope == store::PushTarget::Scope::named) {
        for (const std::string& name : target.terminals) {
            auto device = store.device(name);
            if (!device) return std::unexpected(device.error());
            if (device->kind != store::DeviceKind::terminal) {
                return store::fail(store::Errc::invalid_argument, "'" + name + "' is not a terminal");
            }
            ids.push_back(device->id);
        }
        return ids;
    }
    auto devices = store.devices();
    if (!devices) return std::unexpected(devices.error());
    for (const auto& device : *devices) {
        if (device.kind == store::DeviceKind::terminal) ids.push_back(device.id);
    }
    return ids;
}

std::string service_status(store::CardStore& store) {
    auto devices = store.devices();
    if (!devices) return "serving; terminals unknown: " + devices.error().message;
    std::size_t level = 0;
    std::size_t pending = 0;
    std::size_t failed = 0;
    std::size_t queued = 0;
    for (const store::Device& device : *devices) {
        if (device.kind != store::DeviceKind::terminal) continue;
        if (device.sync_next_at) ++queued;
        // The states of cardctl status and the metrics; the status line
        // counts a terminal never reached, with no failure, as level.
        switch (terminal_state(device)) {
            case TerminalState::failed: ++failed; break;
            case TerminalState::behind: ++pending; break;
            case TerminalState::never_reached:
            case TerminalState::level: ++level; break;
        }
    }
    std::string text = "serving; terminals: " + std::to_string(level) + " level";
    if (pending > 0) text += ", " + std::to_string(pending) + " pending";
    text += ", " + std::to_string(failed) + " failed; retry queue " + std::to_string(queued);
    return text;
}

boost::asio::awaitable<nlohmann::json> collect_records(Service& service, std::vector<store::DeviceId> terminals,
                                                       nlohmann::json& not_collected,
                                                       std::optional<AfterPush> after_push, RestingUnits resting) {
    nlohmann::json collected = nlohmann::json::array();
    not_collected = nlohmann::json::array();
    std::vector<store::DeviceId> asked;
    for (const store::DeviceId id : terminals) {
        const auto device = service.store.device(id);
        const auto why =
            device && resting == RestingUnits::spare ? service.distributor.resting_on_bus(*device) : std::nullopt;
        if (why) {
            not_collected.push_back({{"device", device->name}, {"text", *why}});
        } else {
            asked.push_back(id);
        }
    }
    const auto results = co_await service.distributor.collect(std::move(asked), service.config.collect_timeout,
                                                              ProgressSink(), after_push);
    for (const CollectResult& result : results) {
        if (result.ok) {
            collected.push_back(result.device);
        } else {
            not_collected.push_back({{"device", result.device}, {"text", result.text}});
        }
    }
    co_return collected;
}

boost::asio::awaitable<nlohmann::json> push_to(Service& service, const store::PushTarget& push,
                                               nlohmann::json& failed) {
    failed = nlohmann::json::array();
    if (push.scope == store::PushTarget::Scope::none) co_return nlohmann::json::array();
    auto targets = terminals_for(service.store, push);
    if (!targets) {
        failed.push_back({{"device", nullptr}, {"text", targets.error().message}});
        co_return nlohmann::json::array();
    }
    const auto results = co_await service.distributor.push(std::move(*targets), service.config.push_timeout,
                                                           ProgressSink(), PushMode::changes_only);
    co_return terminal_results_json(results, failed);
}

}  // namespace cardd::daemon
