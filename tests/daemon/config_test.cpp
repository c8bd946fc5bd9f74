// cardd.conf: settings over the defaults, and every bad one refused with the
// file, the line and the reason, the way `cardd --check-config` reports it.

#include "daemon/config.hpp"

#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace cardd::daemon {
namespace {

class ConfigFile : public ::testing::Test {
protected:
    Result<Config> load(const std::string& text) {
        std::ofstream(path_) << text;
        return load_config_file(path_, Config{});
    }
    std::string refusal(const std::string& text) {
        auto loaded = load(text);
        EXPECT_FALSE(loaded.has_value()) << text;
        if (loaded) return {};
        EXPECT_EQ(loaded.error().code, Errc::invalid);
        return loaded.error().message;
    }

    test::TempDir dir_;
    std::filesystem::path path_ = dir_.path() / "cardd.conf";
};

TEST_F(ConfigFile, settingsOverrideTheDefaults) {
    const auto config = load(
        "socket = \"/tmp/x.sock\"\nretry_cap_s = 60\nmodbus_timeout_ms = 250\n"
        "log_level = \"debug\"\nworker_threads = 3\ncard_valid_years = 10\n");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    EXPECT_EQ(config->socket, "/tmp/x.sock");
    EXPECT_EQ(config->retry_cap, std::chrono::seconds(60));
    EXPECT_EQ(config->modbus_timeout, std::chrono::milliseconds(250));
    EXPECT_EQ(config->log_level, "debug");
    EXPECT_EQ(config->worker_threads, 3u);
    EXPECT_EQ(config->card_valid_years, 10);
    EXPECT_EQ(config->database_url(), "sqlite:/var/lib/cardd/cardd.sqlite");
    EXPECT_EQ(config->collect_interval, Config{}.collect_interval);
}

TEST_F(ConfigFile, anEmptyFileKeepsEveryDefault) {
    const auto config = load("# nothing set\n");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    EXPECT_EQ(config->socket, Config{}.socket);
    EXPECT_EQ(config->worker_threads, Config{}.worker_threads);
}

TEST_F(ConfigFile, aRefusalNamesTheFileTheLineAndTheSetting) {
    const std::string file = path_.string();
    EXPECT_EQ(refusal("socket = \"/tmp/x\"\n\nretry_cap = 60\n"), file + ":3: retry_cap is not a setting of cardd");
    EXPECT_EQ(refusal("retry_cap_s = \"soon\"\n"),
              file + ":1: retry_cap_s must be a whole number from 0 to 1099511627776");
    EXPECT_EQ(refusal("\nlog_level = \"loud\"\n"),
              file + ":2: log_level must be one of trace, debug, info, warn, error, critical, off");
    EXPECT_EQ(refusal("worker_threads = 0\n"), file + ":1: worker_threads must be a whole number from 1 to 1024");
    EXPECT_EQ(refusal("max_terminal_connections = 1001\n"),
              file + ":1: max_terminal_connections must be a whole number from 1 to 1000");
    EXPECT_EQ(refusal("card_valid_years = 101\n"), file + ":1: card_valid_years must be a whole number from 1 to 100");
    EXPECT_EQ(refusal("push_timeout_ms = -1\n"),
              file + ":1: push_timeout_ms must be a whole number from 0 to 1099511627776");
    EXPECT_EQ(refusal("modbus_timeout_ms = 2.5\n"),
              file + ":1: modbus_timeout_ms must be a whole number from 0 to 1099511627776");
    EXPECT_EQ(refusal("database = 5\n"), file + ":1: database must be a string");
    EXPECT_EQ(refusal("data_dir = \"\"\n"), file + ":1: data_dir must not be empty");
}

// The TCP connection budget: 512 by default, and never below the workers
// that may each hold one, whichever of the two the file sets.
TEST_F(ConfigFile, terminalConnectionsAreAtLeastTheWorkers) {
    EXPECT_EQ(Config{}.max_terminal_connections, 512u);
    const auto config = load("worker_threads = 4\nmax_terminal_connections = 4\n");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    EXPECT_EQ(config->max_terminal_connections, 4u);
    const std::string file = path_.string();
    EXPECT_EQ(refusal("worker_threads = 16\nmax_terminal_connections = 8\n"),
              file + ":2: max_terminal_connections (8) must be at least worker_threads (16)");
    EXPECT_EQ(refusal("\nworker_threads = 600\n"),
              file + ":2: max_terminal_connections (512) must be at least worker_threads (600)");
}

// The console's settings: its user by name or uid (never root), and the
// session and lockout figures within their ranges, small ones included.
TEST_F(ConfigFile, consoleSettingsAreReadWithinTheirRanges) {
    EXPECT_EQ(Config{}.console_user, "cardd-console");
    EXPECT_EQ(Config{}.console_session_idle, std::chrono::seconds(900));
    EXPECT_EQ(Config{}.console_lockout_failures, 5);
    EXPECT_EQ(Config{}.console_lockout, std::chrono::seconds(900));
    const auto config = load(
        "console_user = \"54330\"\nconsole_session_idle_s = 1\nconsole_lockout_failures = 3\n"
        "console_lockout_s = 60\n");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    EXPECT_EQ(config->console_user, "54330");
    EXPECT_EQ(config->console_session_idle, std::chrono::seconds(1));
    EXPECT_EQ(config->console_lockout_failures, 3);
    EXPECT_EQ(config->console_lockout, std::chrono::seconds(60));
    const std::string file = path_.string();
    EXPECT_EQ(refusal("console_user = \"root\"\n"),
              file +
                  ":1: console_user must not be root: the console's user has no role of its own, and root is "
                  "admin on the socket");
    EXPECT_EQ(refusal("console_session_idle_s = 0\n"),
              file + ":1: console_session_idle_s must be a whole number from 1 to 86400");
    EXPECT_EQ(refusal("console_session_idle_s = 86401\n"),
              file + ":1: console_session_idle_s must be a whole number from 1 to 86400");
    EXPECT_EQ(refusal("console_lockout_failures = 0\n"),
              file + ":1: console_lockout_failures must be a whole number from 1 to 100");
    EXPECT_EQ(refusal("console_lockout_s = 0\n"),
              file + ":1: console_lockout_s must be a whole number from 1 to 86400");
}

// Several instances on one store (docs/scale.md): alone by default.
TEST_F(ConfigFile, instanceSettingsAreReadWithinTheirRanges) {
    EXPECT_EQ(Config{}.instance, "");
    EXPECT_EQ(Config{}.lease_time, std::chrono::milliseconds(10000));
    EXPECT_TRUE(Config{}.buses.empty());
    const auto config =
        load("instance = \"canteen-east\"\nlease_time_ms = 1500\nbuses = [\"/dev/ttyUSB0\", \"/dev/ttyUSB1\"]\n");
    ASSERT_TRUE(config.has_value()) << config.error().message;
    EXPECT_EQ(config->instance, "canteen-east");
    EXPECT_EQ(config->lease_time, std::chrono::milliseconds(1500));
    EXPECT_EQ(config->buses, (std::vector<std::string>{"/dev/ttyUSB0", "/dev/ttyUSB1"}));
    const std::string file = path_.string();
    EXPECT_EQ(refusal("lease_time_ms = 299\n"), file + ":1: lease_time_ms must be a whole number from 300 to 3600000");
    EXPECT_EQ(refusal("buses = \"/dev/ttyUSB0\"\n"), file + ":1: buses must be an array of strings");
    EXPECT_EQ(refusal("buses = [\"\"]\n"), file + ":1: buses must be an array of non-empty strings");
    EXPECT_EQ(refusal("buses = [1]\n"), file + ":1: buses must be an array of non-empty strings");
}

TEST_F(ConfigFile, aFileThatDoesNotParseIsRefusedWithItsLineAndColumn) {
    const std::string message = refusal("socket = \n");
    EXPECT_TRUE(message.starts_with(path_.string() + ":1:")) << message;
}

// The metrics endpoint is off by default, on with a loopback address, and a
// bad or non-loopback address is refused with the file and line.
TEST_F(ConfigFile, metricsListenTakesALoopbackAddressUnlessRemoteIsAllowed) {
    EXPECT_EQ(Config{}.metrics_listen, "");
    EXPECT_FALSE(Config{}.metrics_allow_remote);
    for (const char* good : {"127.0.0.1:9417", "127.1.2.3:1", "[::1]:9417", ""}) {
        const auto config = load("metrics_listen = \"" + std::string(good) + "\"\n");
        ASSERT_TRUE(config.has_value()) << good << ": " << config.error().message;
        EXPECT_EQ(config->metrics_listen, good);
    }
    const std::string file = path_.string();
    EXPECT_EQ(refusal("log_level = \"info\"\nmetrics_listen = \"0.0.0.0:9417\"\n")
                  .rfind(file + ":2: metrics_listen '0.0.0.0:9417' is not a loopback address", 0),
              0u);
    EXPECT_NE(refusal("metrics_listen = \"[::]:9417\"\n").find("not a loopback address"), std::string::npos);
    EXPECT_NE(refusal("metrics_listen = \"localhost:9417\"\n").find("not a host name"), std::string::npos);
    EXPECT_NE(refusal("metrics_listen = \"127.0.0.1\"\n").find("must be HOST:PORT"), std::string::npos);
    EXPECT_NE(refusal("metrics_listen = \"127.0.0.1:0\"\n").find("port from 1 to 65535"), std::string::npos);
    EXPECT_NE(refusal("metrics_listen = \"127.0.0.1:70000\"\n").find("port from 1 to 65535"), std::string::npos);
    EXPECT_NE(refusal("metrics_listen = \"::1:9417\"\n").find("not a host name"), std::string::npos);
    EXPECT_EQ(refusal("metrics_allow_remote = \"yes\"\n"), file + ":1: metrics_allow_remote must be true or false");
    const auto remote = load("metrics_listen = \"0.0.0.0:9417\"\nmetrics_allow_remote = true\n");
    ASSERT_TRUE(remote.has_value()) << remote.error().message;
    EXPECT_TRUE(remote->metrics_allow_remote);
}

}  // namespace
}  // namespace cardd::daemon
