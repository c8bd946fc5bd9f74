// The control socket's lines, parsed and run against a station (a terminal
// with its faults and flash), and the flash file format.

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "protocol/command.hpp"
#include "tests/support/temp_dir.hpp"
#include "tools/termsim/atomic_file.hpp"
#include "tools/termsim/control_command.hpp"
#include "tools/termsim/spoil.hpp"
#include "tools/termsim/state_json.hpp"
#include "tools/termsim/station.hpp"

namespace cardd::termsim {
namespace {

namespace p = cardd::protocol;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

// Good lines parse into their requests, @I included.
TEST(ControlLine, goodLinesParse) {
    auto tap = parse_control_line("@3 tap 42 -150 850 7\r");
    ASSERT_TRUE(tap.has_value()) << tap.error();
    EXPECT_EQ(tap->terminal, 3u);
    const auto& t = std::get<TapRequest>(tap->command);
    EXPECT_EQ(t.card, 42u);
    EXPECT_EQ(t.amount_cents, -150);
    EXPECT_EQ(t.balance_after, 850u);
    EXPECT_EQ(t.counter, 7);
    auto fault = parse_control_line("fault corrupt 0.25");
    ASSERT_TRUE(fault.has_value());
    EXPECT_EQ(std::get<FaultRequest>(fault->command).kind, FaultRequest::Kind::corrupt);
    EXPECT_DOUBLE_EQ(std::get<FaultRequest>(fault->command).probability, 0.25);
    auto delay = parse_control_line("  fault   delay 150 ");
    ASSERT_TRUE(delay.has_value());
    EXPECT_EQ(std::get<FaultRequest>(delay->command).delay, 150ms);
    EXPECT_TRUE(parse_control_line("state").has_value());
    EXPECT_TRUE(parse_control_line("list").has_value());
    EXPECT_TRUE(parse_control_line("terminals").has_value());
    EXPECT_TRUE(parse_control_line("fault none").has_value());
    EXPECT_TRUE(parse_control_line("busy 500").has_value());
    auto exception = parse_control_line("fault exception 6 0.5");
    ASSERT_TRUE(exception.has_value()) << exception.error();
    EXPECT_EQ(std::get<FaultRequest>(exception->command).exception_code, 6);
    EXPECT_EQ(std::get<FaultRequest>(exception->command).kind, FaultRequest::Kind::exception);
    auto shorter = parse_control_line("fault short 1");
    ASSERT_TRUE(shorter.has_value());
    EXPECT_EQ(std::get<FaultRequest>(shorter->command).kind, FaultRequest::Kind::short_frame);
    auto forge = parse_control_line("@2 forge version 4000000000");
    ASSERT_TRUE(forge.has_value()) << forge.error();
    EXPECT_EQ(std::get<ForgeRequest>(forge->command).value, 4000000000u);
}

// Bad lines are errors with a reason, never a guess.
TEST(ControlLine, badLinesAreErrors) {
    for (const char* line : {"",
                             "   ",
                             "tap",
                             "tap 0 1 1",
                             "tap 1 1",
                             "tap x 1 1",
                             "tap 1 1 -1",
                             "tap 1 1 1 70000",
                             "tap 4294967296 1 1",
                             "fault",
                             "fault drop",
                             "fault drop 1.5",
                             "fault drop -0.1",
                             "fault drop x",
                             "fault delay -5",
                             "fault melt 1",
                             "fault none 1",
                             "fault exception 4",
                             "fault exception 0 1",
                             "fault exception 256 1",
                             "fault exception 4 1 MELT",
                             "fault exception 4 1 ADD x",
                             "fault short 2",
                             "forge",
                             "forge version",
                             "forge version -1",
                             "forge melt 1",
                             "state 1",
                             "list x",
                             "@x state",
                             "@1 terminals",
                             "busy",
                             "frobnicate"}) {
        const auto parsed = parse_control_line(line);
        EXPECT_FALSE(parsed.has_value()) << "'" << line << "' parsed";
        if (!parsed) {
            EXPECT_FALSE(parsed.error().empty());
        }
    }
}

class StationTest : public ::testing::Test {
protected:
    static TerminalConfig config() {
        TerminalConfig c;
        c.serial = 11;
        c.capacity = 50;
        return c;
    }
    std::string control(const std::string& line) {
        auto request = parse_control_line(line);
        EXPECT_TRUE(request.has_value()) << line;
        return station.control(*request);
    }
    Bytes add_pdu(std::uint32_t base, std::uint32_t next, std::vector<std::uint32_t> cards) {
        const auto regs = p::encode_command(p::make_add(1, base, next, cards));
        Bytes pdu{
            0x10, 0x01, 0x00, 0x00, static_cast<std::uint8_t>(regs.size()), static_cast<std::uint8_t>(2 * regs.size())};
        for (const auto r : regs) {
            pdu.push_back(static_cast<std::uint8_t>(r >> 8));
            pdu.push_back(static_cast<std::uint8_t>(r & 0xFF));
        }
        return pdu;
    }

