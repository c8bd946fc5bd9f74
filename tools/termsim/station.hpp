#pragma once
// One simulated terminal as the transports and the control socket see it:
// the Terminal, the faults set on it, where it is reached, and how its flash
// is saved. Synchronous and free of sockets; the saver is injected.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "tools/termsim/control_command.hpp"
#include "tools/termsim/request_stats.hpp"
#include "tools/termsim/spoil.hpp"
#include "tools/termsim/terminal.hpp"

namespace cardd::termsim {

/// Faults injected into the answers of one terminal (control: fault ...).
struct Faults {
    double drop = 0;  ///< chance an answer is not sent (the request still runs)
    /// Chances that an answer is spoiled so (Spoil::checksum: "corrupt"); at most one applies.
    double corrupt = 0, unit = 0, function = 0, short_frame = 0, long_frame = 0;
    double exception = 0;  ///< chance a request is answered with exception_code instead of run
    std::uint8_t exception_code = 0;
    std::string exception_on;            ///< only requests of this request_name; empty: all
    double busy = 0;                     ///< chance a command is answered BUSY
    std::chrono::milliseconds delay{0};  ///< added before every answer
};

/// An answer to one request, and what the faults do to it.
struct Answer {
    std::vector<std::uint8_t> pdu;
    bool drop = false;
    Spoil spoil = Spoil::none;
    std::chrono::milliseconds delay{0};
};

/// " (dropped)", " (wrong unit)" and so on, or nothing: for the verbose log.
std::string answer_note(const Answer& answer);

class Station {
public:
    /// Writes flash; throws when it cannot (the answer must then not go out).
    using Saver = std::function<void(const PersistentState&)>;

    /// `saver` may be empty (no --state). `seed` drives the fault dice.
    Station(TerminalConfig config, Saver saver, std::uint64_t seed, Terminal::Clock clock = Terminal::system_clock);

    /// Runs one request PDU; flash is saved before this returns.
    Answer handle(std::span<const std::uint8_t> request_pdu);

    /// Runs one control request aimed at this terminal; the answer line
    /// without newline. `terminals` is answered by the caller.
    std::string control(const ControlRequest& request);

    /// Where the terminal is reached, for "state" and logs.
    void set_endpoint(std::optional<std::uint16_t> tcp_port, std::optional<std::uint8_t> rtu_unit);
    std::optional<std::uint16_t> tcp_port() const noexcept { return tcp_port_; }
    std::optional<std::uint8_t> rtu_unit() const noexcept { return rtu_unit_; }

    Terminal& terminal() noexcept { return terminal_; }
    const Terminal& terminal() const noexcept { return terminal_; }
    /// The requests this terminal served, counted by the transport that framed them.
    RequestStats& stats() noexcept { return stats_; }
    const RequestStats& stats() const noexcept { return stats_; }
    const Faults& faults() const noexcept { return faults_; }
    /// The state line's JSON object.
    std::string state_json() const;

private:
    bool roll(double chance);
    Spoil roll_spoil();
    std::string forge(const ForgeRequest& forge);
    void save_if_dirty();

    Terminal terminal_;
    Saver saver_;
    Faults faults_;
    RequestStats stats_;
    std::mt19937_64 dice_;
    std::chrono::steady_clock::time_point busy_until_{};
    std::optional<std::uint16_t> tcp_port_;
    std::optional<std::uint8_t> rtu_unit_;
};

/// The requests a process served: the totals of RequestStats::to_json() over
/// all its terminals, and "terminals", each terminal's own with its index,
/// serial and port or unit. The --stats-file and the control line "stats".
std::string stats_json(const std::vector<Station*>& stations);

}  // namespace cardd::termsim
