#pragma once
// The control socket's line protocol, parsed. Pure: a line in, a request or
// an error out. docs/protocol.md lists every line and its answer.
//
//   [@I] tap CARD AMOUNT_CENTS BALANCE_AFTER_CENTS [COUNTER]
//   [@I] state | list
//   [@I] fault drop P | fault delay MS | fault corrupt P | fault busy P | fault none
//   [@I] busy MS
//   terminals
//   stats
//
// @I picks terminal I (0-based, in the order the process serves them);
// without it, terminal 0.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace cardd::termsim {

struct TapRequest {
    std::uint32_t card = 0;
    std::int32_t amount_cents = 0;
    std::uint32_t balance_after = 0;
    std::optional<std::uint16_t> counter;  ///< nullopt: the simulated card's own counter
};
struct StateRequest {};
struct ListRequest {};
struct TerminalsRequest {};
/// The requests the process served (stats_json), all terminals at once.
struct StatsRequest {};
struct FaultRequest {
    enum class Kind { drop, delay, corrupt, busy, none };
    Kind kind = Kind::none;
    double probability = 0;              ///< drop, corrupt, busy: 0..1
    std::chrono::milliseconds delay{0};  ///< delay
};
/// Busy for a while, as when a card is being served.
struct BusyRequest {
    std::chrono::milliseconds duration{0};
};

struct ControlRequest {
    std::optional<std::size_t> terminal;  ///< @I; nullopt means terminal 0
    std::variant<TapRequest, StateRequest, ListRequest, TerminalsRequest, StatsRequest, FaultRequest, BusyRequest>
        command;
};

/// Parses one line (without its newline; a trailing CR is ignored). The
/// error text is what follows "error " in the answer.
std::expected<ControlRequest, std::string> parse_control_line(std::string_view line);

}  // namespace cardd::termsim
