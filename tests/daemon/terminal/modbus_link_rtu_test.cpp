// The Modbus RTU link end to end: two terminals (two unit ids) on one bus, a
// socat pseudo-terminal pair, one card-termsim process and one SerialBus.

#include "daemon/terminal/modbus_link.hpp"

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/terminal/blacklist_sync.hpp"
#include "daemon/terminal/record_collection.hpp"
#include "daemon/terminal/terminal_client.hpp"
#include "protocol/checksum.hpp"
#include "tests/daemon/terminal/planner.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::daemon::test {
namespace {

using namespace std::chrono_literals;
using Kind = SyncOutcome::Kind;

constexpr LinkOptions fast{.response_timeout = 300ms, .serial_quiet_time = 50ms};

std::vector<std::uint32_t> wire(const std::vector<std::uint32_t>& cards) { return {cards.begin(), cards.end()}; }

class ModbusRtuTest : public ::testing::Test {
protected:
    // One card-termsim serving units 1 and 2 (serials 6100 and 6101) on the terminals' end of the bus.
    void SetUp() override {
        pty_ = std::make_unique<cardd::test::PtyPair>(dir_.path());
        const std::vector<std::string> flags{"--rtu",          terminal_end(),
                                             "--baud",         "19200",
                                             "--parity",       "E",
                                             "--unit",         "1",
                                             "--unit",         "2",
                                             "--serial",       "6100",
                                             "--capacity",     "5000",
                                             "--bitmap-limit", "0",
                                             "--control",      control_path(),
                                             "--seed",         "1"};
        termsim_ = std::make_unique<cardd::test::Termsim>(CARD_TERMSIM_PATH, flags, dir_.path());
    }

    /// The pseudo-terminal the daemon opens; card-termsim has the other one.
    std::string daemon_end() const { return pty_->b(); }
    std::string terminal_end() const { return pty_->a(); }
    std::string control_path() const { return (dir_.path() / "ctl-rtu").string(); }

    /// A control line for the terminal with index `index` (0 for unit 1, 1 for unit 2); its answer.
    std::string control(std::size_t index, const std::string& line) {
        return cardd::test::LineClient(control_path()).ask("@" + std::to_string(index) + " " + line);
    }

    TerminalAddress spec(int unit, int baud = 19200, char parity = 'E') const {
        return {"pos-" + std::to_string(unit), RtuAddress{daemon_end(), baud, parity}, unit};
    }

    std::shared_ptr<TerminalLink> link(int unit) {
        auto made = factory_.link_for(spec(unit));
        if (!made) throw std::runtime_error(made.error().message);
        return *made;
    }

