#include <algorithm>

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"
#include "text/forbidden_code_points.hpp"

namespace cardd::store {

using namespace detail;

namespace {

constexpr int rs485_bauds[] = {9600, 19200, 38400, 57600, 115200};

Result<void> validate_name(std::string_view name) {
    if (name.empty() || name.size() > 128) return fail(Errc::invalid_argument, "a device name is 1 to 128 bytes");
    for (char c : name) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == ',') {
            return fail(Errc::invalid_argument, "a device name may not contain spaces, commas or control characters");
        }
    }
    if (const auto forbidden = text::first_forbidden(name)) {
        return fail(Errc::invalid_argument, "the device name holds " + text::describe(*forbidden) +
                                                "; a device name may not hold control characters, bidirectional "
                                                "controls or bytes that are not UTF-8");
    }
    if (name == "all") return fail(Errc::invalid_argument, "'all' is reserved for pushing to every terminal");
    return {};
}

Result<void> validate(const TerminalSpec& spec) {
    CARDD_TRY_VOID(validate_name(spec.name));
    if (spec.unit_id < 1 || spec.unit_id > 247) {
        return fail(Errc::invalid_argument, "unit id " + std::to_string(spec.unit_id) + " is out of range: 1 to 247");
    }
    if (const auto* tcp = std::get_if<TcpAddress>(&spec.address)) {
        if (tcp->host.empty() || tcp->host.size() > 255)
            return fail(Errc::invalid_argument, "the terminal's host is empty");
        if (tcp->port < 1 || tcp->port > 65535) {
            return fail(Errc::invalid_argument,
                        "TCP port " + std::to_string(tcp->port) + " is out of range: 1 to 65535");
        }
        return {};
    }
    const auto& rtu = std::get<RtuAddress>(spec.address);
    if (rtu.device.empty() || rtu.device.size() > 255)
        return fail(Errc::invalid_argument, "the serial device is empty");
    if (std::find(std::begin(rs485_bauds), std::end(rs485_bauds), rtu.baud) == std::end(rs485_bauds)) {
        return fail(Errc::invalid_argument,
                    "baud rate " + std::to_string(rtu.baud) + " is not one of 9600, 19200, 38400, 57600, 115200");
    }
    if (rtu.parity != 'E' && rtu.parity != 'N' && rtu.parity != 'O') {
        return fail(Errc::invalid_argument, "parity must be E, N or O");
    }
    return {};
}

}  // namespace

Result<Device> CardStore::device(std::string_view name) {
    CARDD_TRY(row, query_one(*db_, "SELECT " + std::string(device_columns) + "FROM devices WHERE name = ?",
                             {std::string(name)}));
    if (!row) return fail(Errc::not_found, "no device named '" + std::string(name) + "'");
    return device_from_row(*row);
}

Result<Device> CardStore::device(DeviceId id) {
    CARDD_TRY(row, query_one(*db_, "SELECT " + std::string(device_columns) + "FROM devices WHERE id = ?", {id}));
    if (!row) return fail(Errc::not_found, "no device with id " + std::to_string(id));
    return device_from_row(*row);
}

Result<std::vector<Device>> CardStore::devices() {
    CARDD_TRY(rows, query(*db_, "SELECT " + std::string(device_columns) + "FROM devices ORDER BY name"));
    std::vector<Device> devices;
    for (const Row& row : rows) devices.push_back(device_from_row(row));
    return devices;
}

Result<Device> CardStore::add_terminal(const Actor& actor, const TerminalSpec& spec) {
    CARDD_TRY_VOID(validate(spec));
    return transaction([&]() -> Result<Device> {
        CARDD_TRY(taken, query_one(*db_, "SELECT 1 FROM devices WHERE name = ?", {spec.name}));
        if (taken) return fail(Errc::conflict, "a device named '" + spec.name + "' already exists");
        const UnixTime now = clock_();
        if (const auto* tcp = std::get_if<TcpAddress>(&spec.address)) {
            CARDD_TRY(
                same,
                query_one(*db_,
                          "SELECT name FROM devices WHERE transport = 'tcp' AND host = ? AND port = ? AND unit_id = ?",
                          {tcp->host, std::int64_t{tcp->port}, std::int64_t{spec.unit_id}}));
            if (same)
                return fail(Errc::conflict,
                            "terminal '" + as_text((*same)[0]) + "' already has this address and unit id");
            CARDD_TRY_VOID(execute(*db_,
                                   "INSERT INTO devices (name, kind, transport, host, port, unit_id, created_at) "
                                   "VALUES (?, 'terminal', 'tcp', ?, ?, ?, ?)",
                                   {spec.name, tcp->host, std::int64_t{tcp->port}, std::int64_t{spec.unit_id}, now}));
        } else {
            const auto& rtu = std::get<RtuAddress>(spec.address);
            // One RS-485 bus runs at one speed and framing; every terminal on it has its own unit id.
            CARDD_TRY(
                bus,
                query(*db_,
                      "SELECT name, baud, parity, unit_id FROM devices WHERE transport = 'rtu' AND serial_device = ?",
                      {rtu.device}));
            for (const Row& row : bus) {
                if (as_int(row[1]) != rtu.baud || as_text(row[2]) != std::string(1, rtu.parity)) {
                    return fail(Errc::conflict, "terminal '" + as_text(row[0]) + "' on " + rtu.device + " runs at " +
                                                    std::to_string(as_int(row[1])) + " baud, parity " +
                                                    as_text(row[2]) + "; one bus has one setting");
                }
                if (as_int(row[3]) == spec.unit_id) {
                    return fail(Errc::conflict, "terminal '" + as_text(row[0]) + "' already has unit id " +
                                                    std::to_string(spec.unit_id) + " on " + rtu.device);
                }
            }
            CARDD_TRY_VOID(execute(*db_,
                                   "INSERT INTO devices (name, kind, transport, serial_device, baud, parity, unit_id, "
                                   "created_at) VALUES (?, 'terminal', 'rtu', ?, ?, ?, ?, ?)",
                                   {spec.name, rtu.device, std::int64_t{rtu.baud}, std::string(1, rtu.parity),
                                    std::int64_t{spec.unit_id}, now}));
        }
        const DeviceId id = db_->last_insert_id();
        // Its lease, free: the instance whose round comes first claims it.
        CARDD_TRY_VOID(execute(*db_,
                               "INSERT INTO terminal_leases (terminal_id, owner, generation, expires_at) "
                               "VALUES (?, NULL, 0, 0)",
                               {id}));
        // A terminal added later refuses what was pushed to all terminals:
        // its set is the list everywhere, with no row of its own. It is
        // planned as one batch: the list itself when it fits one command
        // (one round trip to a terminal fresh from the factory), otherwise a
        // full sync, which carries no cards in the store.
        CARDD_TRY(listed, query_int(*db_, "SELECT COUNT(*) FROM blacklist_all"));
        if (listed > 0 && listed <= 76) {
            CARDD_TRY(rows, query(*db_, "SELECT card_no FROM blacklist_all ORDER BY card_no"));
            std::vector<CardNo> cards;
            for (const Row& row : rows) cards.push_back(as_int(row[0]));
            CARDD_TRY(version, next_version());
            CARDD_TRY_VOID(write_batches(id, 0, BatchOp::add, cards, version, nullptr));
        } else if (listed > 76) {
            CARDD_TRY(version, next_version());
            CARDD_TRY_VOID(insert_full_batch(id, 0, version));
            CARDD_TRY_VOID(execute(*db_, "UPDATE devices SET planned_version = ? WHERE id = ?", {version, id}));
        }
        CARDD_TRY_VOID(audit(actor, "device.add_terminal", "name=" + spec.name));
        return device(id);
    });
}

