// Blacklist distribution end to end: which terminals a loss, an unlock and a
// replacement reach, over Modbus TCP and an RS-485 bus, checked on the
// terminals themselves against the store's desired sets.

#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

class Distribution : public E2e {
protected:
    // Two TCP terminals and one on the RS-485 bus (whose card-termsim also
    // serves unit 2, registered by the test that needs it); two cards issued.
    void SetUp() override {
        E2e::SetUp();
        tcp1_ = &tcp_sim("a");
        tcp2_ = &tcp_sim("b");
        bus_ = &rtu_sim("bus", {1, 2});
        add_tcp_terminal("tcp-1", *tcp1_);
        add_tcp_terminal("tcp-2", *tcp2_);
        add_rtu_terminal("rtu-1", 1);
        issue("E001", 1001, 5000);
        issue("E002", 1002, 3000);
    }

    std::vector<std::string> names(const json& list) {
        std::vector<std::string> out;
        for (const json& item : list) out.push_back((item.is_string() ? item : item.at("device")).get<std::string>());
        std::ranges::sort(out);
        return out;
    }

    Sim* tcp1_ = nullptr;
    Sim* tcp2_ = nullptr;
    Sim* bus_ = nullptr;
};

// A loss pushed to all reaches every terminal, TCP and RTU, each with the checksum of the store's set.
TEST_P(Distribution, lossPushedToAllReachesEveryTerminal) {
    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    EXPECT_EQ(names(loss.at("pushed")), (std::vector<std::string>{"rtu-1", "tcp-1", "tcp-2"}));
    EXPECT_TRUE(loss.at("failed").empty()) << loss.dump();
    EXPECT_EQ(loss.at("works_at_terminals"), false);
    expect_enforces(*tcp1_, 0, "tcp-1", {1001});
    expect_enforces(*tcp2_, 0, "tcp-2", {1001});
    expect_enforces(*bus_, 0, "rtu-1", {1001});

    // The same through the raw socket: the id is echoed, the answer is final.
    const json raw = ask({{"command", "card-loss"},
                          {"arguments", {{"card_no", 1002}, {"push", true}, {"devices", "all"}}},
                          {"id", "loss-1002"}});
    EXPECT_EQ(raw.at("result"), 0) << raw.dump();
    EXPECT_EQ(raw.at("id"), "loss-1002");
    EXPECT_EQ(raw.at("text"), "card 1002 reported lost; pushed to 3 of 3 terminals");
    EXPECT_EQ(names(raw.at("arguments").at("pushed")), (std::vector<std::string>{"rtu-1", "tcp-1", "tcp-2"}));
    expect_enforces(*tcp1_, 0, "tcp-1", {1001, 1002});
    expect_enforces(*tcp2_, 0, "tcp-2", {1001, 1002});
    expect_enforces(*bus_, 0, "rtu-1", {1001, 1002});
}

// A loss without a push changes no terminal, and the answer says the card still works at terminals.
TEST_P(Distribution, lossWithoutPushChangesNoTerminal) {
    const json before1 = tcp1_->state(), before2 = tcp2_->state(), before_bus = bus_->state();
    const CtlRun run = cardctl({"card", "loss", "1001"});
    ASSERT_EQ(run.exit_code, 0) << run.describe();
    EXPECT_NE(run.answer.at("text").get<std::string>().find("still works at terminals"), std::string::npos)
        << run.answer.dump();
    EXPECT_EQ(run.answer.at("arguments").at("works_at_terminals"), true);
    EXPECT_TRUE(run.answer.at("arguments").at("pushed").empty());

    const json raw = ask({{"command", "card-loss"}, {"arguments", {{"card_no", 1002}}}, {"id", 2}});
    EXPECT_EQ(raw.at("text"), "card 1002 reported lost in the database only; it still works at terminals until pushed");
    EXPECT_EQ(raw.at("arguments").at("works_at_terminals"), true);
    EXPECT_EQ(raw.at("id"), 2);

    for (auto [sim, before] : {std::pair{tcp1_, before1}, std::pair{tcp2_, before2}, std::pair{bus_, before_bus}}) {
        const json after = sim->state();
        EXPECT_EQ(after.at("version"), before.at("version"));
        EXPECT_EQ(after.at("checksum"), before.at("checksum"));
        EXPECT_TRUE(sim->list().empty());
    }
    for (const char* name : {"tcp-1", "tcp-2", "rtu-1"}) EXPECT_TRUE(desired(name).empty()) << name;
}

// A loss pushed to named terminals reaches those and no other.
TEST_P(Distribution, lossPushedToNamedTerminalsReachesOnlyThose) {
    const json before = tcp2_->state();
    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "tcp-1,rtu-1"});
    EXPECT_EQ(names(loss.at("pushed")), (std::vector<std::string>{"rtu-1", "tcp-1"}));
    expect_enforces(*tcp1_, 0, "tcp-1", {1001});
    expect_enforces(*bus_, 0, "rtu-1", {1001});
    expect_enforces(*tcp2_, 0, "tcp-2", {});
    EXPECT_EQ(tcp2_->state().at("version"), before.at("version"));
}

// A terminal registered after a loss pushed to all learns that card without anyone asking, and not named ones.
TEST_P(Distribution, terminalAddedLaterReceivesWhatWasPushedToAll) {
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    ctl_ok({"card", "loss", "1002", "--push", "--devices", "tcp-1"});
    Sim& late = tcp_sim("late");
    add_tcp_terminal("tcp-3", late);
    EXPECT_TRUE(eventually([&] { return late.list() == Cards{1001}; })) << late.state().dump();
    expect_enforces(late, 0, "tcp-3", {1001});
    expect_enforces(*tcp1_, 0, "tcp-1", {1001, 1002});
}

