// The staff console's accounts and sessions with a real cardd. The console's
// user is uid 54330 (console_user = "54330"), a uid with no passwd entry
// whose primary group is adm, cardd.conf's admin_group here: so on its own
// it would be an admin, and every test shows it is not. Raw requests go
// through socat run as that uid; accounts are made by root's cardctl, the
// password on standard input.

#include <chrono>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

using cardd::test::Credentials;

constexpr const char* clerk_password = "Kitchen-Desk-7741";
constexpr const char* viewer_password = "Watching 食堂 0815";

class ConsoleAccounts : public E2e {
protected:
    void before_first_start() override { settings_["console_user"] = "\"54330\""; }

    /// The console: uid 54330, primary group adm (the admin group), reaching the socket through "users".
    static Credentials console_user() { return Credentials{54330, group_id("adm"), {group_id("users")}}; }

    /// `cardctl account ARGS... --password-stdin` as root, the password as its one line of input.
    CtlRun account_with_password(std::vector<std::string> args, const std::string& password) {
        args.insert(args.begin(), "account");
        return cardctl_with_password(args, password);
    }

    void add_account(const std::string& name, const std::string& role, const std::string& password) {
        const CtlRun run = account_with_password({"add", name, "--role", role}, password);
        ASSERT_EQ(run.exit_code, 0) << run.describe();
    }

    json login(const std::string& name, const std::string& password) {
        return ask_as(
            console_user(),
            {{"command", "account-login"}, {"arguments", {{"name", name}, {"password", password}}}, {"id", 1}});
    }

    /// Logs in, which must succeed: the session.
    std::string session_of(const std::string& name, const std::string& password) {
        const json answer = login(name, password);
        EXPECT_EQ(answer.at("result"), 0) << answer.dump();
        return answer.at("arguments").value("session", "");
    }

    /// A request from the console with `session`.
    json from_console(const std::string& session, const std::string& command, json arguments = json::object()) {
        return ask_as(console_user(),
                      {{"command", command}, {"arguments", std::move(arguments)}, {"session", session}, {"id", 2}});
    }

    json account_entry(const std::string& name) {
        const json listed = ctl_ok({"account", "list"});
        for (const json& account : listed.at("accounts")) {
            if (account.at("name") == name) return account;
        }
        ADD_FAILURE() << "no account " << name << " in the list";
        return json::object();
    }
};

// The right password gives a session of 64 hex digits for the account's role; a wrong one, or a name with no
// account, the same refusal; the console's uid, admin by its group, has no role without a session.
TEST_P(ConsoleAccounts, loginRightAndWrong) {
    add_account("desk.1", "issuer", clerk_password);
    const json ok = login("desk.1", clerk_password);
    ASSERT_EQ(ok.at("result"), 0) << ok.dump();
    const json& given = ok.at("arguments");
    EXPECT_TRUE(std::regex_match(given.at("session").get<std::string>(), std::regex("[0-9a-f]{64}"))) << ok.dump();
    EXPECT_EQ(given.at("account"), "desk.1");
    EXPECT_EQ(given.at("role"), "issuer");
    EXPECT_EQ(given.at("idle_timeout_s"), 900);
    const json session = from_console(given.at("session"), "account-session");
    EXPECT_EQ(session.at("result"), 0) << session.dump();
    EXPECT_EQ(session.at("arguments"), json({{"account", "desk.1"}, {"role", "issuer"}, {"idle_timeout_s", 900}}));

    const json wrong = login("desk.1", "Kitchen-Desk-7742");
    EXPECT_EQ(wrong.at("result"), 5);
    EXPECT_EQ(wrong.at("text"), "wrong account name or password");
    const json unknown = login("nobody.here", clerk_password);
    EXPECT_EQ(unknown.at("result"), 5);
    EXPECT_EQ(unknown.at("text"), "wrong account name or password");
    EXPECT_EQ(account_entry("desk.1").at("failed_logins"), 1);
    EXPECT_EQ(login("desk.1", clerk_password).at("result"), 0);
    EXPECT_EQ(account_entry("desk.1").at("failed_logins"), 0);

    // No session, or one cardd never gave: log in again, and nothing is done.
    const json missing = ask_as(console_user(), {{"command", "status"}, {"id", 3}});
    EXPECT_EQ(missing.at("result"), 5) << missing.dump();
    EXPECT_EQ(missing.at("arguments"), json({{"session", "missing"}}));
    EXPECT_NE(missing.at("text").get<std::string>().find("log in again"), std::string::npos);
    const json made_up = from_console(std::string(64, 'a'), "status");
    EXPECT_EQ(made_up.at("result"), 5);
    EXPECT_EQ(made_up.at("arguments"), json({{"session", "expired"}}));
    EXPECT_EQ(ask_as(console_user(), {{"command", "format-set"}, {"arguments", {{"sector", 5}}}}).at("result"), 5);
    EXPECT_EQ(ctl_ok({"format", "show"}).at("sector"), 1);

    // Only the console's user may log in: root, admin on the socket, may not.
    const json by_root =
        ask({{"command", "account-login"}, {"arguments", {{"name", "desk.1"}, {"password", clerk_password}}}});
    EXPECT_EQ(by_root.at("result"), 5) << by_root.dump();
}

