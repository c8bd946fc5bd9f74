// cardd.conf: settings over the defaults, and every bad one refused with the
// file, the line and the reason, the way `cardd --check-config` reports it.

#include "daemon/config.hpp"

#include <fstream>
#include <string>

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
    EXPECT_EQ(refusal("card_valid_years = 101\n"), file + ":1: card_valid_years must be a whole number from 1 to 100");
    EXPECT_EQ(refusal("push_timeout_ms = -1\n"),
              file + ":1: push_timeout_ms must be a whole number from 0 to 1099511627776");
    EXPECT_EQ(refusal("modbus_timeout_ms = 2.5\n"),
              file + ":1: modbus_timeout_ms must be a whole number from 0 to 1099511627776");
    EXPECT_EQ(refusal("database = 5\n"), file + ":1: database must be a string");
    EXPECT_EQ(refusal("data_dir = \"\"\n"), file + ":1: data_dir must not be empty");
}

TEST_F(ConfigFile, aFileThatDoesNotParseIsRefusedWithItsLineAndColumn) {
    const std::string message = refusal("socket = \n");
    EXPECT_TRUE(message.starts_with(path_.string() + ":1:")) << message;
}

}  // namespace
}  // namespace cardd::daemon
