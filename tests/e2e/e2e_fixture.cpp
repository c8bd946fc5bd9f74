#include "tests/e2e/e2e_fixture.hpp"

#include <grp.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "protocol/checksum.hpp"
#include "protocol/money.hpp"
#include "store/card_store.hpp"
#include "store/database_url.hpp"
#include "tests/support/mariadb_server.hpp"

namespace cardd::e2e {

namespace fs = std::filesystem;
using cardd::test::ChildProcess;
using cardd::test::LineClient;

namespace {

// One MariaDB server for the whole test program, started by the first
// MariaDB test and stopped at exit; each test gets its own database.
cardd::test::MariadbServer& mariadb() {
    static cardd::test::MariadbServer server;
    return server;
}

std::mt19937& random_engine() {
    static std::mt19937 engine(std::random_device{}());
    return engine;
}

// Ports below Linux's ephemeral range (32768 up): a client socket never takes
// one, so a terminal restarted on its port finds it free.
std::uint16_t random_port() {
    return static_cast<std::uint16_t>(std::uniform_int_distribution<int>(10000, 32000)(random_engine()));
}

}  // namespace

bool port_is_free(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return free;
}

cardd::test::MariadbServer& E2e::mariadb_server() { return mariadb(); }

gid_t group_id(const char* name) {
    const group* found = ::getgrnam(name);
    if (found == nullptr) throw std::runtime_error(std::string("group ") + name + " does not exist on this machine");
    return found->gr_gid;
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
    return info.param == Backend::sqlite ? "sqlite" : "mariadb";
}

std::string CtlRun::describe() const {
    return "cardctl exit " + std::to_string(exit_code) + "\nstdout: " + out + "\nstderr: " + err;
}

// ---- Sim ----

Sim::Sim(std::string key, std::vector<std::string> flags, fs::path control, fs::path dir,
         std::vector<std::string> wrapper)
    : key_(std::move(key)),
      flags_(std::move(flags)),
      wrapper_(std::move(wrapper)),
      control_(std::move(control)),
      dir_(std::move(dir)) {}

void Sim::start(bool empty) {
    std::vector<std::string> flags = flags_;
    const fs::path state = dir_ / (key_ + ".state.json");
    if (empty) {
        fs::remove(state);
    } else {
        flags.insert(flags.end(), {"--state", state.string()});
    }
    if (wrapper_.empty()) {
        process_.emplace(CARD_TERMSIM_PATH, flags, dir_);
    } else {
        std::vector<std::string> through(wrapper_.begin() + 1, wrapper_.end());
        through.push_back(CARD_TERMSIM_PATH);
        through.insert(through.end(), flags.begin(), flags.end());
        process_.emplace(wrapper_.front(), through, dir_);
    }
    if (port_ == 0 && process_->ready_line().find("RTU") == std::string::npos) port_ = process_->port();
}

void Sim::kill() {
    process_.reset();  // SIGKILL and reap
}

std::string Sim::control(const std::string& line, int index) {
    LineClient client(control_);
    return client.ask("@" + std::to_string(index) + " " + line);
}

json Sim::stats() {
    LineClient client(control_);
    return json::parse(client.ask("stats"));
}

json Sim::state(int index) { return json::parse(control("state", index)); }

Cards Sim::list(int index) { return json::parse(control("list", index)).get<Cards>(); }

void Sim::purchase(std::uint32_t card, std::int64_t amount, std::int64_t balance_after, int index) {
    const std::string answer = control(
        "tap " + std::to_string(card) + " " + std::to_string(amount) + " " + std::to_string(balance_after), index);
    ASSERT_EQ(answer.rfind("ok purchase seq=", 0), 0u) << answer;
}

// ---- the fixture ----

void E2e::SetUp() {
    data_dir_ = dir_.path() / "data";
    // The socket lives where any user can reach it (the role tests connect as
    // other uids); a /tmp path also keeps it under sun_path's 108 bytes.
    socket_dir_.emplace("/tmp", "cardd-e2e-");
    ::chmod(socket_dir_->path().c_str(), 0711);
    socket_ = socket_dir_->path() / "cardd.sock";

    // Short timeouts, so failures and retries happen within seconds; no
    // periodic work unless a test asks for it. Role groups are system groups
    // that exist on Debian: the role tests run clients with them as primary group.
    settings_ = {{"retry_initial_s", "1"},        {"retry_cap_s", "2"},
                 {"modbus_timeout_ms", "300"},    {"collect_timeout_ms", "3000"},
                 {"push_timeout_ms", "10000"},    {"collect_interval_s", "0"},
                 {"audit_interval_s", "0"},       {"log_level", "\"info\""},
                 {"admin_group", "\"adm\""},      {"issuer_group", "\"daemon\""},
                 {"viewer_group", "\"nogroup\""}, {"socket_group", "\"users\""}};
    sqlite_file_ = data_dir_ / "cardd.sqlite";
    before_first_start();
    if (GetParam() == Backend::sqlite) {
        database_url_ = "sqlite:" + sqlite_file_.string();
    } else {
        static int databases = 0;
        mariadb_database_ = "e2e_" + std::to_string(::getpid()) + "_" + std::to_string(++databases);
        mariadb().create_database(mariadb_database_);
        database_url_ = "mariadb://root@localhost/" + mariadb_database_ + "?socket=" + mariadb().socket().string();
    }

    start_cardd();
}

void E2e::TearDown() {
    if (cardd_ && cardd_->running()) {
        const int code = stop_cardd();
        EXPECT_EQ(code, 0) << "cardd did not stop cleanly; its log:\n" << cardd_log();
    }
    sims_.clear();
    bus_.reset();
    if (HasFailure() && print_log_on_failure_) {
        std::cerr << "---- cardd log ----\n" << cardd_log() << "---- end of cardd log ----\n";
    }
    if (!mariadb_database_.empty()) mariadb().drop_database(mariadb_database_);
}

void E2e::write_config() {
    std::ofstream out(dir_.path() / "cardd.conf");
    for (const auto& [key, value] : settings_) out << key << " = " << value << "\n";
}

void E2e::start_cardd() {
    const fs::path config = dir_.path() / "cardd.conf";
    write_config();
    ++cardd_runs_;
    const fs::path log = cardd_log_file();
    cardd_.reset();
    std::vector<std::string> argv = cardd_wrapper_;
    argv.insert(argv.end(), {CARDD_PATH, "--config", config.string(), "--data-dir", data_dir_.string(), "--socket",
                             socket_.string(), "--database", database_url_});
    cardd_.emplace(argv, log);
    const auto line = cardd_->read_line(30s);
    if (!line || *line != "cardd: serving " + socket_.string()) {
        throw std::runtime_error("cardd did not start (" + line.value_or("no line") + "); its log:\n" +
                                 cardd_->stderr_text());
    }
}

int E2e::stop_cardd() { return cardd_->stop(SIGTERM, 10s); }

void E2e::kill_cardd() { cardd_->stop(SIGKILL, 5s); }

void E2e::restart_cardd(const std::map<std::string, std::string>& changes) {
    if (cardd_->running()) {
        const int code = stop_cardd();
        EXPECT_EQ(code, 0) << "cardd did not stop cleanly";
    }
    for (const auto& [key, value] : changes) settings_[key] = value;
    start_cardd();
}

std::string E2e::cardd_log() const {
    std::string text;
    for (int run = 1; run <= cardd_runs_; ++run) {
        std::ifstream in(dir_.path() / ("cardd-" + std::to_string(run) + ".log"));
        std::stringstream s;
        s << in.rdbuf();
        text += s.str();
    }
    return text;
}

std::filesystem::path E2e::cardd_log_file() const {
    return dir_.path() / ("cardd-" + std::to_string(cardd_runs_) + ".log");
}

CtlRun E2e::cardctl(const std::vector<std::string>& args, std::optional<cardd::test::Credentials> run_as) {
    std::string program = CARDCTL_PATH;
    if (run_as) {
        if (cardctl_for_others_.empty()) {
            cardctl_for_others_ = socket_dir_->path() / "cardctl";
            fs::copy_file(CARDCTL_PATH, cardctl_for_others_, fs::copy_options::overwrite_existing);
            fs::permissions(cardctl_for_others_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                                     fs::perms::others_read | fs::perms::others_exec);
        }
        program = cardctl_for_others_.string();
    }
    std::vector<std::string> argv{program, "--socket", socket_.string(), "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    const fs::path err = dir_.path() / ("cardctl-" + std::to_string(++cardctl_runs_) + ".err");
    const cardd::test::Finished finished = cardd::test::run_program(argv, err, 60s, std::move(run_as));
    CtlRun run{finished.exit_code, nullptr, finished.out, finished.err};
    // --json prints one answer line; progress goes to stderr.
    std::istringstream lines(finished.out);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty()) continue;
        run.answer = json::parse(line, nullptr, false);
        if (run.answer.is_discarded()) run.answer = nullptr;
    }
    return run;
}

