// failed, resync, collect.

#include <algorithm>
#include <set>

#include "daemon/control/arguments.hpp"
#include "daemon/json_view.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

/// What a terminal still lacks: cards it must refuse but may not yet, and cards it may still refuse wrongly.
store::Result<json> missing_of(store::CardStore& store, const store::Device& device) {
    auto pending = store.pending_batches(device.id);
    if (!pending) return std::unexpected(pending.error());
    auto desired = store.desired_blacklist(device.id);
    if (!desired) return std::unexpected(desired.error());
    const std::set<store::CardNo> wanted(desired->begin(), desired->end());
    std::set<store::CardNo> missing;
    std::set<store::CardNo> removed;
    bool full = false;
    for (const auto& batch : *pending) {
        for (store::CardNo card : batch.cards) {
            if (batch.op == store::BatchOp::remove) {
                if (!wanted.contains(card)) removed.insert(card);
            } else if (wanted.contains(card)) {
                missing.insert(card);
            }
        }
        full = full || batch.op == store::BatchOp::full;
    }
    return json{{"device", device.name},
                {"missing_cards", std::vector<store::CardNo>(missing.begin(), missing.end())},
                {"removed_cards", std::vector<store::CardNo>(removed.begin(), removed.end())},
                {"full_resync", full},
                {"text", device.sync_error.value_or("not yet sent")},
                {"attempts", device.sync_attempts},
                {"failed_since", device.sync_failed_since ? json(*device.sync_failed_since) : json(nullptr)},
                {"next_retry", device.sync_next_at ? json(*device.sync_next_at) : json(nullptr)}};
}

std::vector<std::string> names_of(const json& arguments, std::string_view key) {
    const auto found = arguments.find(key);
    if (found == arguments.end() || found->is_null()) return {};
    if (!found->is_array() || found->empty()) throw BadArgument("'" + std::string(key) + "' must be a non-empty array of names");
    std::vector<std::string> names;
    for (const json& item : *found) {
        if (!item.is_string()) throw BadArgument("'" + std::string(key) + "' must be a non-empty array of names");
        names.push_back(item.get<std::string>());
    }
    return names;
}

}  // namespace

void register_terminal_commands(CommandRegistry& registry, Service& service) {
    registry.add("failed", Role::viewer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {});
        auto devices = service.store.devices();
        if (!devices) co_return from_error(devices.error());
        json list = json::array();
        for (const auto& device : *devices) {
            if (device.kind != store::DeviceKind::terminal || !device.sync_error) continue;
            auto entry = missing_of(service.store, device);
            if (!entry) co_return from_error(entry.error());
            list.push_back(std::move(*entry));
        }
        co_return Answer::ok(list.empty() ? "no failed terminals" : std::to_string(list.size()) + " failed terminals",
                             {{"failed", list}});
    });

    registry.add("resync", Role::admin, [&service](Request& request) -> awaitable<Answer> {
        const json& a = request.arguments;
        args::only(a, {"failed", "devices", "cards"});
        const bool failed_only = args::optional_bool(a, "failed", false);
        const std::vector<std::int64_t> cards = args::int_list(a, "cards");
        const std::vector<std::string> names = names_of(a, "devices");
        if (failed_only ? !names.empty() || !cards.empty() : names.empty()) {
            throw BadArgument("give 'failed': true, or 'devices', or 'cards' with 'devices'");
        }
        std::vector<store::DeviceId> targets;
        if (failed_only) {
            auto devices = service.store.devices();
            if (!devices) co_return from_error(devices.error());
            for (const auto& device : *devices) {
                if (device.kind == store::DeviceKind::terminal && device.sync_error) targets.push_back(device.id);
            }
        } else {
            auto ids = terminals_for(service.store, store::PushTarget::named(names));
            if (!ids) co_return from_error(ids.error());
            targets = *ids;
            if (!cards.empty()) {
                // 重新下载失败卡号: the chosen cards go onto the chosen terminals' lists first.
                auto change = service.store.add_to_blacklists(actor_of(request), cards, names);
                if (!change) co_return from_error(change.error());
            }
        }
        json failed = json::array();
        const auto results = co_await service.distributor.push(targets, service.config.push_timeout,
                                                               request.progress);
        json level = terminal_results_json(results, failed);
        co_return Answer::ok(std::to_string(level.size()) + " of " + std::to_string(targets.size()) + " terminals level",
                             {{"level", level}, {"failed", failed}});
    });

    registry.add("collect", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"devices"});
        const store::PushTarget target = args::devices(request.arguments).value_or(store::PushTarget::all());
        auto ids = terminals_for(service.store, target);
        if (!ids) co_return from_error(ids.error());
        json collected = json::array();
        json failed = json::array();
        std::size_t stored = 0;
        const auto results = co_await service.distributor.collect(*ids, service.config.collect_timeout, request.progress);
        for (const CollectResult& result : results) {
            if (result.ok) {
                collected.push_back({{"device", result.device}, {"stored", result.stored}, {"duplicates", result.duplicates}});
                stored += result.stored;
            } else {
                failed.push_back({{"device", result.device}, {"text", result.text}});
            }
        }
        co_return Answer::ok(std::to_string(stored) + " new records from " + std::to_string(collected.size()) + " of " +
                                 std::to_string(ids->size()) + " terminals",
                             {{"collected", collected}, {"failed", failed}});
    });
}

}  // namespace cardd::daemon