// Five wrong passwords lock the account: then even the right one is refused, saying until when; a new
// password set by an administrator unlocks it.
TEST_P(ConsoleAccounts, lockoutAfterFiveFailuresUntilAnAdminSetsThePassword) {
    add_account("desk.1", "issuer", clerk_password);
    for (int i = 1; i <= 4; ++i) {
        const json wrong = login("desk.1", "not the password " + std::to_string(i));
        EXPECT_EQ(wrong.at("text"), "wrong account name or password") << i;
    }
    const json fifth = login("desk.1", "not the password 5");
    EXPECT_EQ(fifth.at("result"), 5);
    EXPECT_NE(fifth.at("text").get<std::string>().find("now locked until"), std::string::npos) << fifth.dump();
    const json right = login("desk.1", clerk_password);
    EXPECT_EQ(right.at("result"), 5) << right.dump();
    EXPECT_NE(right.at("text").get<std::string>().find("is locked until"), std::string::npos) << right.dump();
    const std::int64_t until = right.at("arguments").at("locked_until");
    EXPECT_GE(
        until,
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count() +
            800);
    const json listed = account_entry("desk.1");
    EXPECT_EQ(listed.at("locked_until"), until);
    EXPECT_EQ(listed.at("failed_logins"), 5);

    const CtlRun passwd = account_with_password({"passwd", "desk.1"}, "A-new-password-2");
    ASSERT_EQ(passwd.exit_code, 0) << passwd.describe();
    EXPECT_EQ(account_entry("desk.1").at("locked_until"), nullptr);
    EXPECT_EQ(login("desk.1", clerk_password).at("result"), 5);
    EXPECT_EQ(login("desk.1", "A-new-password-2").at("result"), 0);
}

// A disabled account cannot log in, and its open session ends; enabled again, it logs in.
TEST_P(ConsoleAccounts, aDisabledAccountIsRefused) {
    add_account("desk.1", "issuer", clerk_password);
    const std::string session = session_of("desk.1", clerk_password);
    ctl_ok({"account", "disable", "desk.1"});
    const json ended = from_console(session, "account-session");
    EXPECT_EQ(ended.at("result"), 5);
    EXPECT_EQ(ended.at("arguments"), json({{"session", "expired"}}));
    const json refused = login("desk.1", clerk_password);
    EXPECT_EQ(refused.at("result"), 5);
    EXPECT_NE(refused.at("text").get<std::string>().find("disabled"), std::string::npos) << refused.dump();
    ctl_ok({"account", "enable", "desk.1"});
    EXPECT_EQ(login("desk.1", clerk_password).at("result"), 0);
    ctl_ok({"account", "remove", "desk.1"});
    EXPECT_EQ(login("desk.1", clerk_password).at("text"), "wrong account name or password");
}

// A session gives the account's role, not the console uid's: a viewer reads and is refused a top-up and the
// card format, though the uid's own group is the admin group; an issuer adds a person, audited with its account.
TEST_P(ConsoleAccounts, theSessionGivesTheAccountsRole) {
    seed_store();
    add_account("watch", "viewer", viewer_password);
    add_account("desk.1", "issuer", clerk_password);
    const std::string viewer = session_of("watch", viewer_password);
    const json before = snapshot({1001, 1002});
    EXPECT_EQ(from_console(viewer, "card-info", {{"card_no", 1001}}).at("result"), 0);
    const json topup = from_console(viewer, "card-topup", {{"card_no", 1001}, {"amount", 100}});
    EXPECT_EQ(topup.at("result"), 5) << topup.dump();
    EXPECT_EQ(topup.at("text"), "'card-topup' needs the issuer role; account watch is viewer");
    EXPECT_EQ(from_console(viewer, "format-set", {{"sector", 5}}).at("result"), 5);
    EXPECT_EQ(from_console(viewer, "account-list").at("result"), 5);
    EXPECT_EQ(snapshot({1001, 1002}), before);

    const std::string issuer = session_of("desk.1", clerk_password);
    const json added =
        from_console(issuer, "person-add", {{"staff_no", "E077"}, {"name", "Through The ConsoleAccounts"}});
    EXPECT_EQ(added.at("result"), 0) << added.dump();
    ctl_ok({"person", "add", "E078", "--name", "Through cardctl"});
    const auto log = audit_log(20);
    bool console_line = false;
    bool socket_line = false;
    for (const store::AuditEntry& entry : log) {
        if (entry.action == "person.add" && entry.detail == "staff_no=E077") {
            console_line = true;
            EXPECT_EQ(entry.account, "desk.1");
            EXPECT_EQ(entry.via, "console");
            EXPECT_EQ(entry.uid, 54330);
        }
        if (entry.action == "person.add" && entry.detail == "staff_no=E078") {
            socket_line = true;
            EXPECT_EQ(entry.account, std::nullopt);
            EXPECT_EQ(entry.via, "socket");
            EXPECT_EQ(entry.uid, 0);
        }
    }
    EXPECT_TRUE(console_line);
    EXPECT_TRUE(socket_line);
    // The account changes are audited too, with who made them.
    bool added_line = false;
    for (const store::AuditEntry& entry : log) {
        if (entry.action == "account.add" && entry.detail == "name=desk.1 role=issuer") {
            added_line = true;
            EXPECT_EQ(entry.via, "socket");
        }
    }
    EXPECT_TRUE(added_line);
}