CtlRun E2e::cardctl_with_password(const std::vector<std::string>& args, const std::string& password) {
    std::vector<std::string> argv{"/bin/sh",        "-c",         "printf '%s\\n' \"$0\" | \"$@\"",
                                  password,         CARDCTL_PATH, "--socket",
                                  socket_.string(), "--json"};
    argv.insert(argv.end(), args.begin(), args.end());
    argv.push_back("--password-stdin");
    const fs::path err = dir_.path() / ("cardctl-" + std::to_string(++cardctl_runs_) + ".err");
    const cardd::test::Finished run = cardd::test::run_program(argv, err, 60s);
    CtlRun result{run.exit_code, nullptr, run.out, run.err};
    result.answer = json::parse(run.out.substr(0, run.out.find('\n')), nullptr, false);
    if (result.answer.is_discarded()) result.answer = nullptr;
    return result;
}

json E2e::ctl_ok(const std::vector<std::string>& args) {
    const CtlRun run = cardctl(args);
    std::string command;
    for (const auto& arg : args) command += " " + arg;
    EXPECT_EQ(run.exit_code, 0) << "cardctl" << command << "\n" << run.describe();
    if (!run.answer.is_object()) {
        ADD_FAILURE() << "cardctl" << command << " printed no JSON answer\n" << run.describe();
        return json::object();
    }
    EXPECT_EQ(run.answer.value("result", -1), 0) << run.describe();
    return run.answer.value("arguments", json::object());
}

