// Health from the store after real operations: `cardctl status` (terminals
// by state, the retry queue, pending batches, the last collection per
// terminal, open card writes), and the Prometheus endpoint scraped over
// HTTP with a plain socket: off by default, refused on a non-loopback
// address, and its values after an issue, a top-up and a loss report pushed
// to two card-termsim terminals, one of them killed.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

namespace fs = std::filesystem;

/// GET /metrics from 127.0.0.1:port: the body, or empty when nothing answers.
std::string scrape(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return "";
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string reply;
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        const std::string request = "GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
        if (::write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size())) {
            char buffer[4096];
            for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
                reply.append(buffer, static_cast<std::size_t>(n));
        }
    }
    ::close(fd);
    const auto body = reply.find("\r\n\r\n");
    return body == std::string::npos ? "" : reply.substr(body + 4);
}

/// Each sample line, "name{labels}" to its value.
std::map<std::string, double> samples(const std::string& text) {
    std::map<std::string, double> out;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.empty() || line[0] == '#') continue;
        const auto space = line.rfind(' ');
        if (space == std::string::npos) continue;
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

/// The TCP ports the process listens on, from /proc: its socket inodes
/// against the kernel's table of listening sockets.
std::vector<int> listening_ports(pid_t pid) {
    std::vector<std::string> inodes;
    for (const auto& entry : fs::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) {
        std::error_code error;
        const std::string target = fs::read_symlink(entry.path(), error).string();
        if (!error && target.starts_with("socket:[")) inodes.push_back(target.substr(8, target.size() - 9));
    }
    std::vector<int> ports;
    for (const char* table : {"/proc/net/tcp", "/proc/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string slot, local, remote, state, queues, timer, retransmits, uid, timeout, inode;
            fields >> slot >> local >> remote >> state >> queues >> timer >> retransmits >> uid >> timeout >> inode;
            if (state != "0A") continue;  // LISTEN
            if (std::find(inodes.begin(), inodes.end(), inode) == inodes.end()) continue;
            ports.push_back(std::stoi(local.substr(local.rfind(':') + 1), nullptr, 16));
        }
    }
    return ports;
}

class Health : public E2e {
protected:
    json status() { return ctl_ok({"status"}); }

    json terminal(const json& status, const std::string& name) {
        for (const json& entry : status.at("terminal_status")) {
            if (entry.at("name") == name) return entry;
        }
        return nullptr;
    }

    /// Two terminals, both level, then card 1001 issued on the simulated encoder.
    void two_level_terminals() {
        up_ = &tcp_sim("up");
        down_ = &tcp_sim("down");
        add_tcp_terminal("tcp-1", *up_);
        add_tcp_terminal("tcp-2", *down_);
        ASSERT_TRUE(eventually([&] { return status().at("terminal_states").at("level") == 2; })) << status().dump();
        issue("E001", 1001, 5000);
    }

    /// A top-up of `card_no` cut short by the card taken away, so its write stays open.
    void leave_a_write_open(std::int64_t card_no) {
        const std::string uid = ctl_ok({"card", "info", std::to_string(card_no)}).at("card").at("uid");
        for (int cut = 1; cut <= 34; ++cut) {
            ctl_ok({"encoder", "sim-place", "--uid", uid});
            ctl_ok({"encoder", "sim-remove", "--after", std::to_string(cut)});
            const CtlRun run = cardctl({"card", "topup", std::to_string(card_no), "5", "--wait", "1"});
            if (run.answer.value("text", std::string()).find("stays pending") != std::string::npos) return;
            ctl_ok({"encoder", "sim-remove"});
            ctl_ok({"encoder", "sim-place", "--uid", uid});
            read_card();
        }
        FAIL() << "no cut left a top-up pending";
    }

    Sim* up_ = nullptr;
    Sim* down_ = nullptr;
};

