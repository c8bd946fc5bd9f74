#include "tools/termsim/station.hpp"

#include <algorithm>
#include <utility>

#include <nlohmann/json.hpp>

#include "tools/termsim/pdu.hpp"

namespace cardd::termsim {

namespace p = cardd::protocol;
using nlohmann::json;

Station::Station(TerminalConfig config, Saver saver, std::uint64_t seed, Terminal::Clock clock)
    : terminal_(std::move(config), std::move(clock)), saver_(std::move(saver)), dice_(seed) {}

bool Station::roll(double chance) {
    if (chance <= 0) return false;
    if (chance >= 1) return true;
    return std::uniform_real_distribution<double>(0.0, 1.0)(dice_) < chance;
}

void Station::save_if_dirty() {
    if (terminal_.take_dirty() && saver_) saver_(terminal_.persistent());
}

std::string answer_note(const Answer& answer) {
    if (answer.drop) return " (dropped)";
    if (answer.spoil == Spoil::none) return {};
    return " (" + std::string(to_string(answer.spoil)) + ")";
}

Spoil Station::roll_spoil() {
    const std::pair<double, Spoil> chances[] = {{faults_.corrupt, Spoil::checksum},
                                                {faults_.unit, Spoil::unit},
                                                {faults_.function, Spoil::function},
                                                {faults_.short_frame, Spoil::short_frame},
                                                {faults_.long_frame, Spoil::long_frame}};
    for (const auto& [chance, spoil] : chances) {
        if (roll(chance)) return spoil;
    }
    return Spoil::none;
}

Answer Station::handle(std::span<const std::uint8_t> request_pdu) {
    Answer answer;
    const bool targeted = faults_.exception_on.empty() ||
                          request_name(classify_request(request_pdu)) == std::string_view(faults_.exception_on);
    if (!request_pdu.empty() && targeted && roll(faults_.exception)) {
        // Refused whole, as a firmware that cannot serve it now: nothing runs.
        answer.pdu = {static_cast<std::uint8_t>(request_pdu[0] | 0x80), faults_.exception_code};
    } else {
        terminal_.set_busy(std::chrono::steady_clock::now() < busy_until_ || roll(faults_.busy));
        answer.pdu = answer_pdu(terminal_, request_pdu);
        terminal_.set_busy(false);
        save_if_dirty();
    }
    answer.drop = roll(faults_.drop);
    if (!answer.drop) answer.spoil = roll_spoil();
    answer.delay = faults_.delay;
    return answer;
}

std::string Station::forge(const ForgeRequest& forge) {
    PersistentState flash = terminal_.persistent();
    if (forge.kind == ForgeRequest::Kind::version) {
        flash.version = forge.value;
    } else {
        const auto it = std::ranges::find(flash.blacklist, forge.value);
        if (it == flash.blacklist.end()) return "error card " + std::to_string(forge.value) + " is not on the list";
        flash.blacklist.erase(it);
    }
    if (auto restored = terminal_.restore(flash); !restored) return "error " + restored.error();
    if (saver_) saver_(terminal_.persistent());
    return "ok";
}

void Station::set_endpoint(std::optional<std::uint16_t> tcp_port, std::optional<std::uint8_t> rtu_unit) {
    tcp_port_ = tcp_port;
    rtu_unit_ = rtu_unit;
}

std::string Station::state_json() const {
    const Terminal& t = terminal_;
    const p::TerminalState s = t.state();
    json staging = nullptr;
    if (const auto& session = t.staging().session()) {
        staging = {{"session", session->id},
                   {"target_version", session->target_version},
                   {"format", p::to_string(session->format)},
                   {"total", session->total},
                   {"received", session->received}};
    }
    json doc{{"serial", s.serial},
             {"firmware", std::to_string(s.firmware_major()) + "." + std::to_string(s.firmware_minor())},
             {"model", t.config().model},
             {"version", s.blacklist_version},
             {"count", s.blacklist_count},
             {"list_size", s.blacklist_count},
             {"checksum", s.checksum},
             {"capacity", s.list_capacity},
             {"bitmap_limit", s.bitmap_limit},
             {"last_status", p::raw(s.last_status)},
             {"last_status_name", p::to_string(s.last_status)},
             {"last_tag", s.last_tag},
             {"records", t.records().held()},
             {"records_held", t.records().held()},
             {"oldest", s.oldest_seq},
             {"next", s.next_seq},
             {"cursor", t.cursor()},
             {"clock", s.clock},
             {"clock_offset", t.clock_offset()},
             {"full_sync", std::move(staging)},
             {"faults",
              {{"drop", faults_.drop},
               {"corrupt", faults_.corrupt},
               {"unit", faults_.unit},
               {"function", faults_.function},
               {"short", faults_.short_frame},
               {"long", faults_.long_frame},
               {"exception", faults_.exception},
               {"exception_code", faults_.exception_code},
               {"exception_on", faults_.exception_on},
               {"busy", faults_.busy},
               {"delay_ms", faults_.delay.count()}}}};
    if (tcp_port_) doc["port"] = *tcp_port_;
    if (rtu_unit_) doc["unit"] = *rtu_unit_;
    return doc.dump();
}

std::string Station::control(const ControlRequest& request) {
    struct Visitor {
        Station& self;
        std::string operator()(const TapRequest& tap) const {
            auto record = self.terminal_.tap(tap.card, tap.amount_cents, tap.balance_after, tap.counter);
            if (!record) return "error " + record.error();
            self.save_if_dirty();
            return "ok " + std::string(p::to_string(record->kind)) + " seq=" + std::to_string(record->seq);
        }
        std::string operator()(const StateRequest&) const { return self.state_json(); }
        std::string operator()(const ListRequest&) const { return json(self.terminal_.blacklist().cards()).dump(); }
        std::string operator()(const TerminalsRequest&) const { return "error terminals is answered by the server"; }
        std::string operator()(const StatsRequest&) const { return "error stats is answered by the server"; }
        std::string operator()(const FaultRequest& fault) const {
            using Kind = FaultRequest::Kind;
            switch (fault.kind) {
                case Kind::drop: self.faults_.drop = fault.probability; break;
                case Kind::corrupt: self.faults_.corrupt = fault.probability; break;
                case Kind::unit: self.faults_.unit = fault.probability; break;
                case Kind::function: self.faults_.function = fault.probability; break;
                case Kind::short_frame: self.faults_.short_frame = fault.probability; break;
                case Kind::long_frame: self.faults_.long_frame = fault.probability; break;
                case Kind::exception:
                    self.faults_.exception = fault.probability;
                    self.faults_.exception_code = fault.exception_code;
                    self.faults_.exception_on = fault.exception_on;
                    break;
                case Kind::busy: self.faults_.busy = fault.probability; break;
                case Kind::delay: self.faults_.delay = fault.delay; break;
                case Kind::none:
                    self.faults_ = Faults{};
                    self.busy_until_ = {};
                    break;
            }
            return "ok";
        }
        std::string operator()(const ForgeRequest& forge) const { return self.forge(forge); }
        std::string operator()(const BusyRequest& busy) const {
            self.busy_until_ = std::chrono::steady_clock::now() + busy.duration;
            return "ok";
        }
    };
    return std::visit(Visitor{*this}, request.command);
}

std::string stats_json(const std::vector<Station*>& stations) {
    RequestStats total;
    json terminals = json::array();
    for (std::size_t i = 0; i < stations.size(); ++i) {
        const Station& station = *stations[i];
        total += station.stats();
        json one = station.stats().to_json();
        one["index"] = i;
        one["serial"] = station.terminal().config().serial;
        if (station.tcp_port()) one["port"] = *station.tcp_port();
        if (station.rtu_unit()) one["unit"] = *station.rtu_unit();
        terminals.push_back(std::move(one));
    }
    json doc = total.to_json();
    doc["terminals"] = std::move(terminals);
    return doc.dump();
}

}  // namespace cardd::termsim
