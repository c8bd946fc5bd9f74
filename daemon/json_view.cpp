#include "daemon/json_view.hpp"

#include "daemon/health.hpp"

#include "protocol/hex.hpp"

namespace cardd::daemon {

using nlohmann::json;

namespace {

json optional(const auto& value) {
    if (!value) return nullptr;
    return *value;
}

}  // namespace

json to_json(const store::Card& card) {
    return {{"card_no", card.card_no},
            {"serial", card.serial},
            {"staff_no", card.staff_no},
            {"name", card.name},
            {"dept", card.department},
            {"uid", optional(card.uid)},
            {"state", to_string(card.state)},
            {"issued_at", card.issued_at},
            {"closed_at", optional(card.closed_at)},
            {"replaces", optional(card.replaces)},
            {"replaced_by", optional(card.replaced_by)},
            {"balance", card.balance}};
}

json to_json(const store::Person& person) {
    return {{"staff_no", person.staff_no},
            {"name", person.name},
            {"dept", person.department},
            {"card_no", optional(person.card_no)}};
}

json to_json(const store::PersonMatch& match) {
    const store::Person& person = match.person;
    json card = nullptr;
    if (match.card) {
        card = {{"card_no", match.card->card_no},
                {"serial", match.card->serial},
                {"state", to_string(match.card->state)},
                {"balance", match.card->balance}};
    }
    return {{"id", person.id},
            {"staff_no", person.staff_no},
            {"name", person.name},
            {"department", person.department},
            {"created_at", person.created_at},
            {"card", std::move(card)}};
}

json to_json(const store::Department& department) { return {{"name", department.name}, {"people", department.people}}; }

json to_json(const store::Loss& loss) {
    return {{"id", loss.id},
            {"card_no", loss.card_no},
            {"serial", loss.card_serial},
            {"staff_no", loss.staff_no},
            {"name", loss.name},
            {"reported_at", loss.reported_at},
            {"reported_by", loss.reported_by},
            {"push", to_string(loss.push)},
            {"terminals", loss.terminals},
            {"reason", to_string(loss.reason)},
            {"unlocked_at", optional(loss.unlocked_at)},
            {"unlocked_by", optional(loss.unlocked_by)},
            {"unlock_push", loss.unlock_push ? json(to_string(*loss.unlock_push)) : json(nullptr)}};
}

json to_json(const store::LedgerEntry& entry) {
    json line = {{"kind", to_string(entry.kind)}, {"amount", entry.amount}, {"cash", entry.cash}, {"at", entry.at}};
    if (entry.by_uid) line["by_uid"] = *entry.by_uid;
    return line;
}

json to_json(const store::WriteIntent& intent, store::UnixTime now) {
    json out = {{"id", intent.id},
                {"kind", to_string(intent.kind)},
                {"state", to_string(intent.state)},
                {"card_no", intent.card_no},
                {"uid", intent.uid},
                {"by_uid", intent.actor.uid},
                {"created_at", intent.created_at},
                {"age_s", now - intent.created_at}};
    if (intent.old_card_no) out["old_card_no"] = *intent.old_card_no;
    if (intent.kind == store::WriteKind::topup || intent.kind == store::WriteKind::replace)
        out["amount"] = intent.amount;
    if (intent.before.balance) out["balance_before"] = *intent.before.balance;
    if (intent.after.balance) out["balance_after"] = *intent.after.balance;
    if (intent.closed_at) out["closed_at"] = *intent.closed_at;
    if (!intent.resolution.empty()) out["resolution"] = intent.resolution;
    return out;
}

json to_json(const store::CardFormat& format) {
    return {{"card_type", format.card_type},
            {"format", format.format},
            {"sector", format.sector},
            {"card_no_digits", format.card_no_digits},
            {"max_card_no", format.max_card_no}};
}

std::string address_of(const store::Device& device) {
    if (device.terminal) {
        if (const auto* tcp = std::get_if<store::TcpAddress>(&device.terminal->address)) {
            return "tcp " + tcp->host + ":" + std::to_string(tcp->port);
        }
        const auto& rtu = std::get<store::RtuAddress>(device.terminal->address);
        return "rtu " + rtu.device + " " + std::to_string(rtu.baud) + " 8" + rtu.parity + "1";
    }
    if (device.encoder && !device.encoder->simulated) {
        return "usb " + protocol::hex_number(device.encoder->vendor_id, 4, protocol::HexCase::lower) + ":" +
               protocol::hex_number(device.encoder->product_id, 4, protocol::HexCase::lower);
    }
    return "sim";
}

std::string state_of(const store::Device& device) {
    if (device.kind == store::DeviceKind::encoder) return "registered";
    const TerminalState state = terminal_state(device);
    // device-list named a terminal never reached "unknown" before status had states.
    return state == TerminalState::never_reached ? "unknown" : std::string(to_string(state));
}

json to_json(const store::Device& device) {
    json out = {{"name", device.name},
                {"kind", device.kind == store::DeviceKind::terminal ? "terminal" : "encoder"},
                {"address", address_of(device)},
                {"state", state_of(device)}};
    if (device.terminal) {
        out["unit"] = device.terminal->unit_id;
        out["serial"] = optional(device.terminal_serial);
        out["confirmed_version"] = device.confirmed_version;
        out["planned_version"] = device.planned_version;
        out["last_error"] = optional(device.sync_error);
        out["attempts"] = device.sync_attempts;
        out["next_retry"] = optional(device.sync_next_at);
    }
    return out;
}

}  // namespace cardd::daemon

namespace cardd::daemon {

nlohmann::json terminal_info_json(const TerminalInfo& info) {
    const protocol::TerminalState& s = info.state;
    return {{"serial", s.serial},
            {"model", info.model},
            {"firmware", std::to_string(s.firmware_major()) + "." + std::to_string(s.firmware_minor())},
            {"capabilities", s.capabilities},
            {"bitmap_sync", s.supports_bitmap()},
            {"version", s.blacklist_version},
            {"count", s.blacklist_count},
            {"capacity", s.list_capacity},
            {"bitmap_limit", s.bitmap_limit},
            {"checksum", s.checksum},
            {"oldest_record", s.oldest_seq},
            {"next_record", s.next_seq},
            {"clock", s.clock}};
}

json to_json(const store::Account& account, store::UnixTime now) {
    return {{"name", account.name},
            {"role", to_string(account.role)},
            {"disabled", account.disabled},
            {"locked_until", account.locked_at(now) ? json(*account.locked_until) : json(nullptr)},
            {"failed_logins", account.failed_logins},
            {"created_at", account.created_at},
            {"last_login_at", account.last_login_at ? json(*account.last_login_at) : json(nullptr)}};
}

}  // namespace cardd::daemon
