// Terminals that misbehave, over Modbus TCP and RS-485 at once: answers
// dropped, late, corrupted, from another unit, with another function code,
// cut short or too long, Modbus exceptions on each kind of request, flash
// that disagrees with the store, BUSY for a minute, CAPACITY, a restart in
// the middle of a full sync, a TCP peer that never answers, dead units on a
// bus. Each test ends with every terminal level with the store and every
// purchase tapped on a terminal in the ledger exactly once.
//
// The faults do not depend on the store's backend (the crash loop and the
// distribution tests run both), so these run on SQLite.

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

using cardd::test::ChildProcess;

constexpr std::int64_t opening = 500'00;

/// One terminal of the test: its card-termsim, its index there, its name in cardd.
struct Terminal {
    Sim* sim = nullptr;
    int index = 0;
    std::string name;
};

class TerminalFaults : public E2e {
protected:
    /// tcp-1 on Modbus TCP, rtu-1 and rtu-2 on one RS-485 bus (8N1: a bus
    /// restarted on a pseudo-terminal cannot set parity again, see
    /// records_test.cpp). tcp-1 and rtu-1 get the faults; rtu-2 stays well,
    /// to show its bus still serves it. `extra` goes to both card-termsims.
    void start_terminals(const std::vector<std::string>& extra = {}) {
        tcp_ = &tcp_sim("tcp", extra);
        bus_ = &rtu_sim("bus", {1, 2}, extra, 'N');
        add_tcp_terminal("tcp-1", *tcp_);
        add_rtu_terminal("rtu-1", 1, 'N');
        add_rtu_terminal("rtu-2", 2, 'N');
        faulty_ = {{tcp_, 0, "tcp-1"}, {bus_, 0, "rtu-1"}};
        all_ = {{tcp_, 0, "tcp-1"}, {bus_, 0, "rtu-1"}, {bus_, 1, "rtu-2"}};
    }

    /// The same control line to both faulty terminals.
    void fault(const std::string& line) {
        for (const Terminal& t : faulty_) ASSERT_EQ(t.sim->control(line, t.index), "ok") << line << " on " << t.name;
    }

    /// Issues cards first..first+count-1 (one person each) with the opening amount.
    void issue_cards(std::uint32_t first, int count) {
        for (int i = 0; i < count; ++i) {
            issue("P" + std::to_string(first + i), first + static_cast<std::uint32_t>(i), opening);
            balances_[first + static_cast<std::uint32_t>(i)] = opening;
        }
    }

    /// A purchase of `amount` with card `card` tapped on `t`, as the card would record it.
    void tap(const Terminal& t, std::uint32_t card, std::int64_t amount) {
        balances_[card] -= amount;
        t.sim->purchase(card, amount, balances_[card], t.index);
    }

    /// The names in an answer's list of terminals ("pushed"), or of objects with "device" ("failed").
    static std::vector<std::string> names(const json& list) {
        std::vector<std::string> out;
        for (const json& item : list) out.push_back((item.is_string() ? item : item.at("device")).get<std::string>());
        std::ranges::sort(out);
        return out;
    }

    /// Every terminal ends level: the failed ones asked again by `resync
    /// --failed` and, where a late answer still in flight spoils that, by
    /// the retry queue; then each enforces exactly the store's desired set.
    void expect_all_level() {
        cardctl({"resync", "--failed"});
        for (const Terminal& t : all_) {
            EXPECT_TRUE(eventually([&] { return t.sim->list(t.index) == desired(t.name); }, 15s))
                << t.name << ": " << t.sim->state(t.index).dump();
        }
        EXPECT_TRUE(eventually([&] { return ctl_ok({"failed"}).at("failed").empty(); }, 15s))
            << ctl_ok({"failed"}).dump();
        for (const Terminal& t : all_) expect_enforces(*t.sim, t.index, t.name, desired(t.name));
    }

    /// Every purchase tapped is in the ledger once: collected to the end,
    /// each card's balance is its opening less what was tapped.
    void expect_every_purchase_once() {
        ctl_ok({"collect"});
        for (const auto& [card, balance] : balances_) {
            EXPECT_EQ(ctl_ok({"card", "info", std::to_string(card)}).at("card").at("balance"), balance)
                << "card " << card;
        }
        for (const Terminal& t : all_) EXPECT_EQ(t.sim->state(t.index).at("records_held"), 0) << t.name;
    }

