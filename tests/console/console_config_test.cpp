// console.conf and --listen as the console reads them.

#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"
#include "tools/console/console_config.hpp"

namespace cardd::console {
namespace {

TEST(ConsoleConfig, ListenAddresses) {
    auto v4 = parse_listen("127.0.0.1:8443");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->host, "127.0.0.1");
    EXPECT_EQ(v4->port, 8443);
    auto v6 = parse_listen("[::1]:443");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    for (const char* bad : {"127.0.0.1", ":8443", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x", "[::1:8443"}) {
        EXPECT_FALSE(parse_listen(bad)) << bad;
    }
    EXPECT_TRUE(is_loopback("127.0.0.1"));
    EXPECT_TRUE(is_loopback("::1"));
    EXPECT_FALSE(is_loopback("0.0.0.0"));
}

TEST(ConsoleConfig, ReadsTheFileAndNamesTheLineOfABadKey) {
    test::TempDir dir;
    const auto file = dir.path() / "console.conf";
    std::ofstream(file) << "listen = \"127.0.0.1:9443\"\nsocket = \"/tmp/c.sock\"\nidle_connection_s = 30\n";
    ConsoleConfig config;
    ASSERT_TRUE(read_config_file(file, config));
    EXPECT_EQ(config.listen.port, 9443);
    EXPECT_EQ(config.socket, "/tmp/c.sock");
    EXPECT_EQ(config.idle_connection_s, 30);

    std::ofstream(file) << "listen = \"127.0.0.1:9443\"\nlisten_on = 1\n";
    auto unknown = read_config_file(file, config);
    ASSERT_FALSE(unknown);
    EXPECT_NE(unknown.error().find("console.conf:2: unknown key 'listen_on'"), std::string::npos) << unknown.error();

    std::ofstream(file) << "certificate = \"/etc/cardd/c.crt\"\n";
    ConsoleConfig half;
    EXPECT_FALSE(read_config_file(file, half));
    std::ofstream(file) << "idle_connection_s = 1\n";
    EXPECT_FALSE(read_config_file(file, half));
}

}  // namespace
}  // namespace cardd::console
