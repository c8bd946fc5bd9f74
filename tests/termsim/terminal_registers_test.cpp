// Register access of a CT-1 terminal: which reads and writes are allowed,
// and the Modbus exception for each that is not.

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/words.hpp"
#include "tests/termsim/terminal_fixture.hpp"

namespace cardd::termsim::test {
namespace {

namespace p = cardd::protocol;
using Ex = ModbusException;

class TerminalRegisters : public TerminalFixture {
protected:
    Ex read_fails(std::uint16_t address, std::uint16_t count) {
        const auto result = terminal_.read_registers(address, count);
        EXPECT_FALSE(result.has_value()) << "read " << address << " x" << count << " was allowed";
        return result ? Ex{} : result.error();
    }
    Ex write_fails(std::uint16_t address, const Regs& values) {
        const auto result = terminal_.write_registers(address, values);
        EXPECT_FALSE(result.has_value()) << "write " << address << " x" << values.size() << " was allowed";
        return result ? Ex{} : result.error();
    }
};

// The state block reads as CT-1 lays it out: magic, version 1, serial, limits.
TEST_F(TerminalRegisters, stateBlockReadsMagicSerialAndLimits) {
    const auto regs = terminal_.read_registers(0x0000, 32);
    ASSERT_TRUE(regs.has_value());
    EXPECT_EQ((*regs)[0], 0x4354);
    EXPECT_EQ((*regs)[1], 1);
    EXPECT_EQ(p::read_u32(*regs, 2), 7u);
    EXPECT_EQ((*regs)[4], 0x0102);
    EXPECT_EQ((*regs)[5], 1);  // bitmap capability, since the limit is non-zero
    EXPECT_EQ(p::read_u32(*regs, 0x0A), 100u);
    EXPECT_EQ(p::read_u32(*regs, 0x0C), 500000u);
    EXPECT_EQ(p::read_u32(*regs, 0x14), static_cast<std::uint32_t>(fake_epoch));
    EXPECT_EQ(p::read_u32(*regs, 0x10), 1u);  // no records yet: oldest = next
    EXPECT_EQ(p::read_u32(*regs, 0x12), 1u);
    for (std::size_t i = 0x1B; i < 0x20; ++i) EXPECT_EQ((*regs)[i], 0) << "reserved register " << i;
}

// The model name follows the state block, so one read may take both.
TEST_F(TerminalRegisters, modelNameReadsWithStateBlock) {
    const auto regs = terminal_.read_registers(0x0000, 40);
    ASSERT_TRUE(regs.has_value());
    const auto name = p::decode_model_name(std::span(*regs).subspan(0x20));
    ASSERT_TRUE(name.has_value());
    EXPECT_EQ(*name, "CT-SIM");
}

// Any register outside the four blocks makes the whole read 0x02.
TEST_F(TerminalRegisters, readTouchingOutsideBlocksIsIllegalAddress) {
    EXPECT_EQ(read_fails(0x0000, 41), Ex::illegal_data_address);
    EXPECT_EQ(read_fails(0x0028, 1), Ex::illegal_data_address);
    EXPECT_EQ(read_fails(0x00FF, 2), Ex::illegal_data_address);
    EXPECT_EQ(read_fails(0x017A, 2), Ex::illegal_data_address);
    EXPECT_EQ(read_fails(0x01FF, 1), Ex::illegal_data_address);
    EXPECT_EQ(read_fails(0x027B, 1), Ex::illegal_data_address);
    EXPECT_EQ(read_fails(0x0270, 12), Ex::illegal_data_address);
    EXPECT_EQ(read_fails(0xFFFF, 2), Ex::illegal_data_address);
    EXPECT_TRUE(terminal_.read_registers(0x017A, 1).has_value());
    EXPECT_TRUE(terminal_.read_registers(0x0200, 123).has_value());
}

// Quantities outside 1..125 are 0x03 before any address check.
TEST_F(TerminalRegisters, readQuantityOutsideModbusLimitsIsIllegalValue) {
    EXPECT_EQ(read_fails(0x0000, 0), Ex::illegal_data_value);
    EXPECT_EQ(read_fails(0x0000, 126), Ex::illegal_data_value);
    EXPECT_EQ(read_fails(0x0300, 126), Ex::illegal_data_value);
}

// The state block and model name are read-only: 0x02 and no change.
TEST_F(TerminalRegisters, writeToReadOnlyBlocksIsIllegalAddressAndChangesNothing) {
    const auto before = state();
    EXPECT_EQ(write_fails(0x0006, {0, 9}), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x000E, {1}), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x0020, {0x4142}), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x0000, Regs(123, 0)), Ex::illegal_data_address);
    EXPECT_EQ(state(), before);
}

// Writes outside every block, or reaching into the mailbox from below, are 0x02.
TEST_F(TerminalRegisters, writeOutsideBlocksIsIllegalAddress) {
    EXPECT_EQ(write_fails(0x0050, {1}), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x00FF, Regs(8, 0)), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x017B, {1}), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x0300, {1}), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0xFFFF, {1, 2}), Ex::illegal_data_address);
}

