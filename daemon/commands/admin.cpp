// status, format-*, device-*.

#include <charconv>

#include "daemon/commands/admin.hpp"

#include "daemon/control/arguments.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/health.hpp"
#include "daemon/json_view.hpp"
#include "daemon/log.hpp"
#include "daemon/commands/card.hpp"
#include "daemon/service.hpp"
#include "store/card_store.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

/// "host:port" into its parts.
store::TcpAddress parse_host_port(const std::string& text) {
    const auto colon = text.rfind(':');
    int port = 0;
    if (colon == std::string::npos || colon == 0) throw BadArgument("'tcp' must be HOST:PORT");
    const char* first = text.data() + colon + 1;
    const char* last = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(first, last, port);
    if (ec != std::errc{} || ptr != last) throw BadArgument("'tcp' must be HOST:PORT with a numeric port");
    return {text.substr(0, colon), port};
}

std::uint16_t hex16(std::string_view text) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty() || value > 0xFFFF) {
        throw BadArgument("'usb' must be VID:PID in hexadecimal, e.g. 072f:2200");
    }
    return static_cast<std::uint16_t>(value);
}

}  // namespace

FormatSetArgs parse_format_set(const json& a) {
    args::only(a, {"sector", "card_no_digits", "max_card_no"});
    return {args::required_int32(a, "sector"), args::optional_int32(a, "card_no_digits"),
            args::optional_int(a, "max_card_no")};
}

TerminalArgs parse_terminal(const json& a) {
    args::only(a, {"name", "tcp", "rtu", "baud", "parity", "unit"});
    store::TerminalSpec spec;
    spec.name = args::required_string(a, "name");
    spec.unit_id = args::optional_int32(a, "unit").value_or(1);
    const auto tcp = args::optional_string(a, "tcp");
    const auto rtu = args::optional_string(a, "rtu");
    if (tcp.has_value() == rtu.has_value()) throw BadArgument("give exactly one of 'tcp' and 'rtu'");
    if (tcp) {
        if (a.contains("baud") || a.contains("parity")) throw BadArgument("'baud' and 'parity' go with 'rtu'");
        spec.address = parse_host_port(*tcp);
    } else {
        const std::string parity = args::optional_string(a, "parity").value_or("E");
        if (parity.size() != 1) throw BadArgument("'parity' must be N, E or O");
        spec.address = store::RtuAddress{*rtu, args::required_int32(a, "baud"), parity[0]};
    }
    return {std::move(spec)};
}

EncoderArgs parse_encoder(const json& a) {
    args::only(a, {"name", "usb", "sim"});
    store::EncoderSpec spec;
    spec.name = args::required_string(a, "name");
    spec.simulated = args::optional_bool(a, "sim", false);
    const auto usb = args::optional_string(a, "usb");
    if (spec.simulated == usb.has_value()) throw BadArgument("give exactly one of 'usb' and 'sim'");
    if (usb) {
        const auto colon = usb->find(':');
        if (colon == std::string::npos) throw BadArgument("'usb' must be VID:PID in hexadecimal, e.g. 072f:2200");
        spec.vendor_id = hex16(std::string_view(*usb).substr(0, colon));
        spec.product_id = hex16(std::string_view(*usb).substr(colon + 1));
    }
    return {std::move(spec)};
}

DeviceNameArgs parse_device_name(const json& a) {
    args::only(a, {"name"});
    return {args::required_string(a, "name")};
}

namespace {

json optional_time(const std::optional<store::UnixTime>& at) { return at ? json(*at) : json(nullptr); }

/// One terminal's line of the status: its state, what waits for it, its last collection.
json terminal_status(const Health& health, const TerminalHealth& terminal) {
    const store::Device& device = terminal.device;
    return {
        {"name", device.name},
        {"state", to_string(terminal.state)},
        {"pending_batches", terminal.pending_batches},
        {"oldest_pending_at", optional_time(terminal.oldest_pending_at)},
        {"last_error", device.sync_error ? json(*device.sync_error) : json(nullptr)},
        {"failing_since", optional_time(device.sync_failed_since)},
        {"next_retry_at", optional_time(device.sync_next_at)},
        {"last_collected_at", optional_time(device.last_collected_at)},
        {"collected_ago_s", device.last_collected_at ? json(health.now - *device.last_collected_at) : json(nullptr)}};
}

}  // namespace

awaitable<Answer> status(Service& service, Request&, const NoArguments&) {
    // From the store's rows alone, with COUNT queries: status is cheap
    // whatever the number of cards, and asks no terminal.
    const store::UnixTime now = store::system_clock_now();
    auto health_read = read_health(service.store, now);
    auto schema_read = service.store.schema_version();
    CARDD_CO_TRY(health, std::move(health_read));
    CARDD_CO_TRY(schema, std::move(schema_read));
    json states = {{"active", 0}, {"lost", 0}, {"replaced", 0}, {"returned", 0}};
    std::int64_t cards = 0;
    for (const auto& [state, count] : health.counts.cards_by_state) {
        states[std::string(to_string(state))] = count;
        cards += count;
    }
    json by_state = json::object();
    for (const TerminalState state : terminal_states)
        by_state[std::string(to_string(state))] = health.terminals_in(state);
    json terminal_list = json::array();
    for (const TerminalHealth& terminal : health.terminals) terminal_list.push_back(terminal_status(health, terminal));
    const TerminalHealth* next = health.next_retry();
    const auto& oldest_write = health.counts.oldest_open_write_at;
    const std::int64_t failed = health.terminals_in(TerminalState::failed);
    const std::int64_t terminals = static_cast<std::int64_t>(health.terminals.size());
    const std::int64_t uptime = now - service.started_at;
    co_return Answer::ok("cardd " CARDD_VERSION " up " + std::to_string(uptime) + " s, " + std::to_string(terminals) +
                             " terminals (" + std::to_string(failed) + " failed), " + std::to_string(cards) + " cards",
                         {{"version", CARDD_VERSION},
                          {"uptime", uptime},
                          {"database", service.database},
                          {"schema_version", schema},
                          {"terminals", terminals},
                          {"terminals_failed", failed},
                          {"encoders", health.encoders},
                          {"cards", states},
                          {"people", health.counts.people},
                          {"terminal_states", by_state},
                          {"retry_queue",
                           {{"depth", health.retry_queue_depth()},
                            {"next_retry_at", next ? json(*next->device.sync_next_at) : json(nullptr)},
                            {"next_terminal", next ? json(next->device.name) : json(nullptr)}}},
                          {"pending_batches", health.pending_batches()},
                          {"open_writes",
                           {{"count", health.counts.open_writes},
                            {"oldest_at", optional_time(oldest_write)},
                            {"oldest_age_s", oldest_write ? json(now - *oldest_write) : json(nullptr)}}},
                          {"terminal_status", terminal_list}});
}