    std::vector<PersistentState> saved;
    Station station{config(), [this](const PersistentState& s) { saved.push_back(s); }, 1};
};

// Tap answers the record's kind and seq, and is saved before the answer.
TEST_F(StationTest, tapAnswersKindAndSeqAndSaves) {
    EXPECT_EQ(control("tap 5 100 900"), "ok purchase seq=1");
    EXPECT_EQ(control("tap 5 -100 1000"), "ok refund seq=2");
    ASSERT_EQ(saved.size(), 2u);
    EXPECT_EQ(saved.back().next, 3u);
    station.handle(add_pdu(0, 1, {5}));
    EXPECT_EQ(control("tap 5 100 1000"), "ok refused seq=3");
    EXPECT_EQ(control("list"), "[5]");
}

// A request that changes flash is saved before handle() returns; a read is not.
TEST_F(StationTest, handleSavesFlashChangesOnly) {
    station.handle(Bytes{0x03, 0x00, 0x00, 0x00, 0x02});
    EXPECT_TRUE(saved.empty());
    const Answer answer = station.handle(add_pdu(0, 1, {5, 6}));
    EXPECT_EQ(answer.pdu, (Bytes{0x10, 0x01, 0x00, 0x00, 0x0A}));  // 7 header + 3 payload registers
    ASSERT_EQ(saved.size(), 1u);
    EXPECT_EQ(saved[0].blacklist, (std::vector<std::uint32_t>{5, 6}));
    EXPECT_EQ(saved[0].version, 1u);
}

// Faults at probability 1 always fire; "fault none" clears them all.
TEST_F(StationTest, faultsFireAndClear) {
    EXPECT_EQ(control("fault drop 1"), "ok");
    EXPECT_TRUE(station.handle(Bytes{0x03, 0x00, 0x00, 0x00, 0x01}).drop);
    EXPECT_EQ(control("fault drop 0"), "ok");
    EXPECT_EQ(control("fault corrupt 1"), "ok");
    EXPECT_EQ(control("fault delay 70"), "ok");
    Answer answer = station.handle(Bytes{0x03, 0x00, 0x00, 0x00, 0x01});
    EXPECT_EQ(answer.spoil, Spoil::checksum);
    EXPECT_EQ(answer.delay, 70ms);
    EXPECT_EQ(control("fault busy 1"), "ok");
    station.handle(add_pdu(0, 1, {5}));
    EXPECT_EQ(station.terminal().state().last_status, p::Status::busy);
    EXPECT_EQ(control("fault none"), "ok");
    answer = station.handle(add_pdu(0, 1, {5}));
    EXPECT_FALSE(answer.drop);
    EXPECT_EQ(answer.spoil, Spoil::none);
    EXPECT_EQ(answer.delay, 0ms);
    EXPECT_EQ(station.terminal().state().last_status, p::Status::ok);
}

// Each frame fault spoils the answer its own way; the request itself ran.
TEST_F(StationTest, frameFaultsSpoilTheAnswerNotTheRequest) {
    const std::pair<const char*, Spoil> faults[] = {{"unit", Spoil::unit},
                                                    {"function", Spoil::function},
                                                    {"short", Spoil::short_frame},
                                                    {"long", Spoil::long_frame}};
    std::uint32_t version = 0;
    for (const auto& [name, spoil] : faults) {
        EXPECT_EQ(control(std::string("fault ") + name + " 1"), "ok");
        EXPECT_EQ(station.handle(add_pdu(version, version + 1, {5 + version})).spoil, spoil) << name;
        ++version;
        EXPECT_EQ(station.terminal().state().blacklist_version, version) << name;
        EXPECT_EQ(control(std::string("fault ") + name + " 0"), "ok");
    }
    EXPECT_EQ(station.handle(Bytes{0x03, 0x00, 0x00, 0x00, 0x01}).spoil, Spoil::none);
}

// The spoiled frame's content: another unit, another function code, a PDU
// shorter or longer than the answer it stands for.
TEST(SpoilAnswer, eachKindChangesWhatItSays) {
    const Bytes read_answer{0x03, 0x02, 0x43, 0x54};
    auto spoiled = [&](Spoil spoil, std::uint8_t unit) {
        Bytes pdu = read_answer;
        spoil_answer(spoil, unit, pdu);
        return std::pair{unit, pdu};
    };
    EXPECT_EQ(spoiled(Spoil::unit, 7).first, 8);
    EXPECT_EQ(spoiled(Spoil::unit, 247).first, 1);
    EXPECT_EQ(spoiled(Spoil::unit, 7).second, read_answer);
    EXPECT_EQ(spoiled(Spoil::function, 7).second, (Bytes{0x04, 0x02, 0x43, 0x54}));
    EXPECT_EQ(spoiled(Spoil::short_frame, 7).second, (Bytes{0x03, 0x02}));
    EXPECT_EQ(spoiled(Spoil::long_frame, 7).second.size(), read_answer.size() + 4);
    EXPECT_EQ(spoiled(Spoil::checksum, 7), (std::pair{std::uint8_t{7}, read_answer}));
    EXPECT_EQ(spoiled(Spoil::none, 7), (std::pair{std::uint8_t{7}, read_answer}));
}

// An exception fault answers the code for any function and runs nothing.
TEST_F(StationTest, exceptionFaultAnswersTheCodeAndRunsNothing) {
    EXPECT_EQ(control("fault exception 4 1"), "ok");
    EXPECT_EQ(station.handle(add_pdu(0, 1, {5})).pdu, (Bytes{0x90, 0x04}));
    EXPECT_EQ(station.handle(Bytes{0x03, 0x00, 0x00, 0x00, 0x01}).pdu, (Bytes{0x83, 0x04}));
    EXPECT_EQ(station.terminal().state().blacklist_version, 0u);
    EXPECT_EQ(control("fault none"), "ok");
    EXPECT_EQ(station.handle(add_pdu(0, 1, {5})).pdu[0], 0x10);
    EXPECT_EQ(station.terminal().state().blacklist_version, 1u);
    // Aimed at one opcode, it spares the rest.
    EXPECT_EQ(control("fault exception 6 1 REMOVE"), "ok");
    EXPECT_EQ(station.handle(add_pdu(1, 2, {6})).pdu[0], 0x10);
    EXPECT_EQ(station.handle(Bytes{0x03, 0x00, 0x00, 0x00, 0x01}).pdu[0], 0x03);
    EXPECT_EQ(control("fault exception 6 1 state_read"), "ok");
    EXPECT_EQ(station.handle(Bytes{0x03, 0x00, 0x00, 0x00, 0x01}).pdu, (Bytes{0x83, 0x06}));
    EXPECT_EQ(station.handle(add_pdu(2, 3, {7})).pdu[0], 0x10);
    EXPECT_EQ(station.terminal().state().blacklist_version, 3u);
}

// forge changes flash as a bug would: the version alone, or a card dropped
// with the version kept (so the checksum no longer matches the centre's).
TEST_F(StationTest, forgeChangesFlashBehindTheCentresBack) {
    station.handle(add_pdu(0, 1, {5, 6}));
    EXPECT_EQ(control("forge forget 6"), "ok");
    EXPECT_EQ(station.terminal().blacklist().cards(), (std::vector<std::uint32_t>{5}));
    EXPECT_EQ(station.terminal().state().blacklist_version, 1u);
    EXPECT_EQ(control("forge version 900"), "ok");
    EXPECT_EQ(station.terminal().state().blacklist_version, 900u);
    EXPECT_EQ(control("forge forget 6"), "error card 6 is not on the list");
    EXPECT_EQ(saved.back().version, 900u);
    EXPECT_EQ(saved.back().blacklist, (std::vector<std::uint32_t>{5}));
}

// "busy MS" answers BUSY until the time is up, like a card being served.
TEST_F(StationTest, busyForAWhileAnswersBusy) {
    EXPECT_EQ(control("busy 60000"), "ok");
    station.handle(add_pdu(0, 1, {5}));
    EXPECT_EQ(station.terminal().state().last_status, p::Status::busy);
    EXPECT_EQ(control("busy 0"), "ok");
    station.handle(add_pdu(0, 1, {5}));
    EXPECT_EQ(station.terminal().state().last_status, p::Status::ok);
}

// The state line is one JSON object with the fields tests and people read.
TEST_F(StationTest, stateIsOneJsonObject) {
    control("tap 9 10 90");
    station.set_endpoint(1502, std::nullopt);
    const auto doc = nlohmann::json::parse(control("state"));
    EXPECT_EQ(doc.at("serial"), 11);
    EXPECT_EQ(doc.at("version"), 0);
    EXPECT_EQ(doc.at("count"), 0);
    EXPECT_EQ(doc.at("checksum"), 0);
    EXPECT_EQ(doc.at("capacity"), 50);
    EXPECT_EQ(doc.at("records"), 1);
    EXPECT_EQ(doc.at("records_held"), 1);
    EXPECT_EQ(doc.at("list_size"), 0);
    EXPECT_EQ(doc.at("oldest"), 1);
    EXPECT_EQ(doc.at("next"), 2);
    EXPECT_EQ(doc.at("port"), 1502);
    EXPECT_TRUE(doc.at("full_sync").is_null());
}

// A state file reads back into the same flash contents.
TEST(StateJson, roundTrips) {
    PersistentState state;
    state.serial = 9;
    state.version = 42;
    state.blacklist = {1, 5, 0xFFFFFF};
    state.oldest = 3;
    state.next = 5;
    state.records = {p::TransactionRecord{3, 8, -20, 100, 1700000000, 4, p::RecordKind::refund},
                     p::TransactionRecord{4, 5, 0, 90, 1700000001, 1, p::RecordKind::refused}};
    state.clock_offset = -3600;
    state.last_commit = CommittedSession{7, 0xDEADBEEF};
    state.card_counters = {{8, 5}, {5, 65535}};
    const auto back = state_from_json(state_to_json(state));
    ASSERT_TRUE(back.has_value()) << back.error();
    EXPECT_EQ(back->serial, 9u);
    EXPECT_EQ(back->version, 42u);
    EXPECT_EQ(back->blacklist, state.blacklist);
    EXPECT_EQ(back->records, state.records);
    EXPECT_EQ(back->clock_offset, -3600);
    EXPECT_EQ(back->last_commit, state.last_commit);
    EXPECT_EQ(back->card_counters, state.card_counters);
}

// Truncated or foreign files are refused with a reason.
TEST(StateJson, brokenFilesAreRefused) {
    const std::string good = state_to_json(PersistentState{});
    EXPECT_FALSE(state_from_json(good.substr(0, good.size() / 2)).has_value());
    EXPECT_FALSE(state_from_json("{}").has_value());
    EXPECT_FALSE(state_from_json(R"({"format":"other"})").has_value());
    EXPECT_FALSE(state_from_json("").has_value());
}

// The atomic write replaces the file whole and leaves no temporary behind.
TEST(AtomicFile, replacesWholeFile) {
    cardd::test::TempDir dir;
    const auto path = dir.path() / "state.json";
    EXPECT_FALSE(read_file_if_exists(path).has_value());
    write_file_atomically(path, "first, longer contents");
    write_file_atomically(path, "second");
    EXPECT_EQ(read_file_if_exists(path), "second");
    EXPECT_FALSE(std::filesystem::exists(path.string() + ".tmp"));
    EXPECT_THROW(write_file_atomically(dir.path() / "missing" / "x.json", "x"), std::system_error);
}

}  // namespace
}  // namespace cardd::termsim