// Status from the store: a collection sets each terminal's last collection;
// a terminal killed before a loss report is failed, in the retry queue and
// holds the one pending batch; a write cut short is counted open with its age.
TEST_P(Health, statusShowsTerminalStatesRetryQueueCollectionsAndOpenWrites) {
    two_level_terminals();
    const json before = status();
    EXPECT_TRUE(terminal(before, "tcp-1").at("last_collected_at").is_null()) << before.dump();
    EXPECT_EQ(terminal(before, "tcp-1").at("state"), "level");
    EXPECT_EQ(before.at("retry_queue").at("depth"), 0);
    EXPECT_EQ(before.at("pending_batches"), 0);
    EXPECT_EQ(before.at("open_writes").at("count"), 0);
    EXPECT_EQ(before.at("cards").at("active"), 1);
    EXPECT_EQ(before.at("people"), 1);

    const json collected = ctl_ok({"collect"});
    EXPECT_EQ(collected.at("collected").size(), 2u) << collected.dump();
    const json after_collect = status();
    for (const char* name : {"tcp-1", "tcp-2"}) {
        const json entry = terminal(after_collect, name);
        ASSERT_TRUE(entry.at("last_collected_at").is_number_integer()) << after_collect.dump();
        EXPECT_GE(entry.at("collected_ago_s").get<std::int64_t>(), 0);
        EXPECT_LE(entry.at("collected_ago_s").get<std::int64_t>(), 60);
    }

    down_->kill();
    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    ASSERT_EQ(loss.at("failed").size(), 1u) << loss.dump();
    const json failed = status();
    EXPECT_EQ(failed.at("terminal_states"), json({{"level", 1}, {"behind", 0}, {"failed", 1}, {"never_reached", 0}}))
        << failed.dump();
    EXPECT_EQ(failed.at("terminals_failed"), 1);
    EXPECT_EQ(failed.at("retry_queue").at("depth"), 1);
    EXPECT_EQ(failed.at("retry_queue").at("next_terminal"), "tcp-2");
    EXPECT_TRUE(failed.at("retry_queue").at("next_retry_at").is_number_integer());
    EXPECT_EQ(failed.at("pending_batches"), 1);
    const json down = terminal(failed, "tcp-2");
    EXPECT_EQ(down.at("state"), "failed");
    EXPECT_EQ(down.at("pending_batches"), 1);
    EXPECT_FALSE(down.at("last_error").get<std::string>().empty());
    EXPECT_EQ(terminal(failed, "tcp-1").at("pending_batches"), 0);
    EXPECT_EQ(failed.at("cards").at("lost"), 1);

    ctl_ok({"encoder", "sim-remove"});
    issue("E002", 1002, 1000);
    ctl_ok({"encoder", "sim-remove"});
    leave_a_write_open(1002);
    const json open = status();
    EXPECT_EQ(open.at("open_writes").at("count"), 1) << open.dump();
    EXPECT_TRUE(open.at("open_writes").at("oldest_at").is_number_integer());
    EXPECT_GE(open.at("open_writes").at("oldest_age_s").get<std::int64_t>(), 0);
}

