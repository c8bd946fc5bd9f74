#include "tools/termsim/options.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>
#include <set>
#include <stdexcept>

#include "protocol/registers.hpp"
#include "protocol/state_block.hpp"

namespace cardd::termsim {

namespace {

constexpr std::uint32_t ct1_bauds[] = {9600, 19200, 38400, 57600, 115200};

struct BadFlag : std::runtime_error {
    using std::runtime_error::runtime_error;
};

std::uint16_t parse_port(const std::string& text, const std::string& flag) {
    std::size_t used = 0;
    unsigned long port = 0;
    try {
        port = std::stoul(text, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != text.size() || text.empty() || port > 65535) throw BadFlag(flag + ": bad port '" + text + "'");
    return static_cast<std::uint16_t>(port);
}

TcpMode parse_tcp(const std::string& text) {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon == 0) throw BadFlag("--tcp wants HOST:PORT, got '" + text + "'");
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    return TcpMode{host, parse_port(text.substr(colon + 1), "--tcp"), 1};
}

std::uint16_t parse_firmware(const std::string& text) {
    unsigned major = 0;
    unsigned minor = 0;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%u.%u%c", &major, &minor, &tail) != 2 || major > 255 || minor > 255) {
        throw BadFlag("--firmware wants MAJOR.MINOR, each 0..255, got '" + text + "'");
    }
    return static_cast<std::uint16_t>(major << 8 | minor);
}

}  // namespace

std::size_t Options::terminal_count() const {
    if (const auto* tcp = std::get_if<TcpMode>(&mode)) return tcp->terminals;
    return std::get<RtuMode>(mode).units.size();
}

