#pragma once
// card-termsim's command line (CLI11), checked against CT-1's limits.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "tools/termsim/rtu_transport.hpp"

namespace cardd::termsim {

/// Terminals on TCP: one (--tcp HOST:PORT) or N on consecutive ports
/// (--terminals N --base-port P [--bind HOST]).
struct TcpMode {
    std::string host = "127.0.0.1";
    std::uint16_t base_port = 0;
    std::size_t terminals = 1;
};

/// Terminals on one serial line, one per --unit.
struct RtuMode {
    RtuSettings settings;
    std::vector<std::uint8_t> units;
};

struct Options {
    std::variant<TcpMode, RtuMode> mode;
    std::uint32_t serial = 1;  ///< of the first terminal; the next ones count up
    std::uint32_t capacity = 10000;
    std::uint32_t bitmap_limit = 0;
    std::string model = "CT-SIM";
    std::uint16_t firmware = 0x0100;
    std::optional<std::filesystem::path> state;
    std::optional<std::filesystem::path> control;
    /// Requests served, written here (atomically) every second and at exit.
    std::optional<std::filesystem::path> stats_file;
    std::optional<std::uint64_t> seed;
    bool verbose = false;

    std::size_t terminal_count() const;
};

/// Parsed options, or the exit code to leave with (0 after --help, 2 after
/// a bad flag, whose message has been printed to stderr).
std::variant<Options, int> parse_options(int argc, char** argv);

}  // namespace cardd::termsim
