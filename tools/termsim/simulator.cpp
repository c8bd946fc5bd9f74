#include "tools/termsim/simulator.hpp"

#include <cstdio>
#include <random>
#include <stdexcept>

#include "tools/termsim/atomic_file.hpp"
#include "tools/termsim/state_json.hpp"

namespace cardd::termsim {

namespace {

std::vector<Station*> raw(const std::vector<std::unique_ptr<Station>>& stations) {
    std::vector<Station*> out;
    for (const auto& station : stations) out.push_back(station.get());
    return out;
}

}  // namespace

std::filesystem::path Simulator::state_path(std::size_t, std::uint32_t serial) const {
    // One terminal: --state is its file. Several: --state is a directory
    // with one file per terminal, named by serial.
    if (options_.terminal_count() == 1) return *options_.state;
    return *options_.state / ("terminal-" + std::to_string(serial) + ".json");
}

Simulator::Simulator(const Options& options) : options_(options) {
    const std::size_t count = options_.terminal_count();
    if (options_.state && count > 1) std::filesystem::create_directories(*options_.state);
    const std::uint64_t seed = options_.seed.value_or(std::random_device{}());
    for (std::size_t i = 0; i < count; ++i) {
        TerminalConfig config;
        config.serial = options_.serial + static_cast<std::uint32_t>(i);
        config.firmware = options_.firmware;
        config.capacity = options_.capacity;
        config.bitmap_limit = options_.bitmap_limit;
        config.model = options_.model;
        Station::Saver saver;
        std::filesystem::path path;
        if (options_.state) {
            path = state_path(i, config.serial);
            saver = [path](const PersistentState& state) { write_file_atomically(path, state_to_json(state)); };
        }
        auto station = std::make_unique<Station>(config, std::move(saver), seed + i);
        if (options_.state) {
            if (const auto text = read_file_if_exists(path)) {
                auto saved = state_from_json(*text);
                if (!saved) throw std::runtime_error(path.string() + ": " + saved.error());
                if (auto ok = station->terminal().restore(*saved); !ok) {
                    throw std::runtime_error(path.string() + ": " + ok.error());
                }
            } else {
                // A new terminal's flash is written at once, so a path that
                // cannot be written fails now rather than at the first command.
                write_file_atomically(path, state_to_json(station->terminal().persistent()));
            }
        }
        stations_.push_back(std::move(station));
    }
    if (const auto* tcp = std::get_if<TcpMode>(&options_.mode)) {
        tcp_ = std::make_unique<TcpTransport>(loop_, raw(stations_), tcp->host, tcp->base_port, options_.verbose,
                                              accept_faults_);
    } else {
        const auto& rtu = std::get<RtuMode>(options_.mode);
        std::map<std::uint8_t, Station*> units;
        for (std::size_t i = 0; i < rtu.units.size(); ++i) units.emplace(rtu.units[i], stations_[i].get());
        rtu_ = std::make_unique<RtuTransport>(loop_, std::move(units), rtu.settings, options_.verbose);
    }
    if (options_.control)
        control_ = std::make_unique<ControlServer>(loop_, *options_.control, raw(stations_), accept_faults_);
    if (options_.stats_file) {
        // Written at once, so a path that cannot be written fails now, and a
        // reader finds the file as soon as the ready line is out.
        write_stats(true);
        schedule_stats();
    }
}

int Simulator::run() {
    const int signal = loop_.run();
    if (options_.stats_file) write_stats(true);
    return signal;
}

void Simulator::schedule_stats() {
    loop_.call_after(std::chrono::seconds(1), [this] {
        try {
            write_stats(false);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "card-termsim: cannot write the stats file: %s\n", e.what());
        }
        schedule_stats();
    });
}

void Simulator::write_stats(bool always) {
    std::uint64_t requests = 0;
    for (const auto& station : stations_) requests += station->stats().requests();
    if (!always && requests == stats_written_) return;
    write_file_atomically(*options_.stats_file, stats_json(raw(stations_)) + "\n");
    stats_written_ = requests;
}

std::string Simulator::ready_line() const {
    std::string line = "card-termsim: listening on ";
    if (const auto* tcp = std::get_if<TcpMode>(&options_.mode)) {
        const std::string host = tcp->host.find(':') != std::string::npos ? "[" + tcp->host + "]" : tcp->host;
        line += host + ":" + std::to_string(tcp_->port(0));
        // Appended piece by piece: GCC 12 at -O3 takes a temporary that
        // starts with a one-character literal for an overlapping memcpy
        // (a false -Wrestrict).
        if (tcp->terminals > 1) {
            line += '-';
            line += std::to_string(tcp_->port(tcp->terminals - 1));
            line += " (";
            line += std::to_string(tcp->terminals);
            line += " terminals, serials ";
            line += std::to_string(options_.serial);
            line += '-';
            line += std::to_string(options_.serial + tcp->terminals - 1);
            line += ')';
        } else {
            line += " (serial " + std::to_string(options_.serial) + ")";
        }
    } else {
        const auto& rtu = std::get<RtuMode>(options_.mode);
        const auto& s = rtu.settings;
        line += s.device + " (RTU " + std::to_string(s.baud) + " 8" + std::string(1, s.parity) +
                std::to_string(s.stop_bits) + ", units";
        for (std::size_t i = 0; i < rtu.units.size(); ++i) {
            line += i == 0 ? ' ' : ',';
            line += std::to_string(rtu.units[i]);
        }
        line += ", serials " + std::to_string(options_.serial) + "-" +
                std::to_string(options_.serial + rtu.units.size() - 1) + ")";
    }
    return line;
}

}  // namespace cardd::termsim
