// failed, resync, collect.

#include "daemon/commands/terminals.hpp"

#include <algorithm>
#include <set>

#include "daemon/control/co_try.hpp"
#include "daemon/json_view.hpp"
#include "daemon/log.hpp"
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
    if (!found->is_array() || found->empty())
        throw BadArgument("'" + std::string(key) + "' must be a non-empty array of names");
    std::vector<std::string> names;
    for (const json& item : *found) {
        if (!item.is_string()) throw BadArgument("'" + std::string(key) + "' must be a non-empty array of names");
        names.push_back(item.get<std::string>());
    }
    return names;
}

}  // namespace

ResyncArgs parse_resync(const json& a) {
    args::only(a, {"failed", "devices", "cards"});
    ResyncArgs parsed;
    parsed.failed_only = args::optional_bool(a, "failed", false);
    parsed.cards = args::int_list(a, "cards");
    parsed.devices = names_of(a, "devices");
    if (parsed.failed_only ? !parsed.devices.empty() || !parsed.cards.empty() : parsed.devices.empty()) {
        throw BadArgument("give 'failed': true, or 'devices', or 'cards' with 'devices'");
    }
    return parsed;
}

CollectArgs parse_collect(const json& a) {
    args::only(a, {"devices"});
    return {args::devices(a).value_or(store::PushTarget::all())};
}

awaitable<Answer> failed(Service& service, Request&, const NoArguments&) {
    CARDD_CO_TRY(devices, service.store.devices());
    json list = json::array();
    for (const auto& device : devices) {
        if (device.kind != store::DeviceKind::terminal || !device.sync_error) continue;
        CARDD_CO_TRY(entry, missing_of(service.store, device));
        list.push_back(std::move(entry));
    }
    co_return Answer::ok(list.empty() ? "no failed terminals" : std::to_string(list.size()) + " failed terminals",
                         {{"failed", list}});
}

namespace {

/// The terminals a resync goes to: the failed ones, or the named ones with
/// the chosen cards put on their lists first.
store::Result<std::vector<store::DeviceId>> resync_targets(Service& service, Request& request,
                                                           const ResyncArgs& arguments) {
    std::vector<store::DeviceId> targets;
    if (arguments.failed_only) {
        auto devices = service.store.devices();
        if (!devices) return std::unexpected(devices.error());
        for (const auto& device : *devices) {
            if (device.kind == store::DeviceKind::terminal && device.sync_error) targets.push_back(device.id);
        }
        return targets;
    }
    auto ids = terminals_for(service.store, store::PushTarget::named(arguments.devices));
    if (!ids) return std::unexpected(ids.error());
    if (!arguments.cards.empty()) {
        // 重新下载失败卡号: the chosen cards go onto the chosen terminals' lists first.
        auto change = service.store.add_to_blacklists(actor_of(request), arguments.cards, arguments.devices);
        if (!change) return std::unexpected(change.error());
    }
    return *ids;
}

}  // namespace

awaitable<Answer> resync(Service& service, Request& request, const ResyncArgs& arguments) {
    CARDD_CO_TRY(targets, resync_targets(service, request, arguments));
    json failed_terminals = json::array();
    const auto results = co_await service.distributor.push(targets, service.config.push_timeout, request.progress);
    json level = terminal_results_json(results, failed_terminals);
    log_event(msg::resync_done, {{"level", level.size()},
                                 {"failed", failed_terminals.size()},
                                 {"total", targets.size()},
                                 {"failed_only", arguments.failed_only}});
    co_return Answer::ok(std::to_string(level.size()) + " of " + std::to_string(targets.size()) + " terminals level",
                         {{"level", level}, {"failed", failed_terminals}});
}

awaitable<Answer> collect(Service& service, Request& request, const CollectArgs& arguments) {
    CARDD_CO_TRY(ids, terminals_for(service.store, arguments.terminals));
    json collected = json::array();
    json failed_terminals = json::array();
    std::size_t stored = 0;
    const auto results = co_await service.distributor.collect(ids, service.config.collect_timeout, request.progress);
    for (const CollectResult& result : results) {
        if (result.ok) {
            collected.push_back(
                {{"device", result.device}, {"stored", result.stored}, {"duplicates", result.duplicates}});
            stored += result.stored;
        } else {
            failed_terminals.push_back({{"device", result.device}, {"text", result.text}});
        }
    }
    co_return Answer::ok(std::to_string(stored) + " new records from " + std::to_string(collected.size()) + " of " +
                             std::to_string(ids.size()) + " terminals",
                         {{"collected", collected}, {"failed", failed_terminals}});
}

}  // namespace cardd::daemon
