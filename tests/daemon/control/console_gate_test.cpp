// The console gate on its own: a request from the console's uid acts for the
// account of its session with that account's role, never with the uid's own;
// no session, an unknown or expired one, or one whose account may no longer
// act, is answered "log in again"; a session from any other uid is refused.

#include <gtest/gtest.h>

#include "daemon/control/console_gate.hpp"

namespace cardd::daemon {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

class ConsoleGateTest : public ::testing::Test {
protected:
    void SetUp() override { gate.set_console_uid(54330); }

    /// A request as the control server hands it to the gate.
    Request request(uid_t uid, std::string command, std::optional<std::string> session = std::nullopt,
                    std::optional<Role> groups_role = Role::admin) {
        Request made;
        made.command = std::move(command);
        made.session = std::move(session);
        made.caller.uid = uid;
        made.caller.role = groups_role;
        return made;
    }

    std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
    Sessions sessions{SessionLimits{900s, 12h}, [this] { return now; }};
    /// What the store says of each account.
    std::map<std::string, std::optional<Role>> accounts{{"ops", Role::admin}, {"desk.1", Role::viewer}};
    bool store_down = false;
    ConsoleGate gate{sessions, [this](const Session& session) -> store::Result<std::optional<Role>> {
                         if (store_down) return store::fail(store::Errc::storage, "the database is away");
                         const auto found = accounts.find(session.account);
                         return found == accounts.end() ? std::nullopt : found->second;
                     }};
};

// Through its session, the console's request has the account's role, whatever the uid's groups give.
TEST_F(ConsoleGateTest, aSessionGivesItsAccountsRole) {
    const std::string token = sessions.open("desk.1", 0);
    Request asked = request(54330, "card-topup", token, Role::admin);
    EXPECT_EQ(gate.admit(asked, false), std::nullopt);
    EXPECT_TRUE(asked.caller.console);
    EXPECT_EQ(asked.caller.account, "desk.1");
    EXPECT_EQ(asked.caller.role, Role::viewer);
}

// The login needs no session, and the console's uid has no role for it.
TEST_F(ConsoleGateTest, theLoginNeedsNoSession) {
    Request login = request(54330, "account-login", std::nullopt, Role::admin);
    EXPECT_EQ(gate.admit(login, true), std::nullopt);
    EXPECT_TRUE(login.caller.console);
    EXPECT_EQ(login.caller.role, std::nullopt);
    EXPECT_EQ(login.caller.account, std::nullopt);
}

// No session, or one cardd does not know: result 5, "log in again", and which of the two.
TEST_F(ConsoleGateTest, noSessionOrAnUnknownOneMeansLogInAgain) {
    Request missing = request(54330, "status");
    const auto refused = gate.admit(missing, false);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->result, ResultCode::denied);
    EXPECT_EQ(refused->arguments, json({{"session", "missing"}}));
    EXPECT_NE(refused->text.find("log in again"), std::string::npos) << refused->text;

    Request unknown = request(54330, "status", std::string(64, 'f'));
    const auto expired = gate.admit(unknown, false);
    ASSERT_TRUE(expired.has_value());
    EXPECT_EQ(expired->result, ResultCode::denied);
    EXPECT_EQ(expired->arguments, json({{"session", "expired"}}));
    EXPECT_EQ(unknown.caller.role, std::nullopt);
}

// An idle session expires; one whose account was removed or disabled ends at its next request.
TEST_F(ConsoleGateTest, anExpiredOrChangedAccountsSessionEnds) {
    const std::string idle = sessions.open("ops", 0);
    now += 901s;
    Request late = request(54330, "status", idle);
    EXPECT_EQ(gate.admit(late, false)->arguments, json({{"session", "expired"}}));

    const std::string token = sessions.open("desk.1", 0);
    accounts["desk.1"] = std::nullopt;
    Request changed = request(54330, "status", token);
    EXPECT_EQ(gate.admit(changed, false)->arguments, json({{"session", "expired"}}));
    accounts["desk.1"] = Role::viewer;
    Request again = request(54330, "status", token);
    EXPECT_EQ(gate.admit(again, false)->arguments, json({{"session", "expired"}}));
}

// A database that cannot say whether the account may act is an error (1), and the session stays.
TEST_F(ConsoleGateTest, aStoreFailureIsAnErrorAndKeepsTheSession) {
    const std::string token = sessions.open("ops", 0);
    store_down = true;
    Request asked = request(54330, "status", token);
    EXPECT_EQ(gate.admit(asked, false)->result, ResultCode::error);
    store_down = false;
    Request later = request(54330, "status", token);
    EXPECT_EQ(gate.admit(later, false), std::nullopt);
    EXPECT_EQ(later.caller.role, Role::admin);
}

// A session sent from any other uid is refused, even a valid one; without one, other uids keep their groups' role.
TEST_F(ConsoleGateTest, aSessionFromAnotherUidIsRefused) {
    const std::string token = sessions.open("ops", 0);
    Request stolen = request(1000, "status", token, Role::viewer);
    const auto refused = gate.admit(stolen, false);
    ASSERT_TRUE(refused.has_value());
    EXPECT_EQ(refused->result, ResultCode::denied);
    EXPECT_FALSE(stolen.caller.console);
    EXPECT_EQ(stolen.caller.account, std::nullopt);

    Request plain = request(1000, "status", std::nullopt, Role::viewer);
    EXPECT_EQ(gate.admit(plain, false), std::nullopt);
    EXPECT_EQ(plain.caller.role, Role::viewer);
    EXPECT_FALSE(plain.caller.console);
}

// With no console user, the uid is a caller like any other, and a session is refused.
TEST_F(ConsoleGateTest, noConsoleUserAllowsNoSession) {
    gate.set_console_uid(std::nullopt);
    const std::string token = sessions.open("ops", 0);
    Request asked = request(54330, "status", token, Role::viewer);
    EXPECT_EQ(gate.admit(asked, false)->result, ResultCode::denied);
    Request plain = request(54330, "status", std::nullopt, Role::viewer);
    EXPECT_EQ(gate.admit(plain, false), std::nullopt);
    EXPECT_EQ(plain.caller.role, Role::viewer);
}

// The console's user is named by a user name or a uid; root and names no user has give none.
TEST(ConsoleUser, isANameOrAUid) {
    EXPECT_EQ(console_uid_of("54330"), 54330u);
    EXPECT_EQ(console_uid_of("nobody"), 65534u);
    EXPECT_EQ(console_uid_of("root"), std::nullopt);
    EXPECT_EQ(console_uid_of("0"), std::nullopt);
    EXPECT_EQ(console_uid_of(""), std::nullopt);
    EXPECT_EQ(console_uid_of("no-such-user-here"), std::nullopt);
}

}  // namespace
}  // namespace cardd::daemon