std::string E2e::ask_line(const std::string& line, std::chrono::milliseconds timeout) {
    LineClient client(socket_);
    if (!client.send(line + "\n")) throw std::runtime_error("cannot send to cardd");
    for (;;) {
        auto answer = client.read_line(timeout);
        if (!answer) throw std::runtime_error("no answer from cardd to: " + line.substr(0, 200));
        if (answer->find("\"result\"") != std::string::npos) return *answer;
    }
}

json E2e::ask(const json& request, std::chrono::milliseconds timeout) {
    return json::parse(ask_line(request.dump(), timeout));
}

cardd::test::Finished E2e::send_line_as(const cardd::test::Credentials& who, const std::string& line) {
    const std::string socat = cardd::test::find_program("socat");
    if (socat.empty()) throw std::runtime_error("socat is not installed (Debian package socat)");
    // The line and the socket path go in as $0 and $1: no quoting to get wrong.
    return cardd::test::run_program(
        {"/bin/sh", "-c", "printf '%s\\n' \"$0\" | " + socat + " -t 5 - UNIX-CONNECT:\"$1\"", line, socket().string()},
        dir_.path() / "raw.err", 15s, who);
}

std::string E2e::ask_line_as(const cardd::test::Credentials& who, const std::string& line) {
    const cardd::test::Finished run = send_line_as(who, line);
    EXPECT_EQ(run.exit_code, 0) << run.err;
    return run.out.substr(0, run.out.find('\n'));
}

json E2e::ask_as(const cardd::test::Credentials& who, const json& request) {
    const std::string line = ask_line_as(who, request.dump());
    json answer = json::parse(line, nullptr, false);
    if (answer.is_discarded()) throw std::runtime_error("not an answer from cardd: " + line);
    return answer;
}

