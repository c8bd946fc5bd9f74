// cardd against an independent CT-1 terminal: tests/independent/ct1_terminal.py,
// a Modbus TCP terminal written from the terminal protocol page alone, run as
// a real process. cardd drives it through loss, unlock, failure, restart with
// its flash, restart empty (full resync by list and by bitmap) and record
// collection, and it ends level with the store each time. python3 must be
// installed: a missing one fails the tests loudly, never skips them.

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "protocol/checksum.hpp"
#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

namespace fs = std::filesystem;
using cardd::test::ChildProcess;
using cardd::test::LineClient;

constexpr const char* terminal_name = "indep";
constexpr std::uint32_t terminal_serial = 4242;

class Independent : public E2e {
protected:
    void SetUp() override {
        E2e::SetUp();
        python_ = cardd::test::find_program("python3");
        ASSERT_FALSE(python_.empty()) << "python3 is not installed: the independent CT-1 terminal cannot run";
        ASSERT_TRUE(fs::exists(CT1_TERMINAL_PATH)) << CT1_TERMINAL_PATH;
        state_ = dir_.path() / "ct1.state.json";
        status_ = dir_.path() / "ct1.status.json";
        control_ = dir_.path() / "ct1.ctl";
        port_ = free_port();
        start_terminal();
        add_terminal();
    }

    void TearDown() override {
        if (terminal_ && terminal_->running()) {
            EXPECT_EQ(terminal_->stop(SIGTERM, 5s), 0) << "the CT-1 terminal did not exit cleanly on SIGTERM";
        }
        terminal_.reset();
        if (HasFailure()) std::cerr << "---- CT-1 terminal log ----\n" << terminal_log() << "---- end ----\n";
        E2e::TearDown();
    }

    /// Starts the terminal on its port; `empty`: its flash gone (no state file).
    void start_terminal(bool empty = false) {
        if (empty) fs::remove(state_);
        fs::remove(status_);
        const fs::path err = dir_.path() / ("ct1-" + std::to_string(++runs_) + ".err");
        terminal_.emplace(
            std::vector<std::string>{python_, CT1_TERMINAL_PATH, "--port", std::to_string(port_), "--unit", "1",
                                     "--serial", std::to_string(terminal_serial), "--capacity", "1000",
                                     "--bitmap-limit", "65535", "--state", state_.string(), "--status",
                                     status_.string(), "--control", control_.string()},
            err);
        const auto line = terminal_->read_line(20s);
        ASSERT_TRUE(line.has_value()) << "the CT-1 terminal did not start; its log:\n" << terminal_log();
        ASSERT_EQ(*line, "listening " + std::to_string(port_)) << terminal_log();
    }

    /// SIGKILL: a terminal that loses power.
    void kill_terminal() {
        ASSERT_TRUE(terminal_.has_value());
        terminal_.reset();
    }

    void add_terminal() {
        ctl_ok({"device", "add-terminal", terminal_name, "--tcp", "127.0.0.1:" + std::to_string(port_)});
    }

    std::string terminal_log() const {
        std::string text;
        for (int run = 1; run <= runs_; ++run) {
            std::ifstream in(dir_.path() / ("ct1-" + std::to_string(run) + ".err"));
            std::stringstream s;
            s << in.rdbuf();
            text += s.str();
        }
        return text;
    }

    /// What the terminal enforces, as its status file says.
    json status() {
        std::ifstream in(status_);
        if (!in) return json::object();
        const json parsed = json::parse(in, nullptr, false);
        return parsed.is_discarded() ? json::object() : parsed;
    }

    Cards enforced() {
        const json s = status();
        return s.contains("cards") ? s.at("cards").get<Cards>() : Cards{};
    }

    std::string control(const std::string& line) {
        LineClient client(control_);
        return client.ask(line);
    }

    /// The confirmed version the store holds for the terminal.
    std::int64_t confirmed_version() {
        const json devices = ctl_ok({"device", "list"});
        for (const json& device : devices.at("devices")) {
            if (device.at("name") == terminal_name) return device.at("confirmed_version");
        }
        return -1;
    }

