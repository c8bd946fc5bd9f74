// Signals: SIGTERM stops cardd cleanly, SIGHUP reloads it and it goes on serving.

#include <signal.h>

#include <filesystem>
#include <string>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

class Lifecycle : public E2e {};

// SIGTERM ends cardd with exit code 0 and removes its socket file; a restart serves the same store.
TEST_P(Lifecycle, sigtermStopsCleanly) {
    issue("E001", 1001, 1234);
    ASSERT_TRUE(std::filesystem::exists(socket()));
    EXPECT_EQ(cardd().stop(SIGTERM, 10s), 0) << cardd_log();
    EXPECT_FALSE(std::filesystem::exists(socket()));
    EXPECT_NE(cardd_log().find("CARDD_STOPPING"), std::string::npos);
    start_cardd();
    EXPECT_EQ(ctl_ok({"card", "info", "1001"}).at("card").at("balance"), 1234);
}

// SIGHUP reloads cardd.conf (a role group change applies at once) and cardd keeps serving, with its connections.
TEST_P(Lifecycle, sighupKeepsServing) {
    cardd::test::LineClient open_connection(socket());
    ASSERT_EQ(json::parse(open_connection.ask(R"({"command": "status"})")).at("result"), 0);

    // The viewer group becomes "users": a client whose primary group is "users" gains the viewer role.
    const cardd::test::Credentials user{54324, 100, {}};
    EXPECT_EQ(cardctl({"status"}, user).answer.value("result", -1), 5);
    settings_["viewer_group"] = "\"users\"";
    write_config();
    cardd().signal(SIGHUP);
    EXPECT_TRUE(eventually([&] { return cardd_log().find("CARDD_CONFIG_RELOADED") != std::string::npos; }, 5s))
        << cardd_log();
    EXPECT_TRUE(cardd().running());
    const CtlRun as_viewer = cardctl({"status"}, user);
    EXPECT_EQ(as_viewer.exit_code, 0) << as_viewer.describe();
    EXPECT_EQ(json::parse(open_connection.ask(R"({"command": "status"})")).at("result"), 0);
    EXPECT_EQ(ctl_ok({"status"}).at("terminals"), 0);
}

CARDD_E2E_BACKENDS(Lifecycle);

}  // namespace
}  // namespace cardd::e2e
