#pragma once
// End-to-end fixture: a real cardd process on SQLite or on a private MariaDB,
// real card-termsim terminals on Modbus TCP and on an RS-485 bus (a socat
// pseudo-terminal pair), driven through the built cardctl and through the
// raw control socket.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/card_store.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::test {
class MariadbServer;
}

namespace cardd::store {
class CardStore;
}

namespace cardd::e2e {

using namespace std::chrono_literals;
using nlohmann::json;
using Cards = std::vector<std::uint32_t>;

enum class Backend { sqlite, mariadb };

std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

/// The id of a group this machine must have (the role groups make deps
/// creates); throws when it does not, so the test says which.
gid_t group_id(const char* name);

/// Whether nothing listens on 127.0.0.1:`port` (a bind to it succeeds).
bool port_is_free(std::uint16_t port);

/// What cardctl printed and how it ended.
struct CtlRun {
    int exit_code = -1;
    json answer;  ///< the --json answer line, or null when there was none
    std::string out;
    std::string err;
    /// For failure messages: the whole story.
    std::string describe() const;
};

/// One card-termsim process: one TCP terminal, or several unit ids on a bus.
class Sim {
public:
    /// `wrapper`: a program card-termsim is started through, with its flags
    /// (`ip netns exec NS`); empty: card-termsim is run directly.
    Sim(std::string key, std::vector<std::string> flags, std::filesystem::path control, std::filesystem::path dir,
        std::vector<std::string> wrapper = {});

    /// Starts it (again). `empty`: without --state, and the state file gone.
    void start(bool empty = false);
    /// SIGKILL, as a terminal that loses power.
    void kill();

    /// One control line to terminal `index` of this process, its answer.
    std::string control(const std::string& line, int index = 0);
    json state(int index = 0);
    Cards list(int index = 0);
    /// `stats`: the requests the terminals of this process served, in all and each.
    json stats();
    /// `tap CARD AMOUNT BALANCE_AFTER`: must be answered "ok purchase ...".
    void purchase(std::uint32_t card, std::int64_t amount, std::int64_t balance_after, int index = 0);

    std::uint16_t port() const { return port_; }

private:
    std::string key_;
    std::vector<std::string> flags_;
    std::vector<std::string> wrapper_;
    std::filesystem::path control_;
    std::filesystem::path dir_;
    std::optional<cardd::test::Termsim> process_;
    std::uint16_t port_ = 0;
};

class E2e : public ::testing::TestWithParam<Backend> {
protected:
    void SetUp() override;
    void TearDown() override;

    // ---- cardd ----

    /// cardd.conf settings; `start_cardd` writes them. Tests may change them first.
    std::map<std::string, std::string> settings_;
    /// Writes the settings to cardd.conf (cardd reads it at start and on SIGHUP).
    void write_config();
    /// Writes cardd.conf and starts cardd, waiting for "cardd: serving".
    void start_cardd();
    /// SIGTERM, then the exit code.
    int stop_cardd();
    /// kill -9.
    void kill_cardd();
    /// Stops cardd, applies `changes` to the settings, starts it again.
    void restart_cardd(const std::map<std::string, std::string>& changes = {});
    cardd::test::ChildProcess& cardd() { return *cardd_; }
    const std::filesystem::path& socket() const { return socket_; }
    /// Every log line cardd wrote in this test (all its runs).
    std::string cardd_log() const;
    /// The file the running (or last) cardd logs to, for following it live.
    std::filesystem::path cardd_log_file() const;

    // ---- clients ----

    /// `cardctl --socket S --json ARGS...`, as root or as `run_as`.
    CtlRun cardctl(const std::vector<std::string>& args, std::optional<cardd::test::Credentials> run_as = std::nullopt);
    /// `cardctl --socket S --json ARGS... --password-stdin` as root, `password` its one line of input.
    CtlRun cardctl_with_password(const std::vector<std::string>& args, const std::string& password);
    /// cardctl that must succeed (exit 0): its answer's "arguments".
    json ctl_ok(const std::vector<std::string>& args);
    /// One request on a fresh raw connection: the final answer line (progress lines skipped).
    std::string ask_line(const std::string& line, std::chrono::milliseconds timeout = 30s);
    json ask(const json& request, std::chrono::milliseconds timeout = 30s);
    /// One request line on the raw socket, sent by socat running as `who`: the answer line.
    std::string ask_line_as(const cardd::test::Credentials& who, const std::string& line);
    /// The same socat run, whatever its end: for a caller that may not even reach the socket.
    cardd::test::Finished send_line_as(const cardd::test::Credentials& who, const std::string& line);
    json ask_as(const cardd::test::Credentials& who, const json& request);

    // ---- terminals ----