Sim& E2e::tcp_sim(const std::string& key, const std::vector<std::string>& extra) {
    std::string last_error;
    for (int attempt = 0; attempt < 8; ++attempt) {
        const std::uint16_t port = random_port();
        if (!port_is_free(port)) continue;
        try {
            return tcp_sim_on(key, port, extra);
        } catch (const std::runtime_error& error) {  // taken meanwhile: another port
            last_error = error.what();
            sims_.erase(key);
        }
    }
    throw std::runtime_error("no free port for card-termsim " + key + ": " + last_error);
}

Sim& E2e::tcp_sim_on(const std::string& key, std::uint16_t port, const std::vector<std::string>& extra) {
    std::vector<std::string> flags{"--tcp", "127.0.0.1:" + std::to_string(port), "--serial",
                                   std::to_string(next_serial_++)};
    return start_sim(key, std::move(flags), extra);
}

Sim& E2e::tcp_sims(const std::string& key, int count, const std::vector<std::string>& extra) {
    for (int attempt = 0; attempt < 20; ++attempt) {
        const std::uint16_t base = random_port();
        if (base + count > 32768) continue;
        bool free = true;
        for (int n = 0; n < count && free; ++n) free = port_is_free(static_cast<std::uint16_t>(base + n));
        if (!free) continue;
        std::vector<std::string> flags{
            "--terminals", std::to_string(count), "--base-port", std::to_string(base),
            "--bind",      "127.0.0.1",           "--serial",    std::to_string(next_serial_)};
        try {
            Sim& sim = start_sim(key, std::move(flags), extra);
            next_serial_ += static_cast<std::uint32_t>(count);
            return sim;
        } catch (const std::runtime_error&) {  // a port taken meanwhile: another range
            sims_.erase(key);
        }
    }
    throw std::runtime_error("no " + std::to_string(count) + " free consecutive ports for card-termsim " + key);
}

Sim& E2e::start_sim(const std::string& key, std::vector<std::string> flags, const std::vector<std::string>& extra) {
    flags.insert(flags.end(), {"--control", control_path(key).string(), "--seed", "1"});
    flags.insert(flags.end(), extra.begin(), extra.end());
    auto sim = std::make_unique<Sim>(key, flags, control_path(key), dir_.path(), sim_wrapper_);
    Sim& ref = *sim;
    sims_[key] = std::move(sim);
    ref.start();
    return ref;
}

std::filesystem::path E2e::control_path(const std::string& key) const { return dir_.path() / (key + ".ctl"); }

std::string E2e::bus_device() {
    if (!bus_) bus_.emplace(dir_.path());
    return bus_->b();
}

Sim& E2e::rtu_sim(const std::string& key, const std::vector<int>& units, const std::vector<std::string>& extra,
                  char parity) {
    bus_device();
    std::vector<std::string> flags{"--rtu",    bus_->a(),
                                   "--baud",   "19200",
                                   "--parity", std::string(1, parity),
                                   "--serial", std::to_string(next_serial_)};
    next_serial_ += static_cast<std::uint32_t>(units.size());
    for (const int unit : units) flags.insert(flags.end(), {"--unit", std::to_string(unit)});
    return start_sim(key, std::move(flags), extra);
}

void E2e::add_tcp_terminal(const std::string& name, const Sim& sim) {
    ctl_ok({"device", "add-terminal", name, "--tcp", "127.0.0.1:" + std::to_string(sim.port())});
}

void E2e::add_rtu_terminal(const std::string& name, int unit, char parity) {
    ctl_ok({"device", "add-terminal", name, "--rtu", bus_device(), "--baud", "19200", "--parity",
            std::string(1, parity), "--unit", std::to_string(unit)});
}

std::uint16_t E2e::free_port() {
    for (;;) {
        const std::uint16_t port = random_port();
        if (port_is_free(port)) return port;
    }
}