awaitable<Answer> format_show(Service& service, Request&, const NoArguments&) {
    CARDD_CO_TRY(format, service.store.card_format());
    co_return Answer::ok(
        "sector " + std::to_string(format.sector) + ", card numbers up to " + std::to_string(format.max_card_no),
        to_json(format));
}

awaitable<Answer> format_set(Service& service, Request& request, const FormatSetArgs& arguments) {
    CARDD_CO_TRY(format, service.store.card_format());
    format.sector = arguments.sector;
    if (arguments.card_no_digits) format.card_no_digits = *arguments.card_no_digits;
    if (arguments.max_card_no) format.max_card_no = *arguments.max_card_no;
    CARDD_CO_TRY(saved, service.store.set_card_format(actor_of(request), format));
    co_return Answer::ok("card format saved: sector " + std::to_string(saved.sector), to_json(saved));
}

awaitable<Answer> device_add_terminal(Service& service, Request& request, const TerminalArgs& arguments) {
    CARDD_CO_TRY(added, service.store.add_terminal(actor_of(request), arguments.spec));
    // A new terminal learns what was pushed to all at once; a zero wait
    // leaves it to finish in the background.
    // (Named first: GCC 12 miscompiles a braced list inside a co_await expression.)
    std::vector<store::DeviceId> added_terminal{added.id};
    co_await service.distributor.push(std::move(added_terminal), std::chrono::milliseconds(0));
    co_return Answer::ok("terminal " + added.name + " added (" + address_of(added) + ")", {{"device", to_json(added)}});
}

awaitable<Answer> device_add_encoder(Service& service, Request& request, const EncoderArgs& arguments) {
    CARDD_CO_TRY(added, service.store.add_encoder(actor_of(request), arguments.spec));
    co_return Answer::ok("encoder " + added.name + " added (" + address_of(added) + ")", {{"device", to_json(added)}});
}

awaitable<Answer> device_list(Service& service, Request&, const NoArguments&) {
    CARDD_CO_TRY(devices, service.store.devices());
    json list = json::array();
    for (const auto& device : devices) {
        json entry = to_json(device);
        if (device.kind == store::DeviceKind::terminal) {
            CARDD_CO_TRY(pending, service.store.pending_batches(device.id));
            std::size_t cards = 0;
            for (const auto& batch : pending) cards += batch.cards.size();
            entry["pending_cards"] = cards;
        }
        list.push_back(std::move(entry));
    }
    co_return Answer::ok(std::to_string(devices.size()) + " devices", {{"devices", list}});
}

awaitable<Answer> device_remove(Service& service, Request& request, const DeviceNameArgs& arguments) {
    CARDD_CO_TRY_VOID(service.store.remove_device(actor_of(request), arguments.name));
    co_return Answer::ok("device " + arguments.name + " removed");
}

awaitable<Answer> device_accept_serial(Service& service, Request& request, const DeviceNameArgs& arguments) {
    CARDD_CO_TRY(was, service.store.forget_terminal_serial(actor_of(request), arguments.name));
    const std::string serial = was.terminal_serial ? std::to_string(*was.terminal_serial) : "none";
    log_event(msg::terminal_serial_accepted, {{"device", was.name}, {"was", serial}, {"uid", request.caller.uid}});
    // Brought level at once: a state read, its records from its oldest, and
    // deltas or a full sync, as for a terminal never seen.
    service.distributor.forget_serial(was.id);
    service.distributor.sync_in_background(was.id);
    co_return Answer::ok(
        "terminal " + was.name + ": serial " + serial +
            " forgotten; the terminal at its address is taken as a new one and brought level",
        {{"device", was.name},
         {"was", was.terminal_serial ? nlohmann::json(*was.terminal_serial) : nlohmann::json(nullptr)}});
}

awaitable<Answer> device_read_params(Service& service, Request&, const DeviceNameArgs& arguments) {
    CARDD_CO_TRY(device, service.store.device(arguments.name));
    if (device.kind == store::DeviceKind::encoder) co_return co_await encoder_read_params(service, device.name);
    auto info = co_await service.distributor.read_params(device.id);
    if (!info) {
        co_return Answer::failure(ResultCode::error,
                                  "terminal " + device.name + " did not answer: " + info.error().message);
    }
    co_return Answer::ok("terminal " + device.name + " answered", terminal_info_json(*info));
}

}  // namespace cardd::daemon
