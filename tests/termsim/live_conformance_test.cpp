// Every register rule, opcode, status and exception of CT-1 against a
// running card-termsim, with libmodbus as the master, over Modbus TCP and
// over RTU on a socat pseudo-terminal pair (each test runs on both).

#include <chrono>
#include <cstdint>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "protocol/bitmap.hpp"
#include "protocol/checksum.hpp"
#include "protocol/record.hpp"
#include "protocol/state_block.hpp"
#include "protocol/wire_cost.hpp"
#include "protocol/words.hpp"
#include "tests/termsim/live_fixture.hpp"

namespace cardd::termsim::test {
namespace {

namespace p = cardd::protocol;
using p::Status;
using p::SyncFormat;
using Cards = std::vector<std::uint32_t>;
using StatusTag = std::pair<Status, std::uint16_t>;

// The state block and model name read as CT-1 lays them out.
TEST_P(LiveTerminal, stateBlockAndModelNameRead) {
    const auto regs = client_->read(0x0000, 40);
    ASSERT_TRUE(regs.has_value()) << modbus_strerror(regs.error());
    const auto state = p::decode_state_block(*regs);
    ASSERT_TRUE(state.has_value()) << state.error().message;
    EXPECT_EQ(state->serial, 7u);
    EXPECT_EQ(state->list_capacity, 100u);
    EXPECT_EQ(state->bitmap_limit, 500000u);
    EXPECT_TRUE(state->supports_bitmap());
    EXPECT_EQ(state->blacklist_version, 0u);
    EXPECT_EQ(p::decode_model_name(std::span(*regs).subspan(0x20)).value(), "CT-SIM");
}

// ADD and REMOVE answer OK, OK_ALREADY, VERSION_MISMATCH, CAPACITY, BAD_ARGUMENT.
TEST_P(LiveTerminal, addAndRemoveAnswerEveryStatus) {
    EXPECT_EQ(client_->command(p::make_add(11, 0, 1, Cards{5, 6})), (StatusTag{Status::ok, 11}));
    EXPECT_EQ(client_->command(p::make_add(12, 0, 1, Cards{5, 6})), (StatusTag{Status::ok_already, 12}));
    EXPECT_EQ(client_->command(p::make_add(13, 4, 5, Cards{7})), (StatusTag{Status::version_mismatch, 13}));
    EXPECT_EQ(client_->command(p::make_add(14, 1, 2, Cards{0})), (StatusTag{Status::bad_argument, 14}));
    EXPECT_EQ(client_->command(p::make_add(15, 1, 1, Cards{8})), (StatusTag{Status::bad_argument, 15}));
    EXPECT_EQ(client_->command(p::make_add(16, 1, 2, Cards{500001})), (StatusTag{Status::bad_argument, 16}));
    Cards many(76);
    std::iota(many.begin(), many.end(), 1000u);
    EXPECT_EQ(client_->command(p::make_add(17, 1, 2, many)), (StatusTag{Status::ok, 17}));
    std::iota(many.begin(), many.end(), 2000u);
    many.resize(23);  // 78 + 23 = 101 > 100
    EXPECT_EQ(client_->command(p::make_add(18, 2, 3, many)), (StatusTag{Status::capacity, 18}));
    EXPECT_EQ(client_->command(p::make_remove(19, 2, 3, Cards{5, 999})), (StatusTag{Status::ok, 19}));
    EXPECT_EQ(client_->command_with_0x10(p::make_remove(20, 2, 3, Cards{5})), Status::ok_already);
    const auto state = p::decode_state_block(client_->read(0x0000, 32).value()).value();
    EXPECT_EQ(state.blacklist_version, 3u);
    EXPECT_EQ(state.blacklist_count, 77u);
    EXPECT_EQ(nlohmann::json::parse(control_->ask("list")).size(), 77u);
    Cards expected{6};
    for (std::uint32_t c = 1000; c < 1076; ++c) expected.push_back(c);
    EXPECT_EQ(state.checksum, p::blacklist_checksum(expected));
}

// 77 entries fill a 0x10 command, the longest write Modbus allows.
TEST_P(LiveTerminal, largestCommandsPass) {
    Cards cards(77);
    std::iota(cards.begin(), cards.end(), 1u);
    EXPECT_EQ(client_->command_with_0x10(p::make_add(1, 0, 1, cards)), Status::ok);
    EXPECT_EQ(p::decode_state_block(client_->read(0, 32).value())->blacklist_count, 77u);
}

// A list full sync: every status FULL_* can answer, and the switch at commit.
TEST_P(LiveTerminal, listFullSyncAnswersEveryStatus) {
    ASSERT_EQ(client_->command(p::make_add(1, 0, 1, Cards{9})).value().first, Status::ok);
    EXPECT_EQ(client_->command(p::make_full_list_chunk(2, 44, 0, Cards{1})).value().first, Status::no_session);
    EXPECT_EQ(client_->command(p::make_full_begin(3, 0, 20, SyncFormat::list, 3)).value().first, Status::bad_argument);
    EXPECT_EQ(client_->command(p::make_full_begin(3, 44, 20, SyncFormat::list, 101)).value().first, Status::capacity);
    ASSERT_EQ(client_->command(p::make_full_begin(3, 44, 20, SyncFormat::list, 3)).value().first, Status::ok);
    EXPECT_EQ(client_->read(0x0016, 3).value(), (Regs{1, 0, 0}));  // receiving, nothing yet
    EXPECT_EQ(client_->command(p::make_full_list_chunk(4, 44, 0, Cards{30, 10})).value().first, Status::ok);
    EXPECT_EQ(client_->command(p::make_full_list_chunk(4, 44, 0, Cards{30, 10})).value().first, Status::ok_already);
    EXPECT_EQ(client_->command(p::make_full_list_chunk(4, 44, 3, Cards{20})).value().first, Status::sequence);
    EXPECT_EQ(client_->command(p::make_full_list_chunk(4, 45, 2, Cards{20})).value().first, Status::no_session);
    EXPECT_EQ(client_->read(0x0016, 3).value(), (Regs{1, 0, 2}));
    EXPECT_EQ(client_->command(p::make_full_commit(5, 44, p::list_crc(Cards{30, 10}))).value().first,
              Status::incomplete);
    EXPECT_EQ(client_->read(0x0016, 1).value(), (Regs{0}));
    ASSERT_EQ(client_->command(p::make_full_begin(3, 44, 20, SyncFormat::list, 3)).value().first, Status::ok);
    ASSERT_EQ(client_->command(p::make_full_list_chunk(4, 44, 0, Cards{30, 10, 20})).value().first, Status::ok);
    EXPECT_EQ(client_->command(p::make_full_commit(5, 44, 1234)).value().first, Status::crc_mismatch);
    ASSERT_EQ(client_->command(p::make_full_begin(3, 44, 20, SyncFormat::list, 3)).value().first, Status::ok);
    ASSERT_EQ(client_->command(p::make_full_list_chunk(4, 44, 0, Cards{30, 10, 20})).value().first, Status::ok);
    EXPECT_EQ(nlohmann::json::parse(control_->ask("list")), nlohmann::json({9}));  // old list until commit
    const std::uint32_t crc = p::list_crc(Cards{30, 10, 20});
    EXPECT_EQ(client_->command(p::make_full_commit(5, 44, crc)), (StatusTag{Status::ok, 5}));
    EXPECT_EQ(client_->command(p::make_full_commit(6, 44, crc)), (StatusTag{Status::ok_already, 6}));
    EXPECT_EQ(client_->command(p::make_full_commit(7, 44, crc ^ 1)).value().first, Status::no_session);
    const auto state = p::decode_state_block(client_->read(0, 32).value()).value();
    EXPECT_EQ(state.blacklist_version, 20u);
    EXPECT_EQ(state.checksum, p::blacklist_checksum(Cards{10, 20, 30}));
    EXPECT_EQ(state.full_sync_state, p::FullSyncState::idle);
}

// A bitmap full sync in 0x17-sized chunks (228 bytes), then FULL_ABORT of a second one.
TEST_P(LiveTerminal, bitmapFullSyncAndAbort) {
    const Cards cards{3, 8, 4000, 499999};
    const auto bitmap = p::build_bitmap(cards);
    ASSERT_EQ(
        client_->command(p::make_full_begin(1, 9, 2, SyncFormat::bitmap, static_cast<std::uint32_t>(bitmap.size())))
            .value()
            .first,
        Status::ok);
    for (std::size_t offset = 0; offset < bitmap.size(); offset += 228) {
        const std::size_t n = std::min<std::size_t>(228, bitmap.size() - offset);
        ASSERT_EQ(client_
                      ->command(p::make_full_bitmap_chunk(2, 9, static_cast<std::uint32_t>(offset),
                                                          std::span(bitmap).subspan(offset, n)))
                      .value()
                      .first,
                  Status::ok);
    }
    EXPECT_EQ(client_->command(p::make_full_commit(3, 9, p::bitmap_crc(bitmap))).value().first, Status::ok);
    EXPECT_EQ(nlohmann::json::parse(control_->ask("list")), nlohmann::json(cards));
    ASSERT_EQ(client_->command(p::make_full_begin(4, 10, 3, SyncFormat::bitmap, 10)).value().first, Status::ok);
    EXPECT_EQ(client_->command(p::make_full_bitmap_chunk(5, 10, 0, std::vector<std::uint8_t>{0x80})).value().first,
              Status::bad_argument);  // card 0
    EXPECT_EQ(client_->command(p::make_full_abort(6, 10)), (StatusTag{Status::ok, 6}));
    EXPECT_EQ(client_->command(p::make_full_commit(7, 10, 0)).value().first, Status::no_session);
    EXPECT_EQ(p::decode_state_block(client_->read(0, 32).value())->blacklist_version, 2u);
}

// Records: taps through the control socket, read with one 0x17, dropped by RECORDS_ACK.
TEST_P(LiveTerminal, recordsReadAndAcknowledged) {
    ASSERT_EQ(client_->command(p::make_add(1, 0, 1, Cards{66})).value().first, Status::ok);
    EXPECT_EQ(control_->ask("tap 12 350 650 4"), "ok purchase seq=1");
    EXPECT_EQ(control_->ask("tap 12 -350 1000 5"), "ok refund seq=2");
    EXPECT_EQ(control_->ask("tap 66 200 900 1"), "ok refused seq=3");
    for (int i = 0; i < 9; ++i) ASSERT_EQ(control_->ask("tap 13 1 1"), "ok purchase seq=" + std::to_string(4 + i));
    const auto first = client_->write_read(0x0200, Regs{0, 1}, 0x0202, 121);
    ASSERT_TRUE(first.has_value());
    const auto records = p::decode_records_window(*first).value();
    ASSERT_EQ(records.size(), 10u);
    EXPECT_EQ(records[0].card_no, 12u);
    EXPECT_EQ(records[0].amount_cents, 350);
    EXPECT_EQ(records[0].balance_after, 650u);
    EXPECT_EQ(records[0].counter, 4);
    EXPECT_EQ(records[1].kind, p::RecordKind::refund);
    EXPECT_EQ(records[2].kind, p::RecordKind::refused);
    EXPECT_EQ(records[2].amount_cents, 0);
    const auto rest = p::decode_records_window(client_->write_read(0x0200, Regs{0, 11}, 0x0202, 121).value()).value();
    ASSERT_EQ(rest.size(), 2u);
    EXPECT_EQ(rest.back().seq, 12u);
    EXPECT_EQ(client_->command(p::make_records_ack(8, 11)), (StatusTag{Status::ok, 8}));
    EXPECT_EQ(client_->read(0x0010, 4).value(), (Regs{0, 11, 0, 13}));
    EXPECT_EQ(client_->write_read(0x0200, Regs{0, 1}, 0x0202, 1).value(), (Regs{0}));  // acknowledged: gone
    EXPECT_EQ(client_->command(p::make_records_ack(9, 99)).value().first, Status::ok);
    EXPECT_EQ(client_->read(0x0010, 4).value(), (Regs{0, 13, 0, 13}));
}

// SET_CLOCK moves the clock register, which keeps running.
TEST_P(LiveTerminal, setClockMovesClockRegister) {
    EXPECT_EQ(client_->command(p::make_set_clock(2, 1'500'000'000)).value().first, Status::ok);
    const std::uint32_t clock = p::read_u32(client_->read(0x0014, 2).value(), 0);
    EXPECT_GE(clock, 1'500'000'000u);
    EXPECT_LE(clock, 1'500'000'002u);
}

// Unknown opcodes are UNKNOWN_OPCODE; a busy terminal (fault busy, busy MS) answers BUSY.
TEST_P(LiveTerminal, unknownOpcodeAndBusy) {
    EXPECT_EQ(client_->command(p::Command{static_cast<p::Opcode>(0x0030), 0x55, 0, 0, 0, {}}),
              (StatusTag{Status::unknown_opcode, 0x55}));
    ASSERT_EQ(control_->ask("fault busy 1"), "ok");
    EXPECT_EQ(client_->command(p::make_add(3, 0, 1, Cards{5})), (StatusTag{Status::busy, 3}));
    ASSERT_EQ(control_->ask("fault none"), "ok");
    ASSERT_EQ(control_->ask("busy 60000"), "ok");
    EXPECT_EQ(client_->command(p::make_add(4, 0, 1, Cards{5})), (StatusTag{Status::busy, 4}));
    ASSERT_EQ(control_->ask("fault none"), "ok");
    EXPECT_EQ(client_->command(p::make_add(5, 0, 1, Cards{5})), (StatusTag{Status::ok, 5}));
}

// Exception 0x01: every function but 0x03, 0x10, 0x17 (0x41 has no length RTU framing knows).
TEST_P(LiveTerminal, otherFunctionsAreIllegalFunction) {
    EXPECT_EQ(client_->raw(Bytes{0x04, 0x00, 0x00, 0x00, 0x01}), (Bytes{0x84, 0x01}));
    EXPECT_EQ(client_->raw(Bytes{0x06, 0x02, 0x00, 0x00, 0x01}), (Bytes{0x86, 0x01}));
    EXPECT_EQ(client_->raw(Bytes{0x41, 0x01, 0x02}), (Bytes{0xC1, 0x01}));
    Regs out(1);
    EXPECT_EQ(modbus_write_register(client_->get(), 0x0200, 1), -1);
    EXPECT_EQ(errno, exception_errno(MODBUS_EXCEPTION_ILLEGAL_FUNCTION));
    EXPECT_EQ(modbus_read_input_registers(client_->get(), 0, 1, out.data()), -1);
    EXPECT_EQ(errno, exception_errno(MODBUS_EXCEPTION_ILLEGAL_FUNCTION));
}

// Exception 0x02: outside the blocks, read-only registers, a write mid-mailbox.
TEST_P(LiveTerminal, badAddressesAreIllegalDataAddress) {
    const int illegal_address = exception_errno(MODBUS_EXCEPTION_ILLEGAL_DATA_ADDRESS);
    EXPECT_EQ(client_->read(0x0028, 1).error(), illegal_address);
    EXPECT_EQ(client_->read(0x0000, 41).error(), illegal_address);
    EXPECT_EQ(client_->read(0x0270, 12).error(), illegal_address);
    EXPECT_EQ(client_->write(0x0006, Regs{0, 5}).error(), illegal_address);
    EXPECT_EQ(client_->write(0x0202, Regs{1}).error(), illegal_address);
    EXPECT_EQ(client_->write(0x0101, Regs(7, 0)).error(), illegal_address);
    EXPECT_EQ(client_->write_read(0x0100, p::encode_command(p::make_add(1, 0, 1, Cards{5})), 0x0300, 1).error(),
              illegal_address);
    EXPECT_EQ(p::decode_state_block(client_->read(0, 32).value())->blacklist_version, 0u);  // nothing ran
    EXPECT_TRUE(client_->read(0x0100, 123).has_value());
}

// Exception 0x03: a short mailbox write, and quantities or byte counts Modbus forbids.
TEST_P(LiveTerminal, badQuantitiesAreIllegalDataValue) {
    const int illegal_value = exception_errno(MODBUS_EXCEPTION_ILLEGAL_DATA_VALUE);
    EXPECT_EQ(client_->write(0x0100, Regs{1, 2, 3, 4, 5, 6}).error(), illegal_value);
    EXPECT_EQ(client_->raw(Bytes{0x03, 0x00, 0x00, 0x00, 0x7E}), (Bytes{0x83, 0x03}));
    EXPECT_EQ(client_->raw(Bytes{0x03, 0x00, 0x00, 0x00, 0x00}), (Bytes{0x83, 0x03}));
    EXPECT_EQ(client_->raw(Bytes{0x10, 0x02, 0x00, 0x00, 0x02, 0x02, 0x00, 0x01}), (Bytes{0x90, 0x03}));
    EXPECT_EQ(client_->raw(Bytes{0x17, 0x00, 0x0E, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00, 0x00}),
              (Bytes{0x97, 0x03}));  // write quantity 0
    EXPECT_EQ(client_->raw(Bytes{0x17, 0x00, 0x00, 0x00, 0x7E, 0x02, 0x00, 0x00, 0x01, 0x02, 0x00, 0x05}),
              (Bytes{0x97, 0x03}));  // read quantity 126
    EXPECT_EQ(p::decode_state_block(client_->read(0, 32).value())->last_tag, 0);
}

// fault drop: the request runs but no answer comes; fault none brings answers back.
TEST_P(LiveTerminal, droppedAnswerTimesOutButRequestRuns) {
    client_->set_timeout(300ms);
    ASSERT_EQ(control_->ask("fault drop 1"), "ok");
    const auto lost = client_->command(p::make_add(1, 0, 1, Cards{5}));
    ASSERT_FALSE(lost.has_value());
    EXPECT_EQ(lost.error(), ETIMEDOUT);
    EXPECT_EQ(nlohmann::json::parse(control_->ask("state")).at("version"), 1);
    ASSERT_EQ(control_->ask("fault none"), "ok");
    modbus_flush(client_->get());
    EXPECT_EQ(client_->command(p::make_add(1, 0, 1, Cards{5})).value().first, Status::ok_already);
}

// fault corrupt: the client sees a bad frame (RTU: CRC; TCP: ids); fault none restores.
TEST_P(LiveTerminal, corruptedAnswerIsFrameError) {
    ASSERT_EQ(control_->ask("fault corrupt 1"), "ok");
    const auto bad = client_->read(0x0000, 2);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), corrupt_errno()) << modbus_strerror(bad.error());
    ASSERT_EQ(control_->ask("fault none"), "ok");
    modbus_flush(client_->get());
    EXPECT_EQ(client_->read(0x0000, 2).value(), (Regs{0x4354, 1}));
}

// fault delay: the answer comes, late by the delay.
TEST_P(LiveTerminal, delayedAnswerArrivesLate) {
    ASSERT_EQ(control_->ask("fault delay 250"), "ok");
    const auto start = std::chrono::steady_clock::now();
    EXPECT_TRUE(client_->read(0x0000, 2).has_value());
    EXPECT_GE(std::chrono::steady_clock::now() - start, 250ms);
}

// "stats" counts each request served, by function and by what it asked, with
// the bytes of whole frames as wire_cost.hpp counts them; a dropped answer
// is a request served with no bytes out.
TEST_P(LiveTerminal, statsCountRequestsAndFrameBytes) {
    const auto before = std::chrono::system_clock::now();
    const p::Transport transport = GetParam() == Transport::rtu ? p::Transport::rtu : p::Transport::tcp;
    const std::uint64_t framing = transport == p::Transport::rtu ? 3 : 7;  // address and CRC, or the MBAP header
    ASSERT_TRUE(client_->read(0x0000, 40).has_value());
    ASSERT_EQ(client_->command(p::make_add(1, 0, 1, Cards{5, 6})).value().first, Status::ok);
    ASSERT_TRUE(client_->write_read(0x0200, Regs{0, 1}, 0x0202, 1).has_value());
    EXPECT_EQ(client_->raw(Bytes{0x04, 0x00, 0x00, 0x00, 0x01}).value(), (Bytes{0x84, 0x01}));  // illegal function
    // 0x03: 5 bytes of PDU out, 2 + 80 back. ADD of 2 cards: 7 + 3 registers.
    const p::WireCost add = p::command_cost(10, transport, p::WriteFunction::read_write_multiple);
    const std::uint64_t in = (framing + 5) + add.request_bytes + (framing + 14) + (framing + 5);
    const std::uint64_t out = (framing + 82) + add.response_bytes + (framing + 4) + (framing + 2);

    const auto stats = nlohmann::json::parse(control_->ask("stats"));
    const double after = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    EXPECT_EQ(stats.at("requests"), 4);
    EXPECT_EQ(stats.at("bytes_in"), in);
    EXPECT_EQ(stats.at("bytes_out"), out);
    EXPECT_EQ(stats.at("by_function"), nlohmann::json({{"0x03", 1}, {"0x04", 1}, {"0x17", 2}}));
    EXPECT_EQ(stats.at("by_kind"),
              nlohmann::json({{"state_read", 1}, {"command", 1}, {"record_read", 1}, {"other", 1}}));
    EXPECT_EQ(stats.at("by_opcode"), nlohmann::json({{"ADD", 1}}));
    EXPECT_GE(stats.at("last_request_at").get<double>(),
              std::chrono::duration<double>(before.time_since_epoch()).count() - 0.001);
    EXPECT_LE(stats.at("last_request_at").get<double>(), after);
    ASSERT_EQ(stats.at("terminals").size(), 1u);
    EXPECT_EQ(stats.at("terminals").at(0).at("serial"), 7);
    EXPECT_EQ(stats.at("terminals").at(0).at("requests"), 4);
    EXPECT_EQ(stats.at("terminals").at(0).at("bytes_out"), out);

    client_->set_timeout(300ms);
    ASSERT_EQ(control_->ask("fault drop 1"), "ok");
    EXPECT_FALSE(client_->read(0x0000, 2).has_value());
    const auto dropped = nlohmann::json::parse(control_->ask("stats"));
    EXPECT_EQ(dropped.at("requests"), 5);
    EXPECT_EQ(dropped.at("bytes_in"), in + framing + 5);
    EXPECT_EQ(dropped.at("bytes_out"), out);
    EXPECT_EQ(control_->ask("@0 stats"), "error stats takes no @I (it counts every terminal)");
}

INSTANTIATE_TEST_SUITE_P(Transports, LiveTerminal, ::testing::Values(Transport::tcp, Transport::rtu), transport_name);

}  // namespace
}  // namespace cardd::termsim::test
