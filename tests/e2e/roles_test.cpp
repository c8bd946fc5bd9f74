// Roles from SO_PEERCRED: cardctl run as other uids (uids with no passwd
// entry, so the primary gid alone decides), reaching the socket through its
// group "users". cardd.conf maps issuer_group "daemon" and viewer_group
// "nogroup" (tests/e2e/e2e_fixture.cpp).

#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

using cardd::test::Credentials;

class Roles : public E2e {
protected:
    void SetUp() override {
        E2e::SetUp();
        sim_ = &seed_store();
    }

    /// A uid with no passwd entry whose primary group is `primary`, reaching the socket through "users".
    static Credentials as(uid_t uid, const char* primary) {
        return Credentials{uid, group_id(primary), {group_id("users")}};
    }

    /// Each command must be refused with result 5 (and cardctl's exit 1).
    void expect_denied(const Credentials& who, const std::vector<std::vector<std::string>>& commands) {
        for (const auto& command : commands) {
            const CtlRun run = cardctl(command, who);
            std::string line;
            for (const auto& word : command) line += word + " ";
            EXPECT_EQ(run.exit_code, 1) << line << run.describe();
            ASSERT_TRUE(run.answer.is_object()) << line << run.describe();
            EXPECT_EQ(run.answer.at("result"), 5) << line << run.describe();
        }
    }

    json store_state() { return snapshot({1001, 1002}); }

    std::string raw_as(const Credentials& who, const std::string& line) { return ask_line_as(who, line); }

    Sim* sim_ = nullptr;
};

const std::vector<std::vector<std::string>> changes = {
    {"format", "set", "--sector", "5"},
    {"device", "add-terminal", "tcp-9", "--tcp", "127.0.0.1:1502"},
    {"device", "remove", "tcp-1"},
    {"person", "add", "E009", "--name", "Nine"},
    {"person", "add", "E010", "--name", "Ten", "--issue", "--card-no", "1010"},
    {"card", "issue", "E001", "--card-no", "1003"},
    {"card", "topup", "1001", "10"},
    {"card", "refund-close", "1001"},
    {"card", "loss", "1001", "--push", "--devices", "all"},
    {"card", "loss", "1001"},
    {"card", "loss", "1001", "1002", "--reason", "damaged"},
    {"card", "unlock", "1002", "1001"},
    {"card", "issue", "--staff-nos", "E001,E002", "--rehearse"},
    {"card", "unlock", "1002", "--push", "--devices", "all"},
    {"card", "replace", "1002", "--new-card-no", "2002"},
    {"card", "return", "1001"},
    {"resync", "--failed"},
    {"resync", "--device", "tcp-1"},
    {"resync", "--cards", "1001", "--devices", "tcp-1"},
    {"collect"},
};

// A viewer reads everything and changes nothing: every changing command is refused with result 5.
TEST_P(Roles, viewerCannotChangeAnything) {
    const Credentials viewer = as(54321, "nogroup");
    const json before = store_state();
    const Cards list_before = sim_->list();
    for (const auto& command : std::vector<std::vector<std::string>>{{"status"},
                                                                     {"person", "list"},
                                                                     {"person", "search", "E00"},
                                                                     {"person", "departments"},
                                                                     {"card", "info", "1001"},
                                                                     {"losses"},
                                                                     {"device", "list"},
                                                                     {"failed"},
                                                                     {"format", "show"}}) {
        const CtlRun run = cardctl(command, viewer);
        EXPECT_EQ(run.exit_code, 0) << command[0] << " " << run.describe();
    }
    expect_denied(viewer, changes);
    EXPECT_EQ(store_state(), before);
    EXPECT_EQ(sim_->list(), list_before);

    // A raw request from the same uid: refused the same way, nothing done.
    const std::string answer =
        raw_as(viewer, R"({"command": "card-topup", "arguments": {"card_no": 1001, "amount": 100}, "id": 3})");
    const json parsed = json::parse(answer);
    EXPECT_EQ(parsed.at("result"), 5) << answer;
    EXPECT_EQ(parsed.at("id"), 3) << answer;
    EXPECT_EQ(store_state(), before);
}

// An issuer runs card workflows but cannot add, remove or resync devices, nor set the card format.
TEST_P(Roles, issuerCannotAddDevices) {
    const Credentials issuer = as(54322, "daemon");
    const json before = store_state();
    expect_denied(issuer, {{"device", "add-terminal", "tcp-9", "--tcp", "127.0.0.1:1502"},
                           {"device", "add-terminal", "rtu-9", "--rtu", "/dev/ttyS0", "--baud", "19200"},
                           {"device", "add-encoder", "desk", "--sim"},
                           {"device", "remove", "tcp-1"},
                           {"format", "set", "--sector", "5"},
                           {"resync", "--failed"},
                           {"resync", "--cards", "1001", "--devices", "tcp-1"},
                           // Writing a negative balance off is an administrator's decision.
                           {"card", "refund-close", "1001", "--no-wipe", "--write-off"},
                           {"card", "return", "1001", "--write-off"},
                           {"card", "replace", "1002", "--new-card-no", "1003", "--write-off"}});
    EXPECT_EQ(store_state(), before);

    // What an issuer may do, it does.
    place(1001);
    const CtlRun topup = cardctl({"card", "topup", "1001", "10"}, issuer);
    EXPECT_EQ(topup.exit_code, 0) << topup.describe();
    EXPECT_EQ(ctl_ok({"card", "info", "1001"}).at("card").at("balance"), 6000);
}

// A uid in none of the role groups is refused everything, even status; so is a raw request from it.
TEST_P(Roles, callerWithoutRoleIsRefused) {
    const Credentials stranger = Credentials{54323, 54323, {group_id("users")}};
    expect_denied(stranger, {{"status"}, {"person", "list"}, {"card", "topup", "1001", "10"}});
    EXPECT_EQ(json::parse(raw_as(stranger, R"({"command": "status"})")).at("result"), 5);
    EXPECT_EQ(ctl_ok({"card", "info", "1001"}).at("card").at("balance"), 5000);
}

CARDD_E2E_BACKENDS(Roles);

}  // namespace
}  // namespace cardd::e2e