// The endpoint after real operations: requests by command and result,
// terminals by state, the retry queue, card writes by outcome, the push histogram.
TEST_P(Health, metricsAfterRealOperations) {
    const std::uint16_t port = free_port();
    restart_cardd({{"metrics_listen", "\"127.0.0.1:" + std::to_string(port) + "\""}});
    EXPECT_NE(cardd_log().find("CARDD_METRICS_SERVING"), std::string::npos);
    // The one TCP port cardd listens on (what metricsAreOffByDefault finds none of).
    EXPECT_EQ(listening_ports(cardd().pid()), std::vector<int>{port});
    two_level_terminals();
    ctl_ok({"card", "topup", "1001", "5"});
    down_->kill();
    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    ASSERT_EQ(loss.at("failed").size(), 1u) << loss.dump();
    ask({{"command", "no-such-command"}});
    ask({{"command", "card-info"}, {"arguments", {{"card_no", "x"}}}});

    std::map<std::string, double> got;
    // The gauges follow the store within moments of a change.
    const bool settled = eventually([&] {
        got = samples(scrape(port));
        return got["cardd_terminals{state=\"failed\"}"] == 1 && got["cardd_retry_queue_depth"] == 1;
    });
    ASSERT_TRUE(settled) << scrape(port);
    EXPECT_EQ(got["cardd_terminals{state=\"level\"}"], 1);
    EXPECT_EQ(got["cardd_terminals{state=\"behind\"}"], 0);
    EXPECT_EQ(got["cardd_terminals{state=\"never_reached\"}"], 0);
    EXPECT_EQ(got["cardd_blacklist_batches_pending"], 1);
    EXPECT_EQ(got["cardd_card_writes_open"], 0);
    EXPECT_EQ(got["cardd_requests_total{command=\"card-loss\",result=\"0\"}"], 1);
    EXPECT_EQ(got["cardd_requests_total{command=\"card-topup\",result=\"0\"}"], 1);
    EXPECT_EQ(got["cardd_requests_total{command=\"device-add-terminal\",result=\"0\"}"], 2);
    EXPECT_EQ(got["cardd_requests_total{command=\"unknown\",result=\"2\"}"], 1);
    EXPECT_EQ(got["cardd_requests_total{command=\"card-info\",result=\"6\"}"], 1);
    EXPECT_GE(got["cardd_requests_total{command=\"status\",result=\"0\"}"], 1);
    // The onboarding issue and the top-up were written on the card.
    EXPECT_EQ(got["cardd_card_writes_total{outcome=\"written\"}"], 2);
    EXPECT_EQ(got["cardd_card_writes_total{outcome=\"failed\"}"], 0);
    EXPECT_EQ(got["cardd_card_writes_total{outcome=\"pending\"}"], 0);
    EXPECT_EQ(got["cardd_card_writes_total{outcome=\"settled\"}"], 0);
    // tcp-1 confirmed the loss's batch; tcp-2 never did.
    EXPECT_EQ(got["cardd_push_latency_seconds_count"], 1);
    EXPECT_EQ(got["cardd_push_latency_seconds_bucket{le=\"+Inf\"}"], 1);
    EXPECT_TRUE(got.contains("cardd_collection_lag_seconds{terminal=\"tcp-1\"}"));
    EXPECT_TRUE(got.contains("cardd_collection_lag_seconds{terminal=\"tcp-2\"}"));
}

// With no metrics_listen cardd listens on no TCP port at all.
TEST_P(Health, metricsAreOffByDefault) {
    EXPECT_EQ(listening_ports(cardd().pid()), std::vector<int>{}) << "cardd listens without metrics_listen";
    EXPECT_EQ(cardd_log().find("CARDD_METRICS_SERVING"), std::string::npos);
}

// A non-loopback address is refused at start and by --check-config, with the
// file and line; metrics_allow_remote lets --check-config accept it.
TEST_P(Health, nonLoopbackMetricsAddressIsRefused) {
    stop_cardd();
    const fs::path config = dir_.path() / "remote.conf";
    {
        std::ofstream out(config);
        out << "log_level = \"info\"\nmetrics_listen = \"0.0.0.0:9417\"\n";
    }
    const std::vector<std::vector<std::string>> modes{{"--check-config"}, {}};
    for (const std::vector<std::string>& mode : modes) {
        std::vector<std::string> argv{CARDD_PATH,         "--config", config.string(),  "--data-dir",
                                      data_dir_.string(), "--socket", socket().string()};
        argv.insert(argv.end(), mode.begin(), mode.end());
        const auto run = cardd::test::run_program(argv, dir_.path() / "remote.err", 20s);
        EXPECT_EQ(run.exit_code, 2) << run.out << run.err;
        EXPECT_NE(run.err.find(config.string() + ":2: metrics_listen"), std::string::npos) << run.err;
        EXPECT_NE(run.err.find("not a loopback address"), std::string::npos) << run.err;
    }
    {
        std::ofstream out(config, std::ios::app);
        out << "metrics_allow_remote = true\n";
    }
    const auto allowed = cardd::test::run_program(
        {CARDD_PATH, "--config", config.string(), "--data-dir", data_dir_.string(), "--check-config"},
        dir_.path() / "remote.err", 20s);
    EXPECT_EQ(allowed.exit_code, 0) << allowed.out << allowed.err;
    start_cardd();
}

CARDD_E2E_BACKENDS(Health);

}  // namespace
}  // namespace cardd::e2e
