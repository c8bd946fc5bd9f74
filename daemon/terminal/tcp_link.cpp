#include "daemon/terminal/tcp_link.hpp"

#include <utility>

namespace cardd::daemon {

LinkResult<std::shared_ptr<TcpLink>> TcpLink::create(const std::string& host, int port, int unit, LinkOptions options,
                                                     std::shared_ptr<ConnectionBudget> budget) {
    std::string where = host + ":" + std::to_string(port) + " unit " + std::to_string(unit);
    auto ctx = ModbusContext::tcp(host, port);
    if (!ctx) return located(LinkResult<std::shared_ptr<TcpLink>>(std::unexpected(ctx.error())), where);
    ctx->set_response_timeout(options.response_timeout);
    return std::shared_ptr<TcpLink>(new TcpLink(std::move(where), unit, std::move(*ctx), std::move(budget)));
}

TcpLink::TcpLink(std::string where, int unit, ModbusContext ctx, std::shared_ptr<ConnectionBudget> budget)
    : where_(std::move(where)), unit_(unit), ctx_(std::move(ctx)), budget_(std::move(budget)) {}

// In the body, so the budget forgets this link before its members go: until
// then another link making room may still try its lock.
TcpLink::~TcpLink() {
    if (budget_) budget_->closed(*this);
}

bool TcpLink::close_if_idle() noexcept {
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock()) return false;
    ctx_.close();
    return true;
}

template <class Op>
auto TcpLink::request(Op op) -> decltype(op(std::declval<ModbusContext&>())) {
    using Result = decltype(op(std::declval<ModbusContext&>()));
    std::lock_guard lock(mutex_);
    // A connection kept from an earlier request may have died with a
    // terminal that restarted since: an I/O error on it earns one retry on a
    // fresh connection. Every CT-1 request is safe to repeat (commands carry
    // versions, reads and acknowledgements are idempotent).
    const bool reused = ctx_.connected();
    for (int attempt = 0;; ++attempt) {
        if (!ctx_.connected()) {
            // The unit id goes in every MBAP header; a gateway routes on it.
            if (auto set = ctx_.set_unit(unit_); !set) return located(Result(std::unexpected(set.error())), where_);
            if (budget_) budget_->opening(*this);
            if (auto connected = ctx_.ensure_connected(); !connected) {
                if (budget_) budget_->closed(*this);
                return located(Result(std::unexpected(connected.error())), where_);
            }
        }
        Result result = op(ctx_);
        // An exception response is a whole frame: the stream is still in step.
        // Anything else may leave a late or partial answer in the socket.
        if (!result && result.error().kind != LinkError::Kind::modbus_exception) ctx_.close();
        if (budget_ && !ctx_.connected()) budget_->closed(*this);
        if (!result && result.error().kind == LinkError::Kind::io && reused && attempt == 0) continue;
        return located(std::move(result), where_);
    }
}

LinkResult<std::vector<std::uint16_t>> TcpLink::read_registers(std::uint16_t address, std::uint16_t count) {
    return request([&](ModbusContext& ctx) { return ctx.read_registers(address, count); });
}

LinkResult<void> TcpLink::write_registers(std::uint16_t address, std::span<const std::uint16_t> values) {
    return request([&](ModbusContext& ctx) { return ctx.write_registers(address, values); });
}

LinkResult<std::vector<std::uint16_t>> TcpLink::write_and_read_registers(std::uint16_t write_address,
                                                                         std::span<const std::uint16_t> values,
                                                                         std::uint16_t read_address,
                                                                         std::uint16_t read_count) {
    return request([&](ModbusContext& ctx) {
        return ctx.write_and_read_registers(write_address, values, read_address, read_count);
    });
}

}  // namespace cardd::daemon
