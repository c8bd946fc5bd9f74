// card-termsim as a process: several units on one RTU bus, baud emulation,
// mbpoll, flash across restarts and kill -9, many terminals in one process,
// the command line and the control socket.

#include <signal.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "protocol/checksum.hpp"
#include "protocol/state_block.hpp"
#include "protocol/wire_cost.hpp"
#include "protocol/words.hpp"
#include "tests/support/temp_dir.hpp"
#include "tests/termsim/modbus_client.hpp"
#include "tests/support/process.hpp"

namespace cardd::termsim::test {
namespace {

namespace p = cardd::protocol;
using namespace std::chrono_literals;
using p::Status;
using Cards = std::vector<std::uint32_t>;
using cardd::test::ChildProcess;
using cardd::test::find_program;
using cardd::test::LineClient;
using cardd::test::PtyPair;
using cardd::test::Termsim;
using cardd::test::thread_count;
using nlohmann::json;

class Process : public ::testing::Test {
protected:
    std::string path(const std::string& name) const { return (dir_.path() / name).string(); }

    /// --terminals n on a random free range of ports; `base` gets its first port.
    std::unique_ptr<Termsim> start_terminals(int n, const std::vector<std::string>& extra, std::uint16_t& base) {
        std::mt19937 rng(std::random_device{}());
        for (int attempt = 0; attempt < 8; ++attempt) {
            // Below the ephemeral range (32768 up on Linux): client sockets in
            // TIME_WAIT there would block a listener's bind even with SO_REUSEADDR.
            base = static_cast<std::uint16_t>(std::uniform_int_distribution<int>(10000, 32000 - n)(rng));
            std::vector<std::string> flags{"--terminals", std::to_string(n), "--base-port", std::to_string(base)};
            flags.insert(flags.end(), extra.begin(), extra.end());
            try {
                return std::make_unique<Termsim>(CARDD_TERMSIM_PATH, flags, dir_.path());
            } catch (const std::runtime_error& e) {  // a port in the range was taken: try another range
                last_start_error_ = e.what();
            }
        }
        return nullptr;
    }

    std::string last_start_error_;

    cardd::test::TempDir dir_;
};

std::uint32_t serial_of(ModbusClient& client) { return p::read_u32(client.read(0x0002, 2).value(), 0); }

// Two terminals (units 1 and 2) share one RTU bus; other unit ids and broadcasts get no answer.
TEST_F(Process, twoUnitsShareOneRtuBus) {
    PtyPair pty(dir_.path());
    Termsim sim(CARDD_TERMSIM_PATH,
                {"--rtu", pty.a(), "--unit", "1", "--unit", "2", "--serial", "20", "--control", path("c")},
                dir_.path());
    ModbusClient client = ModbusClient::rtu(pty.b(), 1);
    EXPECT_EQ(serial_of(client), 20u);
    client.set_unit(2);
    EXPECT_EQ(serial_of(client), 21u);
    EXPECT_EQ(client.command(p::make_add(1, 0, 1, Cards{5})).value().first, Status::ok);
    client.set_unit(1);
    EXPECT_EQ(p::decode_state_block(client.read(0, 32).value())->blacklist_version, 0u);
    LineClient control(path("c"));
    EXPECT_EQ(json::parse(control.ask("@1 state")).at("version"), 1);
    EXPECT_EQ(json::parse(control.ask("@1 state")).at("unit"), 2);
    client.set_unit(3);
    client.set_timeout(200ms);
    EXPECT_EQ(client.read(0, 2).error(), ETIMEDOUT);
    client.set_unit(0);  // a broadcast ADD: neither answered nor run
    EXPECT_FALSE(client.write(0x0100, p::encode_command(p::make_add(1, 0, 1, Cards{9}))).has_value());
    client.set_unit(1);
    modbus_flush(client.get());
    EXPECT_EQ(serial_of(client), 20u);
    EXPECT_EQ(p::decode_state_block(client.read(0, 32).value())->blacklist_version, 0u);
    EXPECT_EQ(json::parse(control.ask("@1 list")), json({5}));
}

// --emulate-baud answers when the answer's last byte would arrive on the
// wire: the request, the silence that ends it, the answer (the silence
// after the answer is the master's).
TEST_F(Process, emulatedBaudDelaysAnswersByWireTime) {
    PtyPair pty(dir_.path());
    Termsim sim(CARDD_TERMSIM_PATH, {"--rtu", pty.a(), "--baud", "9600", "--emulate-baud"}, dir_.path());
    ModbusClient client = ModbusClient::rtu(pty.b(), 1, 9600);
    // Read 0x03 of 100 registers: request 8 bytes, answer 1 + 2 + 200 + 2 = 205.
    const auto wire = p::rtu_line_time(p::WireCost{8, 205, 1}, 9600, 11) - p::rtu_silent_interval(9600, 11);
    ASSERT_GT(wire, 230ms);
    const auto start = std::chrono::steady_clock::now();
    ASSERT_TRUE(client.read(0x0100, 100).has_value());
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, wire);
    EXPECT_LT(took, wire + 400ms);
}

// mbpoll, Debian's Modbus master, reads the magic 0x4354 and serial 7 from the state block.
TEST_F(Process, mbpollReadsStateBlock) {
    const std::string mbpoll = find_program("mbpoll");
    ASSERT_FALSE(mbpoll.empty()) << "mbpoll is not installed (Debian package mbpoll)";
    Termsim sim(CARDD_TERMSIM_PATH, {"--tcp", "127.0.0.1:0", "--serial", "7"}, dir_.path());
    const std::string command =
        mbpoll + " -m tcp -p " + std::to_string(sim.port()) + " -a 1 -0 -r 0 -c 4 -t 4:hex -1 -o 2 127.0.0.1 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string output;
    char buffer[512];
    while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) output += buffer;
    EXPECT_EQ(::pclose(pipe), 0) << output;
    EXPECT_NE(output.find("[0]: \t0x4354"), std::string::npos) << output;
    EXPECT_NE(output.find("[2]: \t0x0000"), std::string::npos) << output;
    EXPECT_NE(output.find("[3]: \t0x0007"), std::string::npos) << output;
}