std::variant<Options, int> parse_options(int argc, char** argv) {
    CLI::App app{"card-termsim: a CT-1 consumption terminal (docs/protocol.md) over Modbus TCP or RTU"};

    std::string tcp;
    std::size_t terminals = 0;
    unsigned base_port = 0;
    std::string bind = "127.0.0.1";
    std::string rtu;
    std::uint32_t baud = 19200;
    std::string parity = "E";
    int stop_bits = 1;
    bool emulate_baud = false;
    std::vector<unsigned> units;
    std::uint32_t serial = 1;
    std::uint32_t capacity = 10000;
    std::uint32_t bitmap_limit = 0;
    std::string model = "CT-SIM";
    std::string firmware = "1.0";
    std::string state;
    std::string control;
    std::string stats_file;
    std::uint64_t seed = 0;
    bool verbose = false;

    auto* tcp_opt = app.add_option("--tcp", tcp, "one terminal on Modbus TCP at HOST:PORT (PORT 0: any free port)");
    auto* terminals_opt =
        app.add_option("--terminals", terminals, "N terminals on TCP ports base-port .. base-port+N-1, one process");
    auto* base_port_opt = app.add_option("--base-port", base_port, "first TCP port of --terminals");
    auto* bind_opt = app.add_option("--bind", bind, "address --terminals listens on")->capture_default_str();
    auto* rtu_opt = app.add_option("--rtu", rtu, "Modbus RTU on this serial device (or pseudo-terminal)");
    auto* baud_opt =
        app.add_option("--baud", baud, "RTU baud rate: 9600, 19200, 38400, 57600 or 115200")->capture_default_str();
    auto* parity_opt = app.add_option("--parity", parity, "RTU parity: E, N or O")->capture_default_str();
    auto* stop_opt =
        app.add_option("--stop-bits", stop_bits, "RTU stop bits: 1, or 2 with --parity N (8N2)")->capture_default_str();
    auto* emulate_opt = app.add_flag("--emulate-baud", emulate_baud,
                                     "RTU: answer when the last byte of the answer would arrive on a real wire");
    auto* unit_opt = app.add_option("--unit", units,
                                    "unit id 1..247 (default 1); on RTU repeat it to put several terminals on the bus");
    app.add_option("--serial", serial, "serial number of the (first) terminal, non-zero")->capture_default_str();
    app.add_option("--capacity", capacity, "list capacity, most blacklist entries")->capture_default_str();
    app.add_option("--bitmap-limit", bitmap_limit, "highest card a bitmap may cover; 0: no bitmap support")
        ->capture_default_str();
    app.add_option("--model", model, "model name, at most 16 printable ASCII bytes")->capture_default_str();
    app.add_option("--firmware", firmware, "firmware version MAJOR.MINOR")->capture_default_str();
    app.add_option("--state", state, "keep flash in this file (a directory when serving several terminals)");
    app.add_option("--control", control, "control socket path (Unix stream, one line per request)");
    app.add_option("--stats-file", stats_file,
                   "write the requests served (count, bytes in and out, by function) to this JSON file, "
                   "every second and at exit");
    auto* seed_opt = app.add_option("--seed", seed, "seed of the fault dice (default: random)");
    app.add_flag("-v,--verbose", verbose, "log every request to stderr");

    tcp_opt->excludes(terminals_opt)->excludes(rtu_opt)->excludes(base_port_opt)->excludes(bind_opt);
    rtu_opt->excludes(terminals_opt)->excludes(base_port_opt)->excludes(bind_opt);
    for (CLI::Option* rtu_only : {baud_opt, parity_opt, stop_opt, emulate_opt}) rtu_only->needs(rtu_opt);
    terminals_opt->needs(base_port_opt);
    base_port_opt->needs(terminals_opt);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::cerr << "card-termsim: " << e.what() << "\n(run with --help for the flags)\n";
        return 2;
    }

    try {
        Options options;
        if (!tcp.empty()) {
            options.mode = parse_tcp(tcp);
        } else if (terminals_opt->count() > 0) {
            if (terminals < 1) throw BadFlag("--terminals must be at least 1");
            if (base_port < 1 || base_port + terminals - 1 > 65535) {
                throw BadFlag("--base-port must be 1..65535 and leave room for " + std::to_string(terminals) +
                              " ports");
            }
            options.mode = TcpMode{bind, static_cast<std::uint16_t>(base_port), terminals};
        } else if (!rtu.empty()) {
            RtuMode mode;
            mode.settings.device = rtu;
            if (std::ranges::find(ct1_bauds, baud) == std::end(ct1_bauds)) {
                throw BadFlag("--baud must be one of 9600, 19200, 38400, 57600, 115200 (CT-1)");
            }
            mode.settings.baud = baud;
            if (parity != "E" && parity != "N" && parity != "O") throw BadFlag("--parity must be E, N or O");
            mode.settings.parity = parity[0];
            if (stop_bits != 1 && stop_bits != 2) throw BadFlag("--stop-bits must be 1 or 2");
            if (stop_bits == 2 && parity != "N") throw BadFlag("--stop-bits 2 goes with --parity N (8N2)");
            mode.settings.stop_bits = stop_bits;
            mode.settings.emulate_baud = emulate_baud;
            options.mode = std::move(mode);
        } else {
            throw BadFlag(
                "say where the terminal listens: --tcp HOST:PORT, --terminals N --base-port P, or --rtu DEVICE");
        }

        if (units.empty()) units.push_back(1);
        std::set<unsigned> distinct;
        for (const unsigned unit : units) {
            if (unit < 1 || unit > 247) throw BadFlag("--unit must be 1..247, got " + std::to_string(unit));
            if (!distinct.insert(unit).second) throw BadFlag("--unit " + std::to_string(unit) + " given twice");
        }
        if (auto* mode = std::get_if<RtuMode>(&options.mode)) {
            for (const unsigned unit : units) mode->units.push_back(static_cast<std::uint8_t>(unit));
        } else if (unit_opt->count() > 1) {
            throw BadFlag("--unit may be repeated on RTU only (TCP answers any unit id)");
        }

        if (serial == 0) throw BadFlag("--serial must be non-zero");
        if (std::uint64_t{serial} + options.terminal_count() - 1 > 0xFFFFFFFFull) {
            throw BadFlag("--serial leaves no room for the serials of all terminals");
        }
        options.serial = serial;
        options.capacity = capacity;
        if (bitmap_limit > protocol::max_card_number) {
            throw BadFlag("--bitmap-limit must be at most 16777215 (card numbers are 24 bits)");
        }
        options.bitmap_limit = bitmap_limit;
        try {
            (void)protocol::encode_model_name(model);
        } catch (const std::invalid_argument&) {
            throw BadFlag("--model must be at most 16 printable ASCII bytes");
        }
        options.model = model;
        options.firmware = parse_firmware(firmware);
        if (!state.empty()) options.state = state;
        if (!control.empty()) options.control = control;
        if (!stats_file.empty()) options.stats_file = stats_file;
        if (seed_opt->count() > 0) options.seed = seed;
        options.verbose = verbose;
        return options;
    } catch (const BadFlag& e) {
        std::cerr << "card-termsim: " << e.what() << "\n";
        return 2;
    }
}

}  // namespace cardd::termsim