    cardd::test::TempDir dir_;
    std::unique_ptr<cardd::test::PtyPair> pty_;
    std::unique_ptr<cardd::test::Termsim> termsim_;
    LinkFactory factory_{fast};
};

// Two unit ids on one device share one SerialBus, and each answers as itself.
TEST_F(ModbusRtuTest, twoUnitsShareOneBus) {
    auto one = link(1);
    auto two = link(2);
    auto* rtu_one = dynamic_cast<RtuLink*>(one.get());
    auto* rtu_two = dynamic_cast<RtuLink*>(two.get());
    ASSERT_NE(rtu_one, nullptr);
    ASSERT_NE(rtu_two, nullptr);
    EXPECT_EQ(rtu_one->bus(), rtu_two->bus());

    TerminalClient client_one(*one);
    TerminalClient client_two(*two);
    const auto state_one = client_one.read_info();
    const auto state_two = client_two.read_info();
    ASSERT_TRUE(state_one.has_value()) << state_one.error().message;
    ASSERT_TRUE(state_two.has_value()) << state_two.error().message;
    EXPECT_EQ(state_one->state.serial, 6100u);
    EXPECT_EQ(state_two->state.serial, 6101u);
}

// Both terminals, synchronised at the same time from two worker threads, end level with their own sets:
// the bus lock keeps their requests apart.
TEST_F(ModbusRtuTest, bothTerminalsSynchronisedConcurrently) {
    auto one = link(1);
    auto two = link(2);
    Planner plan_one;
    Planner plan_two(5000, 2);
    std::vector<std::uint32_t> many;
    for (std::uint32_t c = 1; c <= 300; ++c) many.push_back(c * 11);
    plan_one.add(many);
    plan_two.add({4, 5, 6});
    plan_two.remove({5});
    SyncOutcome outcome_one;
    SyncOutcome outcome_two;
    std::thread worker_one([&] {
        TerminalClient client(*one);
        outcome_one = synchronise(client, plan_one.plan(protocol::Transport::rtu, 11));
    });
    std::thread worker_two([&] {
        TerminalClient client(*two);
        outcome_two = synchronise(client, plan_two.plan(protocol::Transport::rtu, 22));
    });
    worker_one.join();
    worker_two.join();
    ASSERT_EQ(outcome_one.kind, Kind::level) << outcome_one.reason;
    ASSERT_EQ(outcome_two.kind, Kind::level) << outcome_two.reason;
    EXPECT_EQ(outcome_one.state->serial, 6100u);
    EXPECT_EQ(outcome_two.state->serial, 6101u);
    EXPECT_EQ(outcome_one.state->checksum, protocol::blacklist_checksum(wire(plan_one.desired())));
    EXPECT_EQ(outcome_two.state->checksum, protocol::blacklist_checksum(wire(plan_two.desired())));
}

// A unit id nobody answers to (a terminal that is down) times out, and the bus still serves the others.
TEST_F(ModbusRtuTest, silentUnitTimesOutAndBusRecovers) {
    auto absent = link(3);
    TerminalClient client(*absent);
    Planner planner;
    planner.add({1});
    const auto outcome = synchronise(client, planner.plan(protocol::Transport::rtu));
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_EQ(outcome.error, LinkError::Kind::timeout);
    EXPECT_NE(outcome.reason.find("unit 3"), std::string::npos) << outcome.reason;

    auto two = link(2);
    TerminalClient present(*two);
    EXPECT_TRUE(present.read_info().has_value());
}

// A spoiled frame (bad CRC) is garbage; the bus is flushed and the next request, to either unit, works.
TEST_F(ModbusRtuTest, corruptFrameIsGarbageAndFlushed) {
    ASSERT_EQ(control(0, "fault corrupt 1"), "ok");
    auto one = link(1);
    TerminalClient client_one(*one);
    const auto spoiled = client_one.read_info();
    ASSERT_FALSE(spoiled.has_value());
    EXPECT_EQ(spoiled.error().kind, LinkError::Kind::garbage) << spoiled.error().message;
    auto two = link(2);
    TerminalClient client_two(*two);
    EXPECT_TRUE(client_two.read_info().has_value());
    ASSERT_EQ(control(0, "fault none"), "ok");
    EXPECT_TRUE(client_one.read_info().has_value());
}

// A late answer (delayed past the timeout, within the quiet time after it) is not taken for the answer
// to the next request.
TEST_F(ModbusRtuTest, lateAnswerIsNotMistakenForTheNext) {
    LinkFactory patient{{.response_timeout = 300ms, .serial_quiet_time = 400ms}};
    auto one = patient.link_for(spec(1));
    ASSERT_TRUE(one.has_value());
    TerminalClient client(**one);
    ASSERT_EQ(control(0, "fault delay 450"), "ok");
    const auto late = client.execute(protocol::make_set_clock(0, 1'700'000'000));
    ASSERT_FALSE(late.has_value());
    EXPECT_EQ(late.error().kind, LinkError::Kind::timeout);
    ASSERT_EQ(control(0, "fault none"), "ok");
    const auto next = client.execute(protocol::make_set_clock(0, 1'700'000'001));
    ASSERT_TRUE(next.has_value()) << next.error().message;
    EXPECT_EQ(*next, protocol::Status::ok);
}

// Records tapped at unit 2 are collected from unit 2 only, once each.
TEST_F(ModbusRtuTest, recordsFromOneUnit) {
    for (int i = 0; i < 12; ++i) ASSERT_EQ(control(1, "tap 77 100 900").rfind("ok", 0), 0u);
    auto link_one = link(1);
    auto link_two = link(2);
    TerminalClient one(*link_one);
    TerminalClient two(*link_two);
    const auto none = read_new_records(one, 0);
    ASSERT_TRUE(none.has_value());
    EXPECT_TRUE(none->records.empty());
    const auto got = read_new_records(two, 0);
    ASSERT_TRUE(got.has_value()) << got.error().message;
    EXPECT_EQ(got->serial, 6101u);
    EXPECT_EQ(got->records.size(), 12u);
    ASSERT_TRUE(acknowledge_records(two, got->next_seq).has_value());
    const auto after = read_new_records(two, got->next_seq);
    ASSERT_TRUE(after.has_value());
    EXPECT_TRUE(after->records.empty());
}

// One device has one line speed: a second baud rate or parity is refused; another spelling of the same
// device (a symlink) is the same bus.
TEST_F(ModbusRtuTest, oneDeviceOneBus) {
    auto one = link(1);
    const auto other_baud = factory_.link_for(spec(2, 9600, 'E'));
    ASSERT_FALSE(other_baud.has_value());
    EXPECT_NE(other_baud.error().message.find("already in use at 19200 8E1"), std::string::npos)
        << other_baud.error().message;
    EXPECT_FALSE(factory_.link_for(spec(2, 19200, 'N')).has_value());

    const auto alias = dir_.path() / "alias";
    std::filesystem::create_symlink(daemon_end(), alias);
    auto aliased = factory_.link_for({"pos-2", RtuAddress{alias.string(), 19200, 'E'}, 2});
    ASSERT_TRUE(aliased.has_value());
    EXPECT_EQ(dynamic_cast<RtuLink&>(**aliased).bus(), dynamic_cast<RtuLink&>(*one).bus());
}

// Once every link of a bus is gone the port closes, and the device may be opened at other settings.
TEST_F(ModbusRtuTest, busClosesWithItsLastLink) {
    { auto one = link(1); }
    EXPECT_TRUE(factory_.link_for(spec(1, 9600, 'N')).has_value());
}

// A device that does not exist fails as io when first used, naming the device.
TEST_F(ModbusRtuTest, missingDeviceIsIo) {
    auto made = factory_.link_for({"ghost", RtuAddress{(dir_.path() / "no-such-tty").string(), 19200, 'E'}, 1});
    ASSERT_TRUE(made.has_value());
    TerminalClient client(**made);
    const auto info = client.read_info();
    ASSERT_FALSE(info.has_value());
    EXPECT_EQ(info.error().kind, LinkError::Kind::io);
    EXPECT_NE(info.error().message.find("no-such-tty"), std::string::npos) << info.error().message;
}

}  // namespace
}  // namespace cardd::daemon::test
