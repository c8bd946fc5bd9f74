// TerminalClient against card-termsim's Terminal in-process: the state read,
// commands with their tags, the records window.

#include "daemon/terminal/terminal_client.hpp"

#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/terminal/command_retry.hpp"
#include "protocol/command.hpp"
#include "protocol/registers.hpp"
#include "tests/daemon/terminal/sim_link.hpp"
#include "tools/termsim/terminal.hpp"

namespace cardd::daemon::test {
namespace {

using protocol::Opcode;
using protocol::Status;

class TerminalClientTest : public ::testing::Test {
protected:
    termsim::Terminal terminal_{termsim::TerminalConfig{
        .serial = 4242, .firmware = 0x0203, .capacity = 321, .bitmap_limit = 500000, .model = "POS-9000"}};
    SimLink link_{terminal_};
    TerminalClient client_{link_, 0xFFFE};
};

// One read returns the state block and the model name.
TEST_F(TerminalClientTest, readInfoDecodesBlockAndModel) {
    const auto info = client_.read_info();
    ASSERT_TRUE(info.has_value()) << info.error().message;
    EXPECT_EQ(info->state.serial, 4242u);
    EXPECT_EQ(info->state.firmware, 0x0203);
    EXPECT_EQ(info->state.list_capacity, 321u);
    EXPECT_TRUE(info->state.supports_bitmap());
    EXPECT_EQ(info->model, "POS-9000");
    EXPECT_EQ(link_.requests, 1);
}

// A sync's read is the state block alone: 32 registers, no model name.
TEST_F(TerminalClientTest, readStateReadsTheStateBlockOnly) {
    std::uint16_t read = 0;
    link_.tamper = [&](std::uint16_t, std::vector<std::uint16_t>& regs) {
        read = static_cast<std::uint16_t>(regs.size());
    };
    const auto state = client_.read_state();
    ASSERT_TRUE(state.has_value()) << state.error().message;
    EXPECT_EQ(state->serial, 4242u);
    EXPECT_EQ(state->list_capacity, 321u);
    EXPECT_EQ(read, 32);
    link_.tamper = [](std::uint16_t, std::vector<std::uint16_t>& regs) { regs[1] = 2; };
    EXPECT_EQ(client_.read_state().error().kind, LinkError::Kind::garbage);
}

// A device whose magic is not "CT" is garbage, not a terminal.
TEST_F(TerminalClientTest, wrongMagicIsGarbage) {
    link_.tamper = [](std::uint16_t, std::vector<std::uint16_t>& regs) { regs[0] = 0x1234; };
    const auto info = client_.read_info();
    ASSERT_FALSE(info.has_value());
    EXPECT_EQ(info.error().kind, LinkError::Kind::garbage);
    EXPECT_NE(info.error().message.find("not a CT-1 terminal"), std::string::npos);
}

// Another protocol version is garbage too.
TEST_F(TerminalClientTest, wrongProtocolVersionIsGarbage) {
    link_.tamper = [](std::uint16_t, std::vector<std::uint16_t>& regs) { regs[1] = 2; };
    EXPECT_EQ(client_.read_info().error().kind, LinkError::Kind::garbage);
}

// A model name with a stray byte still reads; the byte shows as '?'.
TEST_F(TerminalClientTest, oddModelNameIsShownNotRefused) {
    link_.tamper = [](std::uint16_t, std::vector<std::uint16_t>& regs) { regs[0x20] = 0x5001; };
    const auto info = client_.read_info();
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->model, "P?S-9000");
}

// execute() uses one 0x17, tags from the client's counter (wrapping), and returns the status.
TEST_F(TerminalClientTest, executeTagsCommandsAndReturnsStatus) {
    auto status = client_.execute(protocol::make_set_clock(0, 1'700'000'000));
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, Status::ok);
    status = client_.execute(protocol::make_full_commit(0, 77, 0));
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, Status::no_session);
    status = client_.execute(protocol::make_set_clock(0, 1'700'000'001));
    ASSERT_EQ(link_.delivered.size(), 3u);
    EXPECT_EQ(link_.delivered[0].tag, 0xFFFE);
    EXPECT_EQ(link_.delivered[1].tag, 0xFFFF);
    EXPECT_EQ(link_.delivered[2].tag, 0x0000);
    EXPECT_EQ(terminal_.state().last_tag, 0);
    EXPECT_EQ(link_.requests, 3);
}

// An answer with another tag is a stale answer: a protocol error, which a retry repairs.
TEST_F(TerminalClientTest, staleTagIsProtocolErrorAndRetried) {
    int stale = 1;
    link_.tamper = [&](std::uint16_t address, std::vector<std::uint16_t>& regs) {
        if (address == protocol::state::last_status.address && stale-- > 0) regs[1] ^= 0x5555;
    };
    const auto command = protocol::make_add(0, 0, 5, std::vector<std::uint32_t>{9});
    auto status = client_.execute(command);
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().kind, LinkError::Kind::protocol);
    EXPECT_NE(status.error().message.find("stale"), std::string::npos);
    status = execute_with_retry(client_, protocol::make_add(0, 0, 5, std::vector<std::uint32_t>{9}));
    ASSERT_TRUE(status.has_value());
    EXPECT_EQ(*status, Status::ok_already);  // the first one went through; its answer was spoiled
}

// A status CT-1 does not define is a protocol error.
TEST_F(TerminalClientTest, unknownStatusIsProtocolError) {
    link_.intercept = [](const protocol::Command&) -> std::optional<Status> { return static_cast<Status>(99); };
    const auto status = client_.execute(protocol::make_set_clock(0, 1));
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().kind, LinkError::Kind::protocol);
}

// 76 entries fit one 0x17 command; 77 are a caller bug.
TEST_F(TerminalClientTest, commandsLongerThanOneReadWriteAreRefused) {
    std::vector<std::uint32_t> cards(76);
    for (std::uint32_t i = 0; i < cards.size(); ++i) cards[i] = i + 1;
    EXPECT_TRUE(client_.execute(protocol::make_add(0, 0, 1, cards)).has_value());
    cards.push_back(77);
    EXPECT_THROW((void)client_.execute(protocol::make_add(0, 1, 2, cards)), std::length_error);
    EXPECT_EQ(link_.delivered.size(), 1u);
}

// A Modbus exception from the terminal comes back as one, with its code.
TEST_F(TerminalClientTest, modbusExceptionCarriesCode) {
    const auto regs = link_.read_registers(0x0050, 2);
    ASSERT_FALSE(regs.has_value());
    EXPECT_EQ(regs.error().kind, LinkError::Kind::modbus_exception);
    EXPECT_EQ(regs.error().exception_code, 2);
}

// read_records() writes the cursor and reads up to ten records in one request.
TEST_F(TerminalClientTest, readRecordsReturnsWindowFromCursor) {
    for (std::uint32_t i = 0; i < 13; ++i) ASSERT_TRUE(terminal_.tap(100 + i, 250, 1000).has_value());
    auto records = client_.read_records(1);
    ASSERT_TRUE(records.has_value()) << records.error().message;
    ASSERT_EQ(records->size(), 10u);
    EXPECT_EQ(records->front().seq, 1u);
    EXPECT_EQ(records->front().card_no, 100u);
    EXPECT_EQ(records->front().amount_cents, 250);
    records = client_.read_records(11);
    ASSERT_TRUE(records.has_value());
    EXPECT_EQ(records->size(), 3u);
    records = client_.read_records(14);
    ASSERT_TRUE(records.has_value());
    EXPECT_TRUE(records->empty());
    EXPECT_EQ(link_.requests, 3);
}

// A window that starts before the cursor answers another question: protocol error.
TEST_F(TerminalClientTest, recordsBeforeCursorAreProtocolError) {
    for (std::uint32_t i = 0; i < 3; ++i) ASSERT_TRUE(terminal_.tap(100 + i, 250, 1000).has_value());
    link_.tamper = [](std::uint16_t address, std::vector<std::uint16_t>& regs) {
        if (address != protocol::records::count.address) return;
        for (std::size_t i = 0; i < regs[0]; ++i) regs[1 + 12 * i + 1] -= 1;  // every seq one lower
    };
    const auto records = client_.read_records(2);
    ASSERT_FALSE(records.has_value());
    EXPECT_EQ(records.error().kind, LinkError::Kind::protocol);
}

}  // namespace
}  // namespace cardd::daemon::test