    Sim* tcp_ = nullptr;
    Sim* bus_ = nullptr;
    std::vector<Terminal> faulty_;
    std::vector<Terminal> all_;
    std::map<std::uint32_t, std::int64_t> balances_;
};

// Each way an answer can be spoiled, at probability 1 on tcp-1 and rtu-1: a
// loss pushed meanwhile reaches rtu-2 on the same bus, every terminal cardd
// calls pushed enforces it, the others are failed with a reason, and none is
// confirmed beyond what it enforces; once the fault is gone, all are level.
TEST_P(TerminalFaults, everySpoiledAnswerFailsCleanlyAndEndsLevel) {
    start_terminals();
    const std::vector<std::string> faults{"fault drop 1",        "fault delay 1000",    "fault corrupt 1",
                                          "fault unit 1",        "fault function 1",    "fault short 1",
                                          "fault long 1",        "fault exception 1 1", "fault exception 2 1",
                                          "fault exception 3 1", "fault exception 4 1", "fault exception 6 1",
                                          "fault exception 11 1"};
    std::uint32_t card = 2001;
    issue_cards(card, static_cast<int>(faults.size()));
    for (const std::string& line : faults) {
        SCOPED_TRACE(line);
        tap(faulty_[0], card, 100);
        tap(faulty_[1], card, 50);
        fault(line);
        const json loss = ctl_ok({"card", "loss", std::to_string(card), "--push", "--devices", "all"});
        const std::vector<std::string> pushed = names(loss.at("pushed"));
        EXPECT_NE(std::ranges::find(pushed, "rtu-2"), pushed.end()) << loss.dump();
        for (const Terminal& t : all_) {
            if (std::ranges::find(pushed, t.name) == pushed.end()) continue;
            const Cards list = t.sim->list(t.index);
            EXPECT_NE(std::ranges::find(list, card), list.end()) << t.name << " said to have taken " << card;
        }
        for (const json& failed : loss.at("failed")) EXPECT_FALSE(failed.at("text").get<std::string>().empty());
        EXPECT_EQ(pushed.size() + loss.at("failed").size(), 3u) << loss.dump();
        fault("fault none");
        expect_all_level();
        ++card;
    }
    expect_every_purchase_once();
}

// Faults at random, of every kind at once, while purchases are tapped, losses
// pushed and lifted, records collected and full syncs forced: nothing lost.
TEST_P(TerminalFaults, randomFaultsLoseNoRecordAndNoChange) {
    start_terminals();
    issue_cards(3001, 8);
    fault("fault drop 0.1");
    fault("fault corrupt 0.1");
    fault("fault short 0.05");
    fault("fault function 0.05");
    fault("fault exception 6 0.1");
    fault("fault busy 0.1");
    for (std::uint32_t card = 3001; card <= 3008; ++card) {
        tap(faulty_[card % 2], card, 123);
        tap(all_[2], card, 7);
        cardctl({"card", "loss", std::to_string(card), "--push", "--devices", "all"});
        if (card % 3 == 0) cardctl({"card", "unlock", std::to_string(card - 1), "--push", "--devices", "all"});
        if (card % 4 == 0) {
            // Flash that lost a card: the checksum disagrees, so a full sync follows under the same faults.
            const Cards list = tcp_->list();
            if (!list.empty()) {
                ASSERT_EQ(tcp_->control("forge forget " + std::to_string(list.front())), "ok");
            }
            cardctl({"resync", "--device", "tcp-1"});
        }
        cardctl({"collect"});
    }
    fault("fault none");
    expect_all_level();
    expect_every_purchase_once();
}

