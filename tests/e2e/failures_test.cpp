// Terminals that are down when a loss is reported: the failed-device list,
// the retry queue, and `resync --failed`.

#include <string>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

class Failures : public E2e {
protected:
    void SetUp() override {
        E2e::SetUp();
        up_ = &tcp_sim("up");
        add_tcp_terminal("tcp-1", *up_);
        issue("E001", 1001, 5000);
    }

    /// The failed-list entry of `device`, or null.
    json failed_entry(const std::string& device) {
        const json answer = ctl_ok({"failed"});
        for (const json& entry : answer.at("failed")) {
            if (entry.at("device") == device) return entry;
        }
        return nullptr;
    }

    Sim* up_ = nullptr;
};

// A terminal killed before the report is in `failed` with the missing card and a reason; back up, the retry queue
// levels it unasked.
TEST_P(Failures, downTerminalIsListedAndRetryQueueBringsItLevel) {
    Sim& down = tcp_sim("down");
    add_tcp_terminal("tcp-2", down);
    down.kill();

    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    ASSERT_EQ(loss.at("failed").size(), 1u) << loss.dump();
    EXPECT_EQ(loss.at("failed")[0].at("device"), "tcp-2");
    EXPECT_EQ(loss.at("pushed"), json::array({"tcp-1"}));
    ASSERT_EQ(loss.at("not_collected").size(), 1u) << loss.dump();
    EXPECT_EQ(loss.at("not_collected")[0].at("device"), "tcp-2");
    expect_enforces(*up_, 0, "tcp-1", {1001});

    const json entry = failed_entry("tcp-2");
    ASSERT_TRUE(entry.is_object()) << ctl_ok({"failed"}).dump();
    EXPECT_EQ(entry.at("missing_cards"), json::array({1001}));
    EXPECT_FALSE(entry.at("text").get<std::string>().empty());
    EXPECT_TRUE(failed_entry("tcp-1").is_null());

    down.start();  // its flash kept: the same terminal, back on its port
    EXPECT_TRUE(eventually([&] { return down.list() == Cards{1001}; }, 10s)) << down.state().dump();
    expect_enforces(down, 0, "tcp-2", {1001});
    EXPECT_TRUE(eventually([&] { return failed_entry("tcp-2").is_null(); }, 5s));
}

// A terminal that was never up is in `failed`; once it is, `resync --failed` levels it at once (the queue waits a
// minute).
TEST_P(Failures, resyncFailedBringsTerminalLevelAtOnce) {
    restart_cardd({{"retry_initial_s", "60"}, {"retry_cap_s", "120"}});
    const std::uint16_t port = free_port();
    ctl_ok({"device", "add-terminal", "tcp-2", "--tcp", "127.0.0.1:" + std::to_string(port)});

    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    ASSERT_EQ(loss.at("failed").size(), 1u) << loss.dump();
    const json entry = failed_entry("tcp-2");
    ASSERT_TRUE(entry.is_object());
    EXPECT_EQ(entry.at("missing_cards"), json::array({1001}));
    EXPECT_FALSE(entry.at("text").get<std::string>().empty());

    Sim& late = tcp_sim_on("late", port);
    EXPECT_TRUE(late.list().empty());
    const json resync = ctl_ok({"resync", "--failed"});
    EXPECT_EQ(resync.at("level"), json::array({"tcp-2"})) << resync.dump();
    EXPECT_TRUE(resync.at("failed").empty());
    expect_enforces(late, 0, "tcp-2", {1001});
    EXPECT_TRUE(failed_entry("tcp-2").is_null());
}

// The raw socket's `failed` answer for a terminal that is down names the card and why.
TEST_P(Failures, failedAnswerOnTheRawSocket) {
    Sim& down = tcp_sim("down");
    add_tcp_terminal("tcp-2", down);
    down.kill();
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "tcp-2"});
    const json answer = ask({{"command", "failed"}, {"id", 9}});
    EXPECT_EQ(answer.at("result"), 0);
    EXPECT_EQ(answer.at("id"), 9);
    EXPECT_EQ(answer.at("text"), "1 failed terminals");
    ASSERT_EQ(answer.at("arguments").at("failed").size(), 1u);
    const json& entry = answer.at("arguments").at("failed")[0];
    EXPECT_EQ(entry.at("device"), "tcp-2");
    EXPECT_EQ(entry.at("missing_cards"), json::array({1001}));
    EXPECT_GE(entry.at("attempts").get<int>(), 1);
    EXPECT_TRUE(entry.at("next_retry").is_number_integer());
}

// Another terminal at tcp-1's address (the cable moved to the wrong port, or
// a terminal replaced): it answers with another serial, so it is written
// nothing and collected from never; the loss says so for tcp-1, which is
// failed with that reason. Accepted as a replacement, it is read as a new
// terminal: its purchase collected, its blacklist brought level.
TEST_P(Failures, aTerminalWithAnotherSerialIsRefusedUntilAccepted) {
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    expect_enforces(*up_, 0, "tcp-1", {1001});
    const std::int64_t serial = up_->state().at("serial");
    const std::uint16_t port = up_->port();
    up_->kill();
    Sim& other = tcp_sim_on("other", port);
    issue("E002", 1002, 5000);
    other.purchase(1002, 300, 4700);
    const int served_before = other.stats().at("requests").get<int>();

    const json pushed = ctl_ok({"card", "loss", "1002", "--push", "--devices", "all"});
    ASSERT_EQ(pushed.at("failed").size(), 1u) << pushed.dump();
    EXPECT_EQ(pushed.at("failed")[0].at("device"), "tcp-1");
    const std::string why = pushed.at("failed")[0].at("text");
    EXPECT_NE(why.find("not " + std::to_string(serial) + " as on record; nothing was written to it"), std::string::npos)
        << why;
    EXPECT_TRUE(other.list().empty()) << "a loss was written to another terminal";
    EXPECT_EQ(other.state().at("version"), 0);
    const json entry = failed_entry("tcp-1");
    ASSERT_TRUE(entry.is_object());
    EXPECT_NE(entry.at("text").get<std::string>().find("device accept-serial tcp-1"), std::string::npos) << entry;
    EXPECT_NE(cardd_log().find("CARDD_TERMINAL_WRONG_SERIAL device=tcp-1"), std::string::npos);
    // Its purchase is not taken either: the terminal is not tcp-1.
    EXPECT_NE(cardctl({"collect", "--devices", "tcp-1"}).exit_code, 0);
    EXPECT_EQ(ctl_ok({"card", "info", "1002"}).at("card").at("balance"), 5000);
    EXPECT_GT(other.stats().at("requests").get<int>(), served_before);

    const json accepted = ctl_ok({"device", "accept-serial", "tcp-1"});
    EXPECT_EQ(accepted.at("was"), serial);
    EXPECT_TRUE(eventually([&] { return other.list() == Cards{1001, 1002}; }, 10s)) << other.state().dump();
    expect_enforces(other, 0, "tcp-1", {1001, 1002});
    ctl_ok({"collect", "--devices", "tcp-1"});
    EXPECT_EQ(ctl_ok({"card", "info", "1002"}).at("card").at("balance"), 4700);
    EXPECT_TRUE(eventually([&] { return failed_entry("tcp-1").is_null(); }, 5s));
}

CARDD_E2E_BACKENDS(Failures);

}  // namespace
}  // namespace cardd::e2e