    /// A card-termsim on Modbus TCP (a free port below the ephemeral range),
    /// with a control socket and a state file; `extra` flags added.
    Sim& tcp_sim(const std::string& key, const std::vector<std::string>& extra = {});
    /// A card-termsim serving `units` on the RS-485 bus (made on first use), 19200 baud.
    Sim& rtu_sim(const std::string& key, const std::vector<int>& units, const std::vector<std::string>& extra = {},
                 char parity = 'E');
    /// The daemon's end of the bus.
    std::string bus_device();
    /// `device add-terminal NAME --tcp 127.0.0.1:PORT` through cardctl.
    void add_tcp_terminal(const std::string& name, const Sim& sim);
    /// `device add-terminal NAME --rtu BUS --baud 19200 --parity P --unit UNIT` through cardctl.
    void add_rtu_terminal(const std::string& name, int unit, char parity = 'E');
    /// A port nothing listens on, below the ephemeral range.
    std::uint16_t free_port();
    /// Starts a TCP card-termsim on a given port (a terminal that was down).
    Sim& tcp_sim_on(const std::string& key, std::uint16_t port, const std::vector<std::string>& extra = {});
    /// One card-termsim serving `count` terminals on consecutive free TCP
    /// ports from its port(); terminal n is index n of its control socket.
    Sim& tcp_sims(const std::string& key, int count, const std::vector<std::string>& extra = {});

    // ---- the store ----

    /// The store itself, on the test's database (beside the running cardd).
    std::unique_ptr<store::CardStore> open_store();
    /// The store's audit log, newest first.
    std::vector<store::AuditEntry> audit_log(std::size_t limit = 100);
    /// The terminal's desired blacklist, read from the store itself.
    Cards desired(const std::string& terminal);
    /// The cards of each blacklist batch the store wrote for the terminal, oldest first.
    std::vector<Cards> batches(const std::string& terminal);
    /// The terminal enforces exactly `cards`, which is what the store wants of it:
    /// its list, and its checksum equal to the CRC-32 of the store's desired set.
    void expect_enforces(Sim& sim, int index, const std::string& terminal, const Cards& cards);
    /// Issues card `card_no` to a new person `staff_no` with an opening amount
    /// (cents), written on a blank card on the simulated encoder "desk".
    void issue(const std::string& staff_no, std::int64_t card_no, std::int64_t opening_cents = 0);

    // ---- the simulated encoder ----

    /// Registers the simulated encoder "desk" (once).
    void add_sim_encoder();
    /// Puts a new blank card on "desk": its UID.
    std::string place_blank();
    /// Puts the chip of card `card_no` (as the store recorded it) back on "desk".
    void place(std::int64_t card_no);
    /// The card on "desk" as `cardctl card read` reports it (its "arguments").
    json read_card();
    /// A small store to attack: terminal tcp-1 (the returned card-termsim),
    /// card 1001 of E001 with 50.00, card 1002 of E002 lost and pushed to all.
    Sim& seed_store();
    /// The read-only answers that describe the whole store, for before/after comparisons.
    json snapshot(const std::vector<std::int64_t>& cards);

    /// Polls `done` until it holds or `timeout` passes.
    static bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout = 10s);

    /// Called by SetUp before cardd first starts, with data_dir_,
    /// sqlite_file_ and settings_ set: a fixture may prepare the disk under
    /// them, move the SQLite file elsewhere or change a setting.
    virtual void before_first_start() {}
    /// The test program's MariaDB server (started on first use); each test has its own database on it.
    static cardd::test::MariadbServer& mariadb_server();

    cardd::test::TempDir dir_;
    std::filesystem::path data_dir_;
    /// A program cardd is started through, with its flags (setpriv, to run
    /// it as another user); empty: cardd is run directly.
    std::vector<std::string> cardd_wrapper_;
    /// The same for the card-termsims started from then on.
    std::vector<std::string> sim_wrapper_;
    /// The control socket's directory.
    std::filesystem::path socket_dir() const { return socket_.parent_path(); }
    /// Whether TearDown prints every log line of every cardd run when the
    /// test failed; a test with hundreds of runs keeps its logs its own way.
    bool print_log_on_failure_ = true;
    /// The SQLite database (the SQLite backend only): DATA_DIR/cardd.sqlite unless a fixture moves it.
    std::filesystem::path sqlite_file_;

    /// The database URL cardd is started with (--database); a test may
    /// change it before a restart.
    std::string database_url_;
    /// The MariaDB backend's database of this test; empty on SQLite.
    std::string mariadb_database_;
    /// The control socket, in a directory of the test under /tmp; a fixture
    /// may move it (before_first_start) to a directory cardd has to make.
    std::filesystem::path socket_;

private:
    /// Starts card-termsim `key` with `flags`, its control socket, a fixed seed, then `extra`.
    Sim& start_sim(const std::string& key, std::vector<std::string> flags, const std::vector<std::string>& extra);
    std::filesystem::path control_path(const std::string& key) const;

    std::optional<cardd::test::TempDir> socket_dir_;
    /// cardctl copied beside the socket, for clients run as other uids: the
    /// checkout (and build) may sit under a directory only root can enter.
    std::filesystem::path cardctl_for_others_;
    std::optional<cardd::test::ChildProcess> cardd_;
    int cardd_runs_ = 0;
    int cardctl_runs_ = 0;
    std::uint32_t next_serial_ = 100;
    bool sim_encoder_ = false;
    std::optional<cardd::test::PtyPair> bus_;
    std::map<std::string, std::unique_ptr<Sim>> sims_;
};

}  // namespace cardd::e2e

/// Instantiates a fixture for both store backends, named .../sqlite and .../mariadb.
#define CARDD_E2E_BACKENDS(Fixture)                                                                            \
    INSTANTIATE_TEST_SUITE_P(Backends, Fixture,                                                                \
                             ::testing::Values(::cardd::e2e::Backend::sqlite, ::cardd::e2e::Backend::mariadb), \
                             ::cardd::e2e::backend_name)