    /// The terminal enforces exactly `cards`, which is the store's desired set,
    /// with the CT-1 checksum of that set, at the version the store confirmed.
    void expect_level(const Cards& cards) {
        const Cards wanted = desired(terminal_name);
        EXPECT_EQ(wanted, cards) << "the store's desired set";
        const json s = status();
        ASSERT_TRUE(s.contains("cards")) << "no status from the terminal";
        EXPECT_EQ(s.at("cards").get<Cards>(), wanted) << s.dump();
        EXPECT_EQ(s.at("count").get<std::size_t>(), wanted.size()) << s.dump();
        EXPECT_EQ(s.at("checksum").get<std::uint32_t>(), protocol::blacklist_checksum(wanted))
            << "the terminal's checksum against the CRC-32 of the store's set; " << s.dump();
        const auto version = s.at("version").get<std::int64_t>();
        EXPECT_GT(version, 0);
        EXPECT_TRUE(eventually([&] { return confirmed_version() == version; }, 5s))
            << "store confirmed " << confirmed_version() << ", terminal at " << version;
    }

    /// The failed-list entry of the terminal, or null.
    json failed_entry() {
        const json answer = ctl_ok({"failed"});
        for (const json& entry : answer.at("failed")) {
            if (entry.at("device") == terminal_name) return entry;
        }
        return nullptr;
    }

    /// How many commands with `opcode_name` the terminal answered with `status_name`, from its log.
    int commands_seen(const std::string& opcode_name, const std::string& status_name) const {
        const std::string log = terminal_log();
        int seen = 0;
        std::istringstream lines(log);
        for (std::string line; std::getline(lines, line);) {
            if (line.find("command " + opcode_name + " ") != std::string::npos &&
                line.find("-> " + status_name + " ") != std::string::npos) {
                ++seen;
            }
        }
        return seen;
    }

    std::size_t collect() {
        std::size_t stored = 0;
        const json answer = ctl_ok({"collect"});
        for (const json& entry : answer.at("collected")) stored += entry.at("stored").get<std::size_t>();
        return stored;
    }

    std::string python_;
    fs::path state_;
    fs::path status_;
    fs::path control_;
    std::uint16_t port_ = 0;
    int runs_ = 0;
    std::optional<ChildProcess> terminal_;
};

// Loss and unlock pushed; a loss while the terminal is down is in `failed` and the retry queue levels it once it is
// back with its flash; restarted empty, `resync --device` refills it whole with a full sync.
TEST_P(Independent, lossUnlockFailureRestartAndResync) {
    issue("E001", 1001);
    issue("E002", 1002);
    issue("E003", 1003);
    ASSERT_TRUE(enforced().empty());
    EXPECT_EQ(status().at("version"), 0);

    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    EXPECT_EQ(loss.at("pushed"), json::array({terminal_name})) << loss.dump();
    EXPECT_TRUE(loss.at("failed").empty()) << loss.dump();
    expect_level({1001});
    ctl_ok({"card", "loss", "1002", "--push", "--devices", "all"});
    expect_level({1001, 1002});

    const json unlock = ctl_ok({"card", "unlock", "1001", "--push", "--devices", "all"});
    EXPECT_EQ(unlock.at("pushed"), json::array({terminal_name})) << unlock.dump();
    expect_level({1002});
    EXPECT_GE(commands_seen("ADD", "OK"), 2) << terminal_log();
    EXPECT_GE(commands_seen("REMOVE", "OK"), 1) << terminal_log();

    // Failure: the terminal is down when card 1003 is reported lost.
    kill_terminal();
    const json down = ctl_ok({"card", "loss", "1003", "--push", "--devices", "all"});
    ASSERT_EQ(down.at("failed").size(), 1u) << down.dump();
    EXPECT_EQ(down.at("failed")[0].at("device"), terminal_name);
    EXPECT_TRUE(down.at("pushed").empty()) << down.dump();
    const json entry = failed_entry();
    ASSERT_TRUE(entry.is_object()) << ctl_ok({"failed"}).dump();
    EXPECT_EQ(entry.at("missing_cards"), json::array({1003}));
    EXPECT_FALSE(entry.at("text").get<std::string>().empty());

    // Back with its flash: the retry queue brings it level unasked.
    ASSERT_NO_FATAL_FAILURE(start_terminal());
    EXPECT_EQ(enforced(), (Cards{1002})) << "the state file kept the list across the restart";
    EXPECT_TRUE(eventually([&] { return enforced() == Cards{1002, 1003}; }, 15s)) << status().dump();
    expect_level({1002, 1003});
    EXPECT_TRUE(eventually([&] { return failed_entry().is_null(); }, 5s)) << ctl_ok({"failed"}).dump();
    const auto version_before = status().at("version").get<std::int64_t>();

    // Restarted empty: a full resync refills it whole, at a fresh version.
    kill_terminal();
    ASSERT_NO_FATAL_FAILURE(start_terminal(/*empty=*/true));
    ASSERT_TRUE(enforced().empty());
    ASSERT_EQ(status().at("version"), 0);
    const CtlRun resync = cardctl({"resync", "--device", terminal_name});
    EXPECT_EQ(resync.exit_code, 0) << resync.describe();
    expect_level({1002, 1003});
    EXPECT_GT(status().at("version").get<std::int64_t>(), version_before);
    EXPECT_EQ(commands_seen("FULL_COMMIT", "OK"), 1) << terminal_log();
    EXPECT_GE(commands_seen("FULL_LIST_CHUNK", "OK"), 1) << "two far-apart cards go as a list\n" << terminal_log();
}