std::unique_ptr<store::CardStore> E2e::open_store() {
    auto url = store::parse_database_url(database_url_);
    if (!url) throw std::runtime_error(url.error().message);
    auto connection = store::open_database(*url);
    if (!connection) throw std::runtime_error(connection.error().message);
    auto card_store = store::CardStore::open(std::move(*connection));
    if (!card_store) throw std::runtime_error(card_store.error().message);
    return std::move(*card_store);
}

std::vector<store::AuditEntry> E2e::audit_log(std::size_t limit) {
    auto entries = open_store()->audit_log(limit);
    if (!entries) throw std::runtime_error(entries.error().message);
    return *entries;
}

Cards E2e::desired(const std::string& terminal) {
    auto card_store = open_store();
    auto device = card_store->device(terminal);
    if (!device) throw std::runtime_error(device.error().message);
    auto cards = card_store->desired_blacklist(device->id);
    if (!cards) throw std::runtime_error(cards.error().message);
    Cards result(cards->begin(), cards->end());
    std::ranges::sort(result);
    return result;
}

std::vector<Cards> E2e::batches(const std::string& terminal) {
    auto card_store = open_store();
    auto device = card_store->device(terminal);
    if (!device) throw std::runtime_error(device.error().message);
    auto written = card_store->batches(device->id);
    if (!written) throw std::runtime_error(written.error().message);
    std::vector<Cards> result;
    for (const auto& batch : *written) result.emplace_back(batch.cards.begin(), batch.cards.end());
    return result;
}

void E2e::expect_enforces(Sim& sim, int index, const std::string& terminal, const Cards& cards) {
    const Cards wanted = desired(terminal);
    EXPECT_EQ(wanted, cards) << "the store's desired set for " << terminal;
    EXPECT_EQ(sim.list(index), cards) << terminal << "'s blacklist";
    const json state = sim.state(index);
    EXPECT_EQ(state.at("checksum").get<std::uint32_t>(), protocol::blacklist_checksum(wanted))
        << terminal << "'s checksum against the CRC-32 of the store's set; state " << state.dump();
    EXPECT_EQ(state.at("count").get<std::size_t>(), cards.size()) << terminal;
}

void E2e::issue(const std::string& staff_no, std::int64_t card_no, std::int64_t opening_cents) {
    const std::string opening = protocol::format_yuan(opening_cents);
    place_blank();
    ctl_ok({"person", "add", staff_no, "--name", "Person " + staff_no, "--issue", "--card-no", std::to_string(card_no),
            "--opening", opening});
}

void E2e::add_sim_encoder() {
    if (sim_encoder_) return;
    ctl_ok({"device", "add-encoder", "desk", "--sim"});
    sim_encoder_ = true;
}

std::string E2e::place_blank() {
    add_sim_encoder();
    return ctl_ok({"encoder", "sim-place", "--blank"}).at("uid").get<std::string>();
}

void E2e::place(std::int64_t card_no) {
    add_sim_encoder();
    const json card = ctl_ok({"card", "info", std::to_string(card_no)}).at("card");
    ctl_ok({"encoder", "sim-place", "--uid", card.at("uid").get<std::string>()});
}

json E2e::read_card() { return ctl_ok({"card", "read", "--wait", "5"}); }

Sim& E2e::seed_store() {
    Sim& sim = tcp_sim("a");
    add_tcp_terminal("tcp-1", sim);
    issue("E001", 1001, 5000);
    issue("E002", 1002, 0);
    ctl_ok({"card", "loss", "1002", "--push", "--devices", "all"});
    return sim;
}

json E2e::snapshot(const std::vector<std::int64_t>& cards) {
    json all = {{"people", ask({{"command", "person-list"}})},
                {"devices", ask({{"command", "device-list"}})},
                {"losses", ask({{"command", "losses"}})},
                {"format", ask({{"command", "format-show"}})},
                {"failed", ask({{"command", "failed"}})}};
    for (const std::int64_t card : cards) {
        all["card " + std::to_string(card)] = ask({{"command", "card-info"}, {"arguments", {{"card_no", card}}}});
    }
    return all;
}

bool E2e::eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        std::this_thread::sleep_for(50ms);
    }
    return done();
}

}  // namespace cardd::e2e