// An admin account administers accounts through the console, audited with its name.
TEST_P(ConsoleAccounts, anAdminAccountThroughTheConsole) {
    add_account("ops", "admin", clerk_password);
    const std::string admin = session_of("ops", clerk_password);
    const json added =
        from_console(admin, "account-add", {{"name", "desk.2"}, {"role", "viewer"}, {"password", viewer_password}});
    EXPECT_EQ(added.at("result"), 0) << added.dump();
    const json weak =
        from_console(admin, "account-add", {{"name", "desk.3"}, {"role", "viewer"}, {"password", "short"}});
    EXPECT_EQ(weak.at("result"), 6);
    EXPECT_EQ(weak.at("text"), "'password' is refused: the password has 5 characters: it needs at least 10");
    const json listed = from_console(admin, "account-list");
    EXPECT_EQ(listed.at("arguments").at("accounts").size(), 2u);
    EXPECT_FALSE(listed.dump().find("argon2") != std::string::npos) << listed.dump();
    const auto log = audit_log(5);
    ASSERT_FALSE(log.empty());
    EXPECT_EQ(log.front().action, "account.add");
    EXPECT_EQ(log.front().account, "ops");
    EXPECT_EQ(log.front().via, "console");
}

// A session sent from another uid is refused, even from root and even a valid one; the console keeps it.
TEST_P(ConsoleAccounts, aSessionFromAnotherUidIsRefused) {
    add_account("desk.1", "issuer", clerk_password);
    const std::string session = session_of("desk.1", clerk_password);
    const Credentials viewer{54321, group_id("nogroup"), {group_id("users")}};
    const json stolen = ask_as(viewer, {{"command", "status"}, {"session", session}, {"id", 4}});
    EXPECT_EQ(stolen.at("result"), 5) << stolen.dump();
    const json by_root = ask({{"command", "person-list"}, {"session", session}});
    EXPECT_EQ(by_root.at("result"), 5) << by_root.dump();
    // Without the session, the same uids keep their own roles.
    EXPECT_EQ(ask_as(viewer, {{"command", "status"}}).at("result"), 0);
    EXPECT_EQ(from_console(session, "status").at("result"), 0);
    EXPECT_NE(cardd_log().find("CARDD_CONSOLE_SESSION_FOREIGN"), std::string::npos);
}

// Idle past console_session_idle_s, a session expires; a logout ends one at once; neither a password nor a
// token ever reaches cardd's log.
TEST_P(ConsoleAccounts, expiryLogoutAndNothingSecretInTheLog) {
    add_account("desk.1", "issuer", clerk_password);
    restart_cardd({{"console_session_idle_s", "2"}});
    const std::string idle = session_of("desk.1", clerk_password);
    EXPECT_EQ(from_console(idle, "status").at("result"), 0);
    std::this_thread::sleep_for(3s);
    const json expired = from_console(idle, "status");
    EXPECT_EQ(expired.at("result"), 5);
    EXPECT_EQ(expired.at("arguments"), json({{"session", "expired"}}));

    const json again = login("desk.1", clerk_password);
    EXPECT_EQ(again.at("arguments").at("idle_timeout_s"), 2);
    const std::string session = again.at("arguments").at("session");
    const json out = from_console(session, "account-logout");
    EXPECT_EQ(out.at("result"), 0) << out.dump();
    EXPECT_EQ(from_console(session, "status").at("arguments"), json({{"session", "expired"}}));
    login("desk.1", "a wrong password here");

    const std::string log = cardd_log();
    for (const std::string& secret : {std::string(clerk_password), idle, session, std::string("a wrong password")}) {
        EXPECT_EQ(log.find(secret), std::string::npos) << "'" << secret << "' is in cardd's log";
    }
    for (const char* id : {"CARDD_CONSOLE_LOGIN ", "CARDD_CONSOLE_LOGIN_REFUSED", "CARDD_CONSOLE_SESSION_EXPIRED",
                           "CARDD_CONSOLE_LOGOUT"}) {
        EXPECT_NE(log.find(id), std::string::npos) << id;
    }
    EXPECT_NE(log.find("account=desk.1"), std::string::npos);
}

CARDD_E2E_BACKENDS(ConsoleAccounts);

}  // namespace
}  // namespace cardd::e2e