// A mailbox write of 1..6 registers at 0x0100 is 0x03 and runs nothing.
TEST_F(TerminalRegisters, shortMailboxWriteIsIllegalValueAndRunsNothing) {
    const Regs add = p::encode_command(p::make_add(0x1234, 0, 1, Cards{5}));
    for (std::size_t n = 1; n < 7; ++n) {
        EXPECT_EQ(write_fails(0x0100, Regs(add.begin(), add.begin() + static_cast<std::ptrdiff_t>(n))),
                  Ex::illegal_data_value)
            << n << " registers";
    }
    EXPECT_EQ(state().last_tag, 0);
    EXPECT_EQ(state().blacklist_version, 0u);
}

// A write starting inside the mailbox anywhere but 0x0100 is 0x02.
TEST_F(TerminalRegisters, mailboxWriteNotAtStartIsIllegalAddress) {
    EXPECT_EQ(write_fails(0x0101, Regs(7, 0)), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x0150, Regs(7, 0)), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x017A, {1}), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x0107, {1, 2, 3}), Ex::illegal_data_address);
}

// 0x10 takes 1..123 registers, the write half of 0x17 1..121, its read half 1..125.
TEST_F(TerminalRegisters, writeQuantityOutsideModbusLimitsIsIllegalValue) {
    EXPECT_EQ(write_fails(0x0100, {}), Ex::illegal_data_value);
    EXPECT_EQ(write_fails(0x0100, Regs(124, 0)), Ex::illegal_data_value);
    EXPECT_TRUE(terminal_.write_registers(0x0100, Regs(123, 0)).has_value());
    const auto too_long = terminal_.write_read(0x0100, Regs(122, 0), 0x000E, 2);
    ASSERT_FALSE(too_long.has_value());
    EXPECT_EQ(too_long.error(), Ex::illegal_data_value);
    EXPECT_TRUE(terminal_.write_read(0x0100, Regs(121, 0), 0x000E, 2).has_value());
    for (const std::uint16_t count : {std::uint16_t{0}, std::uint16_t{126}}) {
        const auto bad_read = terminal_.write_read(0x0200, Regs{0, 1}, 0x0000, count);
        ASSERT_FALSE(bad_read.has_value());
        EXPECT_EQ(bad_read.error(), Ex::illegal_data_value);
    }
}

// k and the records are read-only; the cursor beside them is not.
TEST_F(TerminalRegisters, recordsWindowIsReadOnlyButCursor) {
    EXPECT_EQ(write_fails(0x0202, {3}), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x0201, {0, 3}), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x0200, {0, 3, 0}), Ex::illegal_data_address);
    EXPECT_EQ(write_fails(0x0210, {1}), Ex::illegal_data_address);
    EXPECT_EQ(terminal_.cursor(), 1u);
}

// The cursor takes a whole u32 or either half of it.
TEST_F(TerminalRegisters, cursorIsWritableWholeOrByHalves) {
    ASSERT_TRUE(terminal_.write_registers(0x0200, Regs{0x0001, 0x0002}).has_value());
    EXPECT_EQ(terminal_.cursor(), 0x00010002u);
    ASSERT_TRUE(terminal_.write_registers(0x0201, Regs{0x0009}).has_value());
    EXPECT_EQ(terminal_.cursor(), 0x00010009u);
    ASSERT_TRUE(terminal_.write_registers(0x0200, Regs{0x0000}).has_value());
    EXPECT_EQ(terminal_.cursor(), 9u);
    EXPECT_EQ(*terminal_.read_registers(0x0200, 2), (Regs{0, 9}));
}

// 0x17 writes first and reads after, so a command's outcome comes back at once.
TEST_F(TerminalRegisters, writeReadRunsCommandBeforeReadingItsStatus) {
    const auto regs = terminal_.write_read(0x0100, p::encode_command(p::make_add(0xBEEF, 0, 1, Cards{5})), 0x0006, 10);
    ASSERT_TRUE(regs.has_value());
    EXPECT_EQ(p::read_u32(*regs, 0), 1u);  // version
    EXPECT_EQ(p::read_u32(*regs, 2), 1u);  // count
    EXPECT_EQ((*regs)[8], 0);              // status OK
    EXPECT_EQ((*regs)[9], 0xBEEF);         // tag
}

// A 0x17 whose read half is bad is refused whole: its write is not done.
TEST_F(TerminalRegisters, writeReadChecksBothHalvesBeforeDoingEither) {
    const auto bad = terminal_.write_read(0x0100, p::encode_command(p::make_add(1, 0, 1, Cards{5})), 0x0028, 1);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error(), Ex::illegal_data_address);
    EXPECT_EQ(state().blacklist_version, 0u);
    EXPECT_EQ(state().last_tag, 0);
    const auto bad_cursor = terminal_.write_read(0x0200, Regs{0, 5}, 0x0300, 1);
    ASSERT_FALSE(bad_cursor.has_value());
    EXPECT_EQ(terminal_.cursor(), 1u);
    const auto bad_write = terminal_.write_read(0x0006, Regs{0, 5}, 0x0000, 1);
    ASSERT_FALSE(bad_write.has_value());
    EXPECT_EQ(bad_write.error(), Ex::illegal_data_address);
}

// The mailbox reads back the registers of the last command written.
TEST_F(TerminalRegisters, mailboxReadsBackLastCommand) {
    const Regs add = p::encode_command(p::make_add(3, 0, 1, Cards{5, 6}));
    ASSERT_TRUE(terminal_.write_registers(0x0100, add).has_value());
    EXPECT_EQ(*terminal_.read_registers(0x0100, static_cast<std::uint16_t>(add.size())), add);
}

}  // namespace
}  // namespace cardd::termsim::test