// A Modbus exception on each kind of request in turn (every opcode cardd
// sends, the state read and the records read), through a loss, a lifted
// loss, a collection and a full sync: each fails cleanly, then all level.
TEST_P(TerminalFaults, anExceptionOnEachRequestEndsLevel) {
    start_terminals();
    issue_cards(4001, 9);
    std::uint32_t card = 4001;
    for (const std::string on : {"state_read", "record_read", "ADD", "REMOVE", "FULL_BEGIN", "FULL_LIST_CHUNK",
                                 "FULL_COMMIT", "RECORDS_ACK", "SET_CLOCK"}) {
        SCOPED_TRACE(on);
        fault("fault exception 4 1 " + on);
        tap(faulty_[0], card, 10);
        tap(faulty_[1], card, 20);
        cardctl({"card", "loss", std::to_string(card), "--push", "--devices", "all"});
        if (card > 4001) cardctl({"card", "unlock", std::to_string(card - 1), "--push", "--devices", "all"});
        for (const Terminal& t : faulty_) {
            const Cards list = t.sim->list(t.index);
            if (!list.empty()) t.sim->control("forge forget " + std::to_string(list.front()), t.index);
        }
        cardctl({"resync", "--device", "tcp-1,rtu-1"});
        cardctl({"collect"});
        fault("fault none");
        expect_all_level();
        ++card;
    }
    expect_every_purchase_once();
}

// Flash from the future (a version the store never wrote) and flash that
// lost a card at the right version (the checksum disagrees): both get a
// full sync on the next change and end level at the store's version.
TEST_P(TerminalFaults, aVersionFromTheFutureOrAChecksumThatDisagreesGetsAFullSync) {
    start_terminals();
    issue_cards(5001, 3);
    ctl_ok({"card", "loss", "5001", "--push", "--devices", "all"});
    fault("forge version 4000000000");
    const json ahead = ctl_ok({"card", "loss", "5002", "--push", "--devices", "all"});
    EXPECT_EQ(names(ahead.at("pushed")), (std::vector<std::string>{"rtu-1", "rtu-2", "tcp-1"})) << ahead.dump();
    for (const Terminal& t : all_) expect_enforces(*t.sim, t.index, t.name, {5001, 5002});
    EXPECT_LT(tcp_->state().at("version").get<std::int64_t>(), 4000000000);

    fault("forge forget 5001");
    const json disagrees = ctl_ok({"card", "loss", "5003", "--push", "--devices", "all"});
    EXPECT_EQ(names(disagrees.at("pushed")), (std::vector<std::string>{"rtu-1", "rtu-2", "tcp-1"})) << disagrees.dump();
    for (const Terminal& t : all_) expect_enforces(*t.sim, t.index, t.name, {5001, 5002, 5003});
}

// BUSY for a whole minute (a queue at the till): the loss reaches rtu-2 at
// once, tcp-1 and rtu-1 are failed as busy and the retry queue brings them
// level once they are free, without anyone asking; a loss reported while
// they are busy still reaches rtu-2.
TEST_P(TerminalFaults, busyForAMinuteIsRetriedUntilServed) {
    start_terminals();
    issue_cards(6001, 2);
    fault("busy 60000");
    const auto busy_until = std::chrono::steady_clock::now() + 60s;
    const json first = ctl_ok({"card", "loss", "6001", "--push", "--devices", "all"});
    EXPECT_EQ(names(first.at("pushed")), (std::vector<std::string>{"rtu-2"})) << first.dump();
    ASSERT_EQ(names(first.at("failed")), (std::vector<std::string>{"rtu-1", "tcp-1"})) << first.dump();
    for (const json& failed : first.at("failed")) {
        EXPECT_NE(failed.at("text").get<std::string>().find("BUSY"), std::string::npos) << failed;
    }
    std::this_thread::sleep_for(20s);
    const json second = ctl_ok({"card", "loss", "6002", "--push", "--devices", "all"});
    EXPECT_EQ(names(second.at("pushed")), (std::vector<std::string>{"rtu-2"})) << second.dump();
    for (const Terminal& t : faulty_) EXPECT_TRUE(t.sim->list(t.index).empty()) << t.name << " took it while busy";
    std::this_thread::sleep_until(busy_until);
    for (const Terminal& t : faulty_) {
        EXPECT_TRUE(eventually(
            [&] {
                return t.sim->list(t.index) == Cards{6001, 6002};
            },
            20s))
            << t.name << ": " << t.sim->state(t.index).dump();
    }
    EXPECT_TRUE(eventually([&] { return ctl_ok({"failed"}).at("failed").empty(); }, 10s));
    for (const Terminal& t : all_) expect_enforces(*t.sim, t.index, t.name, {6001, 6002});
}

