#include "tools/termsim/request_stats.hpp"

#include "protocol/hex.hpp"
#include "protocol/registers.hpp"
#include "protocol/status.hpp"

namespace cardd::termsim {

namespace p = cardd::protocol;

namespace {

std::uint16_t u16_at(std::span<const std::uint8_t> pdu, std::size_t offset) noexcept {
    return static_cast<std::uint16_t>((unsigned{pdu[offset]} << 8) | pdu[offset + 1]);
}

bool inside(std::uint16_t address, const p::RegisterRange& block) noexcept {
    return address >= block.address && address < block.end();
}

// A write at `address` whose first value sits at `values` in the PDU.
RequestClass classify_write(std::span<const std::uint8_t> pdu, std::uint16_t address, std::size_t values) noexcept {
    if (address == p::mailbox::block.address) {
        RequestClass out{RequestKind::command, std::nullopt};
        if (pdu.size() >= values + 2) out.opcode = u16_at(pdu, values);
        return out;
    }
    if (address == p::records::cursor.address) return {RequestKind::record_read, std::nullopt};
    return {RequestKind::other, std::nullopt};
}

}  // namespace

std::string_view to_string(RequestKind kind) noexcept {
    switch (kind) {
        case RequestKind::state_read: return "state_read";
        case RequestKind::command: return "command";
        case RequestKind::record_read: return "record_read";
        case RequestKind::other: return "other";
    }
    return "other";
}

std::string_view request_name(const RequestClass& request) noexcept {
    if (request.kind == RequestKind::command && request.opcode) {
        return p::to_string(static_cast<p::Opcode>(*request.opcode));
    }
    return to_string(request.kind);
}

RequestClass classify_request(std::span<const std::uint8_t> pdu) noexcept {
    if (pdu.empty()) return {};
    switch (pdu[0]) {
        case p::modbus::fc_read_holding_registers: {
            if (pdu.size() < 3) return {};
            const std::uint16_t address = u16_at(pdu, 1);
            if (inside(address, p::state::block) || inside(address, p::model_name::block)) {
                return {RequestKind::state_read, std::nullopt};
            }
            if (inside(address, p::records::block)) return {RequestKind::record_read, std::nullopt};
            return {};
        }
        case p::modbus::fc_write_multiple_registers:
            if (pdu.size() < 3) return {};
            return classify_write(pdu, u16_at(pdu, 1), 6);
        case p::modbus::fc_read_write_multiple_registers:
            if (pdu.size() < 7) return {};
            return classify_write(pdu, u16_at(pdu, 5), 10);
        default: return {};
    }
}

void RequestStats::count(std::span<const std::uint8_t> request_pdu, std::size_t bytes_in, std::size_t bytes_out,
                         TimePoint when) {
    ++requests_;
    bytes_in_ += bytes_in;
    bytes_out_ += bytes_out;
    if (!request_pdu.empty()) ++by_function_[request_pdu[0]];
    const RequestClass kind = classify_request(request_pdu);
    ++by_kind_[kind.kind];
    if (kind.opcode) ++by_opcode_[*kind.opcode];
    if (!last_ || when > *last_) last_ = when;
}

RequestStats& RequestStats::operator+=(const RequestStats& other) {
    requests_ += other.requests_;
    bytes_in_ += other.bytes_in_;
    bytes_out_ += other.bytes_out_;
    for (const auto& [function, n] : other.by_function_) by_function_[function] += n;
    for (const auto& [kind, n] : other.by_kind_) by_kind_[kind] += n;
    for (const auto& [opcode, n] : other.by_opcode_) by_opcode_[opcode] += n;
    if (other.last_ && (!last_ || *other.last_ > *last_)) last_ = other.last_;
    return *this;
}

nlohmann::json RequestStats::to_json() const {
    nlohmann::json functions = nlohmann::json::object();
    for (const auto& [function, n] : by_function_) functions[p::hex(function)] = n;
    nlohmann::json kinds = nlohmann::json::object();
    for (const auto& [kind, n] : by_kind_) kinds[std::string(to_string(kind))] = n;
    nlohmann::json opcodes = nlohmann::json::object();
    for (const auto& [opcode, n] : by_opcode_) {
        const std::string_view name = p::to_string(static_cast<p::Opcode>(opcode));
        opcodes[name == "UNKNOWN" ? p::hex(opcode, 4) : std::string(name)] = n;
    }
    nlohmann::json last = nullptr;
    if (last_) {
        last = std::chrono::duration<double>(last_->time_since_epoch()).count();
    }
    return {{"requests", requests_}, {"bytes_in", bytes_in_}, {"bytes_out", bytes_out_}, {"by_function", functions},
            {"by_kind", kinds},      {"by_opcode", opcodes},  {"last_request_at", last}};
}

}  // namespace cardd::termsim