Result<Device> CardStore::add_encoder(const Actor& actor, const EncoderSpec& spec) {
    CARDD_TRY_VOID(validate_name(spec.name));
    if (!spec.simulated && (spec.vendor_id == 0 || spec.product_id == 0)) {
        return fail(Errc::invalid_argument, "a USB encoder needs its vendor and product id (VID:PID)");
    }
    return transaction([&]() -> Result<Device> {
        CARDD_TRY(taken, query_one(*db_, "SELECT 1 FROM devices WHERE name = ?", {spec.name}));
        if (taken) return fail(Errc::conflict, "a device named '" + spec.name + "' already exists");
        const Value vendor = spec.simulated ? Value{} : Value{std::int64_t{spec.vendor_id}};
        const Value product = spec.simulated ? Value{} : Value{std::int64_t{spec.product_id}};
        CARDD_TRY_VOID(execute(*db_,
                               "INSERT INTO devices (name, kind, transport, usb_vendor, usb_product, created_at) "
                               "VALUES (?, 'encoder', ?, ?, ?, ?)",
                               {spec.name, std::string(spec.simulated ? "sim" : "usb"), vendor, product, clock_()}));
        const DeviceId id = db_->last_insert_id();
        CARDD_TRY_VOID(audit(actor, "device.add_encoder", "name=" + spec.name));
        return device(id);
    });
}

Result<void> CardStore::remove_device(const Actor& actor, std::string_view name) {
    return transaction([&]() -> Result<void> {
        CARDD_TRY(found, device(name));
        CARDD_TRY_VOID(execute(*db_, "DELETE FROM terminal_exceptions WHERE terminal_id = ?", {found.id}));
        CARDD_TRY_VOID(execute(*db_, "DELETE FROM blacklist_batches WHERE terminal_id = ?", {found.id}));
        CARDD_TRY_VOID(execute(*db_, "DELETE FROM devices WHERE id = ?", {found.id}));
        CARDD_TRY_VOID(audit(actor, "device.remove", "name=" + found.name));
        return {};
    });
}

Result<void> CardStore::set_terminal_serial(DeviceId terminal, std::uint32_t serial) {
    return transaction([&]() -> Result<void> {
        CARDD_TRY(found, device(terminal));
        if (found.kind != DeviceKind::terminal)
            return fail(Errc::invalid_argument, "'" + found.name + "' is not a terminal");
        if (serial == 0) return fail(Errc::invalid_argument, "a terminal serial number is never 0");
        CARDD_TRY_VOID(fence(terminal));
        CARDD_TRY_VOID(
            execute(*db_, "UPDATE devices SET terminal_serial = ? WHERE id = ?", {std::int64_t{serial}, terminal}));
        return {};
    });
}

Result<Device> CardStore::forget_terminal_serial(const Actor& actor, std::string_view name) {
    return transaction([&]() -> Result<Device> {
        CARDD_TRY(found, device(name));
        if (found.kind != DeviceKind::terminal)
            return fail(Errc::invalid_argument, "'" + found.name + "' is not a terminal");
        CARDD_TRY_VOID(execute(*db_, "UPDATE devices SET terminal_serial = NULL WHERE id = ?", {found.id}));
        const std::string was = found.terminal_serial ? std::to_string(*found.terminal_serial) : "none";
        CARDD_TRY_VOID(audit(actor, "device.accept-serial", "name=" + found.name + " serial=" + was));
        return found;
    });
}

}  // namespace cardd::store