// A terminal that holds two entries: the third loss is CAPACITY, failed with
// the terminal's limit in the reason and nothing written; once a loss is
// lifted the list fits again and the terminal is level.
TEST_P(TerminalFaults, capacityIsReportedAndLevelOnceTheListFits) {
    start_terminals({"--capacity", "2"});
    issue_cards(7001, 3);
    ctl_ok({"card", "loss", "7001", "7002", "--push", "--devices", "all"});
    const json full = ctl_ok({"card", "loss", "7003", "--push", "--devices", "all"});
    EXPECT_TRUE(full.at("pushed").empty()) << full.dump();
    ASSERT_EQ(full.at("failed").size(), 3u) << full.dump();
    for (const json& failed : full.at("failed")) {
        EXPECT_NE(failed.at("text").get<std::string>().find("at most 2 entries"), std::string::npos) << failed;
    }
    for (const Terminal& t : all_) EXPECT_EQ(t.sim->list(t.index), (Cards{7001, 7002})) << t.name;
    ctl_ok({"card", "unlock", "7001", "--push", "--devices", "all"});
    expect_all_level();
    for (const Terminal& t : all_) EXPECT_EQ(t.sim->list(t.index), (Cards{7002, 7003})) << t.name;
}

// Terminals losing power in the middle of a full sync of 200 cards (their
// staging is RAM, their flash keeps the old list): the sync fails, and once
// they are back a resync starts again from the beginning and ends level.
TEST_P(TerminalFaults, aRestartInTheMiddleOfAFullSyncEndsLevel) {
    start_terminals();
    json rows = json::array();
    std::vector<std::string> numbers;
    for (int card = 1; card <= 200; ++card) {
        rows.push_back({{"staff_no", "B" + std::to_string(card)}, {"name", "Batch"}, {"card_no", card}});
        numbers.push_back(std::to_string(card));
    }
    add_sim_encoder();
    ctl_ok({"encoder", "sim-place", "--blank", "--count", "200"});
    const json batch = ask({{"command", "card-issue-batch"}, {"arguments", {{"rows", rows}}}}, 120s);
    ASSERT_EQ(batch.at("result"), 0) << batch.dump().substr(0, 500);
    std::vector<std::string> loss{"card", "loss"};
    loss.insert(loss.end(), numbers.begin(), numbers.end());
    loss.insert(loss.end(), {"--push", "--devices", "all"});
    ctl_ok(loss);
    for (const Terminal& t : all_) expect_enforces(*t.sim, t.index, t.name, desired(t.name));
    // Flash that lost a card: the next resync is a full one, its answers slowed.
    fault("forge forget 100");
    fault("fault delay 200");
    ChildProcess resync({CARDCTL_PATH, "--socket", socket().string(), "--json", "resync", "--device", "tcp-1,rtu-1"},
                        dir_.path() / "resync.err");
    for (const Terminal& t : faulty_) {
        EXPECT_TRUE(eventually(
            [&] {
                const json state = t.sim->state(t.index);
                return !state.at("full_sync").is_null() && state.at("full_sync").at("received").get<int>() > 0;
            },
            20s))
            << t.name << " never seen in a full sync: " << t.sim->state(t.index).dump();
    }
    tcp_->kill();
    bus_->kill();
    EXPECT_NE(resync.wait(60s), 0) << "the resync of two terminals that died says so";
    tcp_->start();
    bus_->start();
    for (const Terminal& t : faulty_) {
        EXPECT_TRUE(t.sim->state(t.index).at("full_sync").is_null()) << t.name;
        EXPECT_EQ(t.sim->list(t.index).size(), 199u) << t.name << " enforces its old list, less the card it lost";
    }
    fault("fault none");
    expect_all_level();
}