// Two terminals on one RS-485 bus (one serial device, unit ids 1 and 2) are both served.
TEST_P(Distribution, twoTerminalsOnOneBusAreBothServed) {
    add_rtu_terminal("rtu-2", 2);
    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    EXPECT_EQ(names(loss.at("pushed")), (std::vector<std::string>{"rtu-1", "rtu-2", "tcp-1", "tcp-2"}));
    expect_enforces(*bus_, 0, "rtu-1", {1001});
    expect_enforces(*bus_, 1, "rtu-2", {1001});

    // One unit alone: the other keeps what it has.
    ctl_ok({"card", "loss", "1002", "--push", "--devices", "rtu-2"});
    expect_enforces(*bus_, 1, "rtu-2", {1001, 1002});
    expect_enforces(*bus_, 0, "rtu-1", {1001});
    const json listed = ask({{"command", "device-list"}});
    for (const json& device : listed.at("arguments").at("devices")) {
        if (device.at("kind").get<std::string>() != "terminal") continue;  // the encoder cards were issued on
        EXPECT_EQ(device.at("state"), "level") << device.dump();
    }
}

// An unlock with a push removes the entry from the chosen terminals; without one the terminals keep refusing.
TEST_P(Distribution, unlockWithPushRemovesTheEntry) {
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    ctl_ok({"card", "loss", "1002", "--push", "--devices", "all"});
    const json unlock = ctl_ok({"card", "unlock", "1001", "--push", "--devices", "all"});
    EXPECT_EQ(names(unlock.at("pushed")), (std::vector<std::string>{"rtu-1", "tcp-1", "tcp-2"}));
    expect_enforces(*tcp1_, 0, "tcp-1", {1002});
    expect_enforces(*tcp2_, 0, "tcp-2", {1002});
    expect_enforces(*bus_, 0, "rtu-1", {1002});

    const CtlRun quiet = cardctl({"card", "unlock", "1002"});
    ASSERT_EQ(quiet.exit_code, 0) << quiet.describe();
    EXPECT_NE(quiet.answer.at("text").get<std::string>().find("still refuse it"), std::string::npos)
        << quiet.answer.dump();
    expect_enforces(*tcp1_, 0, "tcp-1", {1002});
    EXPECT_EQ(
        ask({{"command", "card-info"}, {"arguments", {{"card_no", 1002}}}}).at("arguments").at("card").at("state"),
        "active");
}

// A loss pushed to terminals already level costs one that took no card one
// request, the 0x17 that carries the entry and reads back its records
// counter; one that took cards before it refused the lost one has them
// collected before the answer, so the balance is right at once.
TEST_P(Distribution, lossPushCollectsOnlyTerminalsThatTookCards) {
    ctl_ok({"card", "loss", "1002", "--push", "--devices", "all"});
    tcp1_->purchase(1001, 700, 4300);
    const auto requests = [](Sim& sim) { return sim.stats().at("requests").get<std::int64_t>(); };
    const std::int64_t tcp1_before = requests(*tcp1_);
    const std::int64_t tcp2_before = requests(*tcp2_);

    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    EXPECT_EQ(names(loss.at("collected")), (std::vector<std::string>{"rtu-1", "tcp-1", "tcp-2"})) << loss.dump();
    EXPECT_TRUE(loss.at("not_collected").empty()) << loss.dump();
    EXPECT_EQ(requests(*tcp2_) - tcp2_before, 1);
    EXPECT_GT(requests(*tcp1_) - tcp1_before, 1) << "the purchase is read";
    EXPECT_EQ(ctl_ok({"card", "info", "1001"}).at("card").at("balance"), 4300);
    expect_enforces(*tcp1_, 0, "tcp-1", {1001, 1002});
    expect_enforces(*tcp2_, 0, "tcp-2", {1001, 1002});
}

// A replacement carries the balance (records collected first) and leaves the old card blacklisted everywhere.
TEST_P(Distribution, replacementLeavesTheOldCardBlacklisted) {
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "tcp-1"});
    tcp2_->purchase(1001, 500, 4500);  // spent before the loss reached tcp-2
    place_blank();
    const json replaced = ctl_ok({"card", "replace", "1001", "--new-card-no", "2001"});
    EXPECT_EQ(replaced.at("card").at("card_no"), 2001);
    EXPECT_EQ(replaced.at("card").at("balance"), 4500);
    EXPECT_EQ(replaced.at("old_card").at("state"), "replaced");
    expect_enforces(*tcp1_, 0, "tcp-1", {1001});
    expect_enforces(*tcp2_, 0, "tcp-2", {1001});
    expect_enforces(*bus_, 0, "rtu-1", {1001});

    const json new_card = ctl_ok({"card", "info", "2001"});
    EXPECT_EQ(new_card.at("card").at("balance"), 4500);
    // The new card itself, read back through the encoder, holds the carried balance.
    const json on_card = read_card();
    EXPECT_EQ(on_card.at("on_card").at("card_no"), 2001);
    EXPECT_EQ(on_card.at("on_card").at("balance"), 4500);
    EXPECT_EQ(on_card.at("differences"), json::array()) << on_card.dump();
    EXPECT_EQ(new_card.at("card").at("staff_no"), "E001");
    EXPECT_EQ(ctl_ok({"card", "info", "1001"}).at("card").at("balance"), 0);
}

CARDD_E2E_BACKENDS(Distribution);

}  // namespace
}  // namespace cardd::e2e
