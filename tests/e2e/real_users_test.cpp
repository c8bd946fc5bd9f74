// Roles as a site has them: real users and groups the test makes with
// useradd and groupadd (root only), people given a role by being in a role
// group in /etc/group, the socket's group to reach it, and the console's
// own user. cardd makes the socket's directory itself, so the test also
// sees who may enter it. Every command cardd lists (list-commands) is asked
// by every one of them: refused with result 5 exactly when the role is too
// weak, and never refused when it is not.

#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

using cardd::test::Credentials;
namespace fs = std::filesystem;

/// Runs a system tool that must succeed (groupadd, useradd, gpasswd).
void must_run(const std::vector<std::string>& argv) {
    const std::string program = cardd::test::find_program(argv.front());
    if (program.empty()) throw std::runtime_error(argv.front() + " is not installed (Debian package passwd)");
    std::vector<std::string> full = argv;
    full.front() = program;
    const auto run = cardd::test::run_program(full, "/dev/null", 30s);
    if (run.exit_code != 0) {
        std::string line;
        for (const auto& word : argv) line += word + " ";
        throw std::runtime_error(line + "failed: " + run.err);
    }
}

/// What a login gives the user: its uid, primary group and every group /etc/group puts it in.
Credentials login_of(const std::string& user) {
    const passwd* entry = ::getpwnam(user.c_str());
    if (!entry) throw std::runtime_error("no user " + user);
    int count = 64;
    std::vector<gid_t> groups(64);
    if (::getgrouplist(user.c_str(), entry->pw_gid, groups.data(), &count) < 0) {
        throw std::runtime_error("more groups than expected for " + user);
    }
    groups.resize(static_cast<std::size_t>(count));
    return Credentials{entry->pw_uid, entry->pw_gid, groups};
}

// The commands about the console session a request carries: refused to
// anyone whose request carries none, whatever their role.
const std::vector<std::string> session_commands = {"account-logout", "account-session"};

// Which of the people may run `command`, which needs `least`. "desk" is the
// console's user carrying the session of a viewer account.
bool allowed(const std::string& person, const std::string& command, const std::string& least) {
    static const std::map<std::string, int> strength = {{"viewer", 1}, {"issuer", 2}, {"admin", 3}, {"desk", 1}};
    if (least == "console") return person == "console" || person == "desk";
    if (person == "console" || person == "norole") return false;
    if (std::ranges::find(session_commands, command) != session_commands.end()) return person == "desk";
    return strength.at(person) >= strength.at(least);
}

class RealUsers : public E2e {
protected:
    void SetUp() override {
        ASSERT_EQ(::geteuid(), 0u) << "this test makes users and groups: run it as root";
        // Short names, unique to this test program: groupadd allows 32 characters.
        prefix_ = "cdt" + std::to_string(::getpid() % 100000);
        for (const char* group : {"sock", "adm", "iss", "view"}) {
            must_run({"groupadd", "--system", name(group)});
            groups_.push_back(name(group));
        }
        const std::map<std::string, std::string> memberships = {{"admin", name("sock") + "," + name("adm")},
                                                                {"issuer", name("sock") + "," + name("iss")},
                                                                {"viewer", name("sock") + "," + name("view")},
                                                                {"norole", name("sock")},
                                                                {"console", name("sock")},
                                                                {"outsider", ""}};
        for (const auto& [person, groups] : memberships) {
            std::vector<std::string> argv{"useradd", "--system",          "--no-create-home",
                                          "--shell", "/usr/sbin/nologin", "--user-group"};
            if (!groups.empty()) argv.insert(argv.end(), {"--groups", groups});
            argv.push_back(name(person));
            must_run(argv);
            users_.push_back(name(person));
        }
        E2e::SetUp();
    }

    void before_first_start() override {
        settings_["admin_group"] = "\"" + name("adm") + "\"";
        settings_["issuer_group"] = "\"" + name("iss") + "\"";
        settings_["viewer_group"] = "\"" + name("view") + "\"";
        settings_["socket_group"] = "\"" + name("sock") + "\"";
        settings_["console_user"] = "\"" + name("console") + "\"";
        settings_["card_wait_s"] = "1";
        // A directory that does not exist yet: cardd makes it.
        socket_ = socket_.parent_path() / "run" / "cardd.sock";
    }

    void TearDown() override {
        E2e::TearDown();
        for (const auto& user : users_) must_run({"userdel", user});
        for (const auto& group : groups_) must_run({"groupdel", group});
    }

    std::string name(const std::string& what) const { return prefix_ + what; }

    /// `request` sent as `person`: the answer line, or the failure to connect.
    cardd::test::Finished raw_as(const std::string& person, const json& request) {
        return send_line_as(login_of(name(person)), request.dump());
    }

