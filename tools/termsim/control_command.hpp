#pragma once
// The control socket's line protocol, parsed. Pure: a line in, a request or
// an error out. docs/protocol.md lists every line and its answer.
//
//   [@I] tap CARD AMOUNT_CENTS BALANCE_AFTER_CENTS [COUNTER]
//   [@I] state | list
//   [@I] fault drop P | delay MS | corrupt P | unit P | function P | short P | long P
//   [@I] fault exception CODE P [ON] | fault busy P | fault none
//   [@I] busy MS
//   [@I] forge version N | forge forget CARD
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
    enum class Kind { drop, delay, corrupt, unit, function, short_frame, long_frame, exception, busy, none };
    Kind kind = Kind::none;
    double probability = 0;              ///< every kind but delay and none: 0..1
    std::chrono::milliseconds delay{0};  ///< delay
    std::uint8_t exception_code = 0;     ///< exception: the Modbus exception code answered, 1..255
    /// exception: only requests of this name (request_name: "ADD", "state_read"); empty: every request.
    std::string exception_on;
};
/// Flash changed behind the centre's back, as a firmware bug or another
/// centre would: the enforced version set to N, or a card dropped from the
/// list with the version kept (so the checksum disagrees).
struct ForgeRequest {
    enum class Kind { version, forget };
    Kind kind = Kind::version;
    std::uint32_t value = 0;
};
/// Busy for a while, as when a card is being served.
struct BusyRequest {
    std::chrono::milliseconds duration{0};
};

struct ControlRequest {
    std::optional<std::size_t> terminal;  ///< @I; nullopt means terminal 0
    std::variant<TapRequest, StateRequest, ListRequest, TerminalsRequest, StatsRequest, FaultRequest, BusyRequest,
                 ForgeRequest>
        command;
};

/// Parses one line (without its newline; a trailing CR is ignored). The
/// error text is what follows "error " in the answer.
std::expected<ControlRequest, std::string> parse_control_line(std::string_view line);

}  // namespace cardd::termsim