// With --state, list, version, records, clock and the last commit survive a restart;
// the staging area (RAM) does not, and without --state a restart is a new terminal.
TEST_F(Process, stateFileKeepsFlashAcrossRestart) {
    const std::vector<std::string> flags{"--tcp", "127.0.0.1:0", "--state", path("flash.json"), "--control", path("c")};
    {
        Termsim sim(CARDD_TERMSIM_PATH, flags, dir_.path());
        ModbusClient client = ModbusClient::tcp(sim.port());
        ASSERT_EQ(client.command(p::make_add(1, 0, 4, Cards{7, 8})).value().first, Status::ok);
        ASSERT_EQ(client.command(p::make_set_clock(1, 1'400'000'000)).value().first, Status::ok);
        LineClient control(path("c"));
        ASSERT_EQ(control.ask("tap 3 10 90"), "ok purchase seq=1");
        ASSERT_EQ(client.command(p::make_full_begin(1, 5, 9, p::SyncFormat::list, 1)).value().first, Status::ok);
        EXPECT_EQ(sim.process().stop(SIGTERM), 0);
    }
    {
        Termsim sim(CARDD_TERMSIM_PATH, flags, dir_.path());
        ModbusClient client = ModbusClient::tcp(sim.port());
        const auto state = p::decode_state_block(client.read(0, 32).value()).value();
        EXPECT_EQ(state.blacklist_version, 4u);
        EXPECT_EQ(state.blacklist_count, 2u);
        EXPECT_EQ(state.checksum, p::blacklist_checksum(Cards{7, 8}));
        EXPECT_EQ(state.next_seq, 2u);
        EXPECT_LE(state.clock - 1'400'000'000u, 2u);
        EXPECT_EQ(state.full_sync_state, p::FullSyncState::idle);
        EXPECT_EQ(client.command(p::make_full_list_chunk(1, 5, 0, Cards{1})).value().first, Status::no_session);
        EXPECT_EQ(sim.process().stop(SIGTERM), 0);
    }
    Termsim fresh(CARDD_TERMSIM_PATH, {"--tcp", "127.0.0.1:0"}, dir_.path());
    ModbusClient client = ModbusClient::tcp(fresh.port());
    EXPECT_EQ(p::decode_state_block(client.read(0, 32).value())->blacklist_version, 0u);
}

// A state file that does not parse, belongs to another serial or cannot be written stops the start (exit 1).
TEST_F(Process, badStateFileStopsStart) {
    {
        std::FILE* f = std::fopen(path("flash.json").c_str(), "w");
        std::fputs("{\"format\": \"card-termsim-state\", \"format_ver", f);
        std::fclose(f);
    }
    EXPECT_THROW(Termsim(CARDD_TERMSIM_PATH, {"--tcp", "127.0.0.1:0", "--state", path("flash.json")}, dir_.path()),
                 std::runtime_error);
    ChildProcess child({CARDD_TERMSIM_PATH, "--tcp", "127.0.0.1:0", "--state", path("flash.json")}, path("err"));
    EXPECT_EQ(child.wait(10s), 1);
    EXPECT_NE(child.stderr_text().find("flash.json"), std::string::npos) << child.stderr_text();
    {
        Termsim sim(CARDD_TERMSIM_PATH, {"--tcp", "127.0.0.1:0", "--state", path("other.json"), "--serial", "5"},
                    dir_.path());
        ModbusClient client = ModbusClient::tcp(sim.port());
        ASSERT_EQ(client.command(p::make_add(1, 0, 1, Cards{1})).value().first, Status::ok);
    }
    ChildProcess other({CARDD_TERMSIM_PATH, "--tcp", "127.0.0.1:0", "--state", path("other.json"), "--serial", "6"},
                       path("err2"));
    EXPECT_EQ(other.wait(10s), 1);
    EXPECT_NE(other.stderr_text().find("serial 5"), std::string::npos) << other.stderr_text();
    ChildProcess nowhere({CARDD_TERMSIM_PATH, "--tcp", "127.0.0.1:0", "--state", path("missing/flash.json")},
                         path("err3"));
    EXPECT_EQ(nowhere.wait(10s), 1);  // an unwritable state file fails at start, not at the first command
}

// What one test terminal holds, as far as the commands acknowledged tell.
struct Model {
    std::uint32_t version = 0;
    std::set<std::uint32_t> cards;
    std::uint32_t next = 1;
    std::uint32_t oldest = 1;
    friend bool operator==(const Model&, const Model&) = default;
};

std::string describe(const Model& m) {
    return "version " + std::to_string(m.version) + ", " + std::to_string(m.cards.size()) + " cards, records [" +
           std::to_string(m.oldest) + ", " + std::to_string(m.next) + ")";
}

// kill -9 at random moments never loses an acknowledged change nor tears the
// state file: after each restart the terminal holds exactly the acknowledged
// state, or that plus the one command in flight, and its checksum matches.
TEST_F(Process, stateFileSurvivesKillNineAtRandomMoments) {
    const unsigned seed = std::random_device{}();
    std::mt19937 rng(seed);
    SCOPED_TRACE("seed " + std::to_string(seed));
    const std::vector<std::string> flags{"--tcp",     "127.0.0.1:0", "--state",    path("flash.json"),
                                         "--control", path("c"),     "--capacity", "1000"};
    auto random_cards = [&rng] {
        Cards cards(std::uniform_int_distribution<std::size_t>(1, 8)(rng));
        for (auto& c : cards) c = std::uniform_int_distribution<std::uint32_t>(1, 300)(rng);
        return cards;
    };
    Model acked;
    std::optional<Model> in_flight;
    int in_flight_landed = 0;
    for (int round = 0; round < 12; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        Termsim sim(CARDD_TERMSIM_PATH, flags, dir_.path());
        ModbusClient client = ModbusClient::tcp(sim.port());
        LineClient control(path("c"));
        {
            const auto state = p::decode_state_block(client.read(0, 32).value()).value();
            const auto list = json::parse(control.ask("list")).get<Cards>();
            const Model seen{state.blacklist_version, std::set<std::uint32_t>(list.begin(), list.end()), state.next_seq,
                             state.oldest_seq};
            EXPECT_EQ(state.checksum, p::blacklist_checksum(list));
            EXPECT_EQ(state.blacklist_count, list.size());
            ASSERT_TRUE(seen == acked || (in_flight && seen == *in_flight))
                << "restarted as " << describe(seen) << "; acknowledged " << describe(acked)
                << (in_flight ? "; in flight " + describe(*in_flight) : std::string());
            if (seen != acked) ++in_flight_landed;
            acked = seen;
            in_flight.reset();
        }
        const pid_t pid = sim.pid();
        std::thread killer([pid, delay = std::uniform_int_distribution<int>(5, 150)(rng)] {
            std::this_thread::sleep_for(std::chrono::milliseconds(delay));
            ::kill(pid, SIGKILL);
        });
        for (;;) {
            const int what = std::uniform_int_distribution<int>(0, 9)(rng);
            Model next = acked;
            std::optional<Status> status;
            try {
                if (what < 5) {  // ADD some cards
                    const Cards cards = random_cards();
                    next.version = acked.version + 1;
                    next.cards.insert(cards.begin(), cards.end());
                    in_flight = next;
                    if (auto r = client.command(p::make_add(1, acked.version, next.version, cards))) status = r->first;
                } else if (what < 8) {  // REMOVE some, present or not
                    const Cards cards = random_cards();
                    next.version = acked.version + 1;
                    for (const auto c : cards) next.cards.erase(c);
                    in_flight = next;
                    if (auto r = client.command(p::make_remove(1, acked.version, next.version, cards))) {
                        status = r->first;
                    }
                } else if (what == 8) {  // a card presented
                    next.next = acked.next + 1;
                    in_flight = next;
                    const std::string answer = control.ask("tap 301 100 900");
                    ASSERT_EQ(answer, "ok purchase seq=" + std::to_string(acked.next));
                    status = Status::ok;
                } else {  // acknowledge half the records held
                    next.oldest = acked.oldest + (acked.next - acked.oldest) / 2;
                    in_flight = next;
                    if (auto r = client.command(p::make_records_ack(1, next.oldest))) status = r->first;
                }
            } catch (const std::runtime_error&) {
                // the control socket died with the process
            }
            if (!status) break;  // killed: this command's answer never came
            ASSERT_EQ(*status, Status::ok);
            acked = next;
            in_flight.reset();
        }
        killer.join();
        EXPECT_EQ(sim.process().wait(5s), 128 + SIGKILL);
    }
    std::printf("kill -9 test: %d of 12 restarts held the command in flight\n", in_flight_landed);
}

// 200 terminals on consecutive ports in one process, served by very few threads.
TEST_F(Process, twoHundredTerminalsInOneProcess) {
    std::uint16_t base = 0;
    auto sim = start_terminals(200, {"--serial", "1000"}, base);
    ASSERT_TRUE(sim) << "no free range of 200 ports found; last error: " << last_start_error_;
    for (std::uint16_t i = 0; i < 200; ++i) {
        ModbusClient client = ModbusClient::tcp(static_cast<std::uint16_t>(base + i));
        const auto regs = client.read(0, 4);
        ASSERT_TRUE(regs.has_value()) << "port " << base + i;
        EXPECT_EQ((*regs)[0], 0x4354);
        EXPECT_EQ(p::read_u32(*regs, 2), 1000u + i);
    }
    const int threads = thread_count(sim->pid());
    EXPECT_GE(threads, 1);
    EXPECT_LE(threads, 4);
}

// Several terminals: one state file each in the --state directory, @I on the control socket.
TEST_F(Process, severalTerminalsKeepOneStateFileEach) {
    std::uint16_t base = 0;
    auto sim = start_terminals(3, {"--state", path("flash"), "--control", path("c"), "--serial", "40"}, base);
    ASSERT_TRUE(sim) << last_start_error_;
    ModbusClient second = ModbusClient::tcp(static_cast<std::uint16_t>(base + 1));
    ASSERT_EQ(second.command(p::make_add(1, 0, 6, Cards{77})).value().first, Status::ok);
    LineClient control(path("c"));
    EXPECT_EQ(json::parse(control.ask("@1 state")).at("version"), 6);
    EXPECT_EQ(json::parse(control.ask("@0 state")).at("version"), 0);
    EXPECT_EQ(json::parse(control.ask("@2 state")).at("port"), base + 2);
    EXPECT_EQ(control.ask("@2 tap 9 1 1"), "ok purchase seq=1");
    for (const char* name : {"terminal-40.json", "terminal-41.json", "terminal-42.json"}) {
        EXPECT_TRUE(std::filesystem::exists(dir_.path() / "flash" / name)) << name;
    }
    EXPECT_EQ(sim->process().stop(SIGTERM), 0);
    sim = start_terminals(3, {"--state", path("flash"), "--serial", "40"}, base);
    ASSERT_TRUE(sim) << last_start_error_;
    ModbusClient again = ModbusClient::tcp(static_cast<std::uint16_t>(base + 1));
    EXPECT_EQ(p::decode_state_block(again.read(0, 32).value())->blacklist_version, 6u);
}

// Bad flags are refused with a message and exit code 2.
TEST_F(Process, badFlagsExitTwo) {
    const std::vector<std::vector<std::string>> bad{
        {},
        {"--tcp", "127.0.0.1"},
        {"--tcp", "127.0.0.1:70000"},
        {"--tcp", "127.0.0.1:0", "--rtu", "/dev/null"},
        {"--tcp", "127.0.0.1:0", "--serial", "0"},
        {"--tcp", "127.0.0.1:0", "--bitmap-limit", "16777216"},
        {"--tcp", "127.0.0.1:0", "--model", "a model name that is too long"},
        {"--tcp", "127.0.0.1:0", "--firmware", "1"},
        {"--tcp", "127.0.0.1:0", "--firmware", "256.0"},
        {"--tcp", "127.0.0.1:0", "--unit", "1", "--unit", "2"},
        {"--tcp", "127.0.0.1:0", "--capacity", "-1"},
        {"--tcp", "127.0.0.1:0", "--emulate-baud"},
        {"--rtu", "/dev/null", "--baud", "4800"},
        {"--rtu", "/dev/null", "--parity", "X"},
        {"--rtu", "/dev/null", "--unit", "0"},
        {"--rtu", "/dev/null", "--unit", "248"},
        {"--rtu", "/dev/null", "--unit", "3", "--unit", "3"},
        {"--terminals", "3"},
        {"--terminals", "0", "--base-port", "2000"},
        {"--terminals", "10", "--base-port", "65530"},
        {"--no-such-flag"},
    };
    for (const auto& flags : bad) {
        std::vector<std::string> argv{CARDD_TERMSIM_PATH};
        argv.insert(argv.end(), flags.begin(), flags.end());
        ChildProcess child(argv, path("err"));
        std::string shown;
        for (const auto& f : flags) shown += f + " ";
        EXPECT_EQ(child.wait(10s), 2) << shown;
        EXPECT_NE(child.stderr_text().find("card-termsim: "), std::string::npos) << shown;
    }
}

// SIGTERM and SIGINT end the process cleanly (exit 0) and remove the control socket.
TEST_F(Process, signalsExitCleanly) {
    for (const int signal : {SIGTERM, SIGINT}) {
        Termsim sim(CARDD_TERMSIM_PATH, {"--tcp", "127.0.0.1:0", "--control", path("c")}, dir_.path());
        ASSERT_TRUE(std::filesystem::exists(path("c")));
        EXPECT_EQ(sim.process().stop(signal), 0);
        EXPECT_FALSE(std::filesystem::exists(path("c")));
    }
}

// --stats-file holds the requests served: written at start, again within a
// second or so of new requests, and at exit; on TCP and on RTU.
TEST_F(Process, statsFileWrittenEverySecondAndAtExit) {
    for (const bool rtu : {false, true}) {
        SCOPED_TRACE(rtu ? "rtu" : "tcp");
        const std::string file = path(rtu ? "rtu-stats.json" : "tcp-stats.json");
        std::optional<PtyPair> pty;
        std::vector<std::string> flags{"--stats-file", file, "--serial", "40"};
        if (rtu) {
            pty.emplace(dir_.path());
            flags.insert(flags.end(), {"--rtu", pty->a(), "--unit", "1", "--unit", "2"});
        } else {
            flags.insert(flags.end(), {"--tcp", "127.0.0.1:0"});
        }
        Termsim sim(CARDD_TERMSIM_PATH, flags, dir_.path());
        const auto read_stats = [&] {
            std::ifstream in(file);
            return json::parse(in);
        };
        EXPECT_EQ(read_stats().at("requests"), 0);
        EXPECT_EQ(read_stats().at("terminals").size(), rtu ? 2u : 1u);
        ModbusClient client = rtu ? ModbusClient::rtu(pty->b(), 2) : ModbusClient::tcp(sim.port());
        for (int i = 0; i < 3; ++i) ASSERT_EQ(serial_of(client), rtu ? 41u : 40u);
        const auto deadline = std::chrono::steady_clock::now() + 5s;
        while (read_stats().at("requests") != 3 && std::chrono::steady_clock::now() < deadline) {
            std::this_thread::sleep_for(50ms);
        }
        const json written = read_stats();
        EXPECT_EQ(written.at("requests"), 3);
        EXPECT_EQ(written.at("by_kind").at("state_read"), 3);
        EXPECT_EQ(written.at("terminals").at(rtu ? 1 : 0).at("requests"), 3);
        // Two more, then SIGTERM at once: the write at exit has them.
        ASSERT_TRUE(client.read(0x0000, 2).has_value());
        ASSERT_TRUE(client.read(0x0000, 2).has_value());
        EXPECT_EQ(sim.process().stop(SIGTERM), 0);
        const json last = read_stats();
        EXPECT_EQ(last.at("requests"), 5);
        EXPECT_EQ(last.at("bytes_in"), 5 * ((rtu ? 3 : 7) + 5));
    }
}

// The control socket answers each line with one line, several lines per write included.
TEST_F(Process, controlSocketAnswersEveryLine) {
    Termsim sim(CARDD_TERMSIM_PATH, {"--tcp", "127.0.0.1:0", "--control", path("c"), "--serial", "3"}, dir_.path());
    LineClient control(path("c"));
    EXPECT_EQ(control.ask("tap 5 100 900"), "ok purchase seq=1");
    EXPECT_EQ(control.ask("frobnicate"),
              "error unknown command 'frobnicate' (tap, state, list, terminals, stats, fault, busy, forge)");
    EXPECT_EQ(control.ask("@1 state"), "error no terminal 1 (this process serves 0..0)");
    EXPECT_EQ(control.ask("list"), "[]");
    const auto terminals = json::parse(control.ask("terminals"));
    EXPECT_EQ(terminals.at(0).at("serial"), 3);
    EXPECT_EQ(terminals.at(0).at("port"), sim.port());
    EXPECT_EQ(json::parse(control.ask("state")).at("records"), 1);
}

std::size_t count_of(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

/// Waits up to `timeout` for `what` in the process's stderr.
bool stderr_shows(ChildProcess& process, const std::string& what, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (process.stderr_text().find(what) == std::string::npos) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

// Out of descriptors, card-termsim says so once (not once per spin of its
// loop), goes on serving the connections it has, and accepts again, saying
// so, once some close.
TEST_F(Process, outOfDescriptorsSaysSoOnceAndKeepsServing) {
    const std::string prlimit = find_program("prlimit");
    ASSERT_FALSE(prlimit.empty()) << "prlimit (util-linux) is missing";
    // Soft and hard alike: card-termsim raises its soft limit to the hard one.
    // 24 leaves room for its own descriptors and a dozen connections.
    Termsim sim(prlimit,
                {"--nofile=24:24", CARDD_TERMSIM_PATH, "--tcp", "127.0.0.1:0", "--control", path("c"), "--serial", "7"},
                dir_.path());
    LineClient control(path("c"));
    const std::string shortage = "cannot accept a connection on port " + std::to_string(sim.port()) +
                                 ": Too many open files; this process may hold 24 open files";
    const std::string recovery = "card-termsim: accepting connections again";

    // Connections the listen backlog takes but card-termsim cannot accept.
    std::vector<ModbusClient> clients;
    while (clients.size() < 40 && sim.process().stderr_text().find(shortage) == std::string::npos) {
        clients.push_back(ModbusClient::tcp(sim.port()));
        std::this_thread::sleep_for(10ms);
    }
    ASSERT_TRUE(stderr_shows(sim.process(), shortage, 2s)) << sim.process().stderr_text();
    // A control client too: its listener is short of the same descriptors,
    // which is the same fault, not a second message.
    LineClient waiting_control(path("c"));

    // Several retries later (100 ms doubling to 1 s), still one message.
    std::this_thread::sleep_for(2500ms);
    const std::string during = sim.process().stderr_text();
    EXPECT_EQ(count_of(during, shortage), 1u) << during;
    EXPECT_LT(during.size(), 2000u) << during;
    EXPECT_EQ(count_of(during, recovery), 0u) << during;

    // The connections it has are served: a Modbus read, a control line.
    EXPECT_EQ(serial_of(clients.front()), 7u);
    EXPECT_EQ(json::parse(control.ask("terminals")).at(0).at("serial"), 7);

    // Closing all but the first frees descriptors: the waiting ones are
    // accepted (and, closed by now, let go), and a new one is served.
    clients.erase(clients.begin() + 1, clients.end());
    ASSERT_TRUE(stderr_shows(sim.process(), recovery, 5s)) << sim.process().stderr_text();
    ModbusClient fresh = ModbusClient::tcp(sim.port());
    EXPECT_EQ(serial_of(fresh), 7u);
    EXPECT_EQ(json::parse(waiting_control.ask("terminals")).at(0).at("serial"), 7);
    EXPECT_EQ(serial_of(clients.front()), 7u);
    const std::string after = sim.process().stderr_text();
    EXPECT_EQ(count_of(after, shortage), 1u) << after;
    EXPECT_EQ(count_of(after, recovery), 1u) << after;
    EXPECT_EQ(sim.process().stop(SIGTERM), 0);
}

}  // namespace
}  // namespace cardd::termsim::test