    json answer_as(const std::string& person, const json& request) {
        const auto run = raw_as(person, request);
        EXPECT_EQ(run.exit_code, 0) << person << ": " << run.err;
        const json answer = json::parse(run.out.substr(0, run.out.find('\n')), nullptr, false);
        if (!answer.is_object()) ADD_FAILURE() << person << " got no answer: " << run.out << run.err;
        return answer;
    }

    std::string prefix_;
    std::vector<std::string> groups_;
    std::vector<std::string> users_;
};

// Every command, every person, and the console's user with the session of
// a viewer account: result 5 exactly when the role is too weak.
TEST_P(RealUsers, everyCommandIsRefusedExactlyWhenTheRoleIsTooWeak) {
    const std::string password = "desk-password-1";
    const CtlRun added = cardctl_with_password({"account", "add", "desk.1", "--role", "viewer"}, password);
    ASSERT_EQ(added.exit_code, 0) << added.describe();
    const auto log_in = [&] {
        const json answer = answer_as(
            "console", {{"command", "account-login"}, {"arguments", {{"name", "desk.1"}, {"password", password}}}});
        EXPECT_EQ(answer.value("result", -1), 0) << answer.dump();
        return answer.at("arguments").value("session", "");
    };
    std::string session = log_in();

    const json listed = ask({{"command", "list-commands"}, {"id", 1}}).at("arguments");
    ASSERT_GE(listed.at("commands").size(), 40u) << listed.dump();
    bool login_listed = false;
    int checked = 0;
    for (const json& command : listed.at("commands")) {
        const std::string name = command.at("name");
        const std::string least = command.at("role");
        login_listed = login_listed || (name == "account-login" && least == "console");
        for (const std::string person : {"admin", "issuer", "viewer", "norole", "console", "desk"}) {
            json request = {{"command", name}, {"arguments", json::object()}, {"id", 7}};
            if (person == "desk") request["session"] = session;
            const json answer = answer_as(person == "desk" ? "console" : person, request);
            ASSERT_TRUE(answer.is_object());
            // A logout ends the session it carried: log in again for the next command.
            if (person == "desk" && name == "account-logout") session = log_in();
            if (allowed(person, name, least)) {
                EXPECT_NE(answer.at("result"), 5) << person << " was refused " << name << ": " << answer.dump();
            } else {
                EXPECT_EQ(answer.at("result"), 5)
                    << person << " ran " << name << " (" << least << "): " << answer.dump();
            }
            ++checked;
        }
    }
    EXPECT_TRUE(login_listed) << "account-login is the console user's";
    EXPECT_EQ(checked, 6 * static_cast<int>(listed.at("commands").size()));
}

// The socket's directory is cardd's and the socket group's alone (0750):
// someone outside that group cannot even reach the socket.
TEST_P(RealUsers, onlyTheSocketGroupEntersTheSocketsDirectory) {
    struct stat directory {};
    ASSERT_EQ(::stat(socket().parent_path().c_str(), &directory), 0);
    EXPECT_EQ(directory.st_mode & 07777, 0750u);
    EXPECT_EQ(directory.st_gid, ::getgrnam(name("sock").c_str())->gr_gid);
    const auto outside = raw_as("outsider", {{"command", "status"}, {"id", 1}});
    EXPECT_NE(outside.exit_code, 0);
    EXPECT_EQ(outside.out, "");
    EXPECT_NE(outside.err.find("Permission denied"), std::string::npos) << outside.err;
    EXPECT_EQ(answer_as("viewer", {{"command", "status"}, {"id", 1}}).at("result"), 0);
}

// A role follows /etc/group from one request to the next: added to the
// issuer group, a person tops up; taken out again, they are refused. No
// restart, no SIGHUP.
TEST_P(RealUsers, aRoleFollowsTheGroupFileFromOneRequestToTheNext) {
    issue("E001", 1001, 1000);
    const json topup = {{"command", "card-topup"}, {"arguments", {{"card_no", 1001}, {"amount", 100}}}, {"id", 2}};
    EXPECT_EQ(answer_as("norole", topup).at("result"), 5);
    must_run({"gpasswd", "--add", name("norole"), name("iss")});
    place(1001);
    EXPECT_EQ(answer_as("norole", topup).at("result"), 0);
    must_run({"gpasswd", "--delete", name("norole"), name("iss")});
    EXPECT_EQ(answer_as("norole", topup).at("result"), 5);
    EXPECT_EQ(ctl_ok({"card", "info", "1001"}).at("card").at("balance"), 1100);
}

INSTANTIATE_TEST_SUITE_P(Backends, RealUsers, ::testing::Values(Backend::sqlite), backend_name);

}  // namespace
}  // namespace cardd::e2e