// A dense set of low card numbers is refilled by a bitmap full sync (the terminal advertises it), found by the
// periodic audit after the terminal came back empty.
TEST_P(Independent, denseSetIsRefilledByBitmapFullSync) {
    restart_cardd({{"audit_interval_s", "1"}});
    const Cards cards{1, 2, 3, 4, 5, 6};
    for (const std::uint32_t card : cards) issue("D" + std::to_string(card), card);
    for (const std::uint32_t card : cards) ctl_ok({"card", "loss", std::to_string(card), "--push", "--devices", "all"});
    expect_level(cards);

    kill_terminal();
    ASSERT_NO_FATAL_FAILURE(start_terminal(/*empty=*/true));
    EXPECT_TRUE(eventually([&] { return enforced() == cards; }, 15s)) << status().dump();
    expect_level(cards);
    // Six cards below 8: one byte of bitmap against 18 bytes of list.
    EXPECT_GE(commands_seen("FULL_BITMAP_CHUNK", "OK"), 1) << terminal_log();
    EXPECT_EQ(commands_seen("FULL_COMMIT", "OK"), 1) << terminal_log();
}

// A purchase tapped on the terminal survives its restart and is counted once in the ledger; a refused tap of a lost
// card is collected too and moves no money.
TEST_P(Independent, purchaseIsCollectedOnce) {
    issue("E001", 1001, 50'00);
    issue("E002", 1002, 20'00);
    ctl_ok({"card", "loss", "1002", "--push", "--devices", "all"});
    expect_level({1002});

    EXPECT_EQ(control("tap 1001 1250 3750"), "ok purchase seq=1");
    kill_terminal();
    ASSERT_NO_FATAL_FAILURE(start_terminal());
    EXPECT_EQ(status().at("records_held"), 1) << "the record survived the restart";

    EXPECT_EQ(collect(), 1u);
    EXPECT_EQ(status().at("records_held"), 0) << "collected records are acknowledged";
    EXPECT_EQ(collect(), 0u);
    const json info = ctl_ok({"card", "info", "1001"});
    EXPECT_EQ(info.at("card").at("balance"), 37'50) << info.dump();
    int purchases = 0;
    for (const json& line : info.at("ledger")) {
        if (line.at("kind") == "purchase") {
            ++purchases;
            EXPECT_EQ(line.at("amount"), -12'50) << line.dump();
        }
    }
    EXPECT_EQ(purchases, 1) << info.dump();

    EXPECT_EQ(control("tap 1002 500 2000"), "ok refused seq=2");
    EXPECT_EQ(collect(), 1u);
    EXPECT_EQ(status().at("records_held"), 0);
    EXPECT_EQ(ctl_ok({"card", "info", "1002"}).at("card").at("balance"), 20'00);
    EXPECT_EQ(ctl_ok({"card", "info", "1001"}).at("card").at("balance"), 37'50);
}

CARDD_E2E_BACKENDS(Independent);

}  // namespace
}  // namespace cardd::e2e