// A TCP peer that accepts the connection and never answers (a hung
// gateway): the loss still reaches the others within the push's time, the
// silent one is failed as timed out, and a terminal that later answers on
// its port is brought level by the retry queue.
TEST_P(TerminalFaults, aPeerThatAcceptsAndNeverAnswersIsFailedAndLaterLevel) {
    start_terminals();
    issue_cards(8001, 1);
    const std::uint16_t port = free_port();
    auto silent = std::make_unique<ChildProcess>(
        std::vector<std::string>{cardd::test::find_program("socat"), "-u",
                                 "TCP-LISTEN:" + std::to_string(port) + ",bind=127.0.0.1,reuseaddr,fork",
                                 "OPEN:/dev/null"},
        dir_.path() / "silent.err");
    ASSERT_TRUE(eventually([&] { return !port_is_free(port); }, 5s));
    ctl_ok({"device", "add-terminal", "silent-1", "--tcp", "127.0.0.1:" + std::to_string(port)});
    const json loss = ctl_ok({"card", "loss", "8001", "--push", "--devices", "all"});
    EXPECT_EQ(names(loss.at("pushed")), (std::vector<std::string>{"rtu-1", "rtu-2", "tcp-1"})) << loss.dump();
    ASSERT_EQ(names(loss.at("failed")), (std::vector<std::string>{"silent-1"})) << loss.dump();
    silent.reset();
    Sim& late = tcp_sim_on("late", port);
    EXPECT_TRUE(eventually([&] { return late.list() == Cards{8001}; }, 15s)) << late.state().dump();
    expect_enforces(late, 0, "silent-1", {8001});
}

// On one bus: rtu-2 well, unit 1 dead (never answers), unit 3 answering
// garbage, unit 9 registered but absent. Five losses in a row all reach
// rtu-2, and the dead units cost the bus their timeout and backoff, not a
// retry on every loss: after the first loss, the next four ask them nothing
// until the retry queue is due (a minute here).
TEST_P(TerminalFaults, deadUnitsOnABusDoNotStarveTheLiveOne) {
    restart_cardd({{"retry_initial_s", "60"}, {"retry_cap_s", "120"}});
    bus_ = &rtu_sim("bus", {1, 2, 3}, {}, 'N');
    add_rtu_terminal("rtu-1", 1, 'N');
    add_rtu_terminal("rtu-2", 2, 'N');
    add_rtu_terminal("rtu-3", 3, 'N');
    add_rtu_terminal("rtu-9", 9, 'N');
    ASSERT_EQ(bus_->control("fault drop 1", 0), "ok");
    ASSERT_EQ(bus_->control("fault corrupt 1", 2), "ok");
    issue_cards(9001, 5);
    auto requests = [&](int index) { return bus_->stats().at("terminals")[index].at("requests").get<int>(); };
    int dead = 0, garbage = 0;
    for (std::uint32_t card = 9001; card <= 9005; ++card) {
        const json loss = ctl_ok({"card", "loss", std::to_string(card), "--push", "--devices", "all"});
        EXPECT_EQ(names(loss.at("pushed")), (std::vector<std::string>{"rtu-2"})) << loss.dump();
        EXPECT_EQ(names(loss.at("failed")), (std::vector<std::string>{"rtu-1", "rtu-3", "rtu-9"})) << loss.dump();
        if (card == 9001) {
            dead = requests(0);
            garbage = requests(2);
            EXPECT_GT(dead, 0);
            EXPECT_GT(garbage, 0);
            continue;
        }
        for (const json& failed : loss.at("failed")) {
            EXPECT_NE(failed.at("text").get<std::string>().find("the retry queue asks it again"), std::string::npos)
                << failed;
        }
    }
    EXPECT_EQ(requests(0), dead) << "the dead unit was asked again before its retry was due";
    EXPECT_EQ(requests(2), garbage) << "the garbling unit was asked again before its retry was due";
    expect_enforces(*bus_, 1, "rtu-2", {9001, 9002, 9003, 9004, 9005});
    ASSERT_EQ(bus_->control("fault none", 0), "ok");
    ASSERT_EQ(bus_->control("fault none", 2), "ok");
    ctl_ok({"resync", "--device", "rtu-1,rtu-3"});
    expect_enforces(*bus_, 0, "rtu-1", {9001, 9002, 9003, 9004, 9005});
    expect_enforces(*bus_, 2, "rtu-3", {9001, 9002, 9003, 9004, 9005});
}

INSTANTIATE_TEST_SUITE_P(Backends, TerminalFaults, ::testing::Values(Backend::sqlite), backend_name);

}  // namespace
}  // namespace cardd::e2e
