#include "protocol/registers.hpp"

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

// The blocks sit at the addresses CT-1 gives, with the sizes it gives.
TEST(Registers, blocksMatchTheRegisterMap) {
    EXPECT_EQ(state::block.address, 0x0000);
    EXPECT_EQ(state::block.end(), 0x0020u);
    EXPECT_EQ(state::checksum.address, 0x0019);
    EXPECT_EQ(state::defined_registers, 27);
    EXPECT_EQ(model_name::block.address, 0x0020);
    EXPECT_EQ(model_name::block.end(), 0x0028u);
    EXPECT_EQ(mailbox::block.address, 0x0100);
    EXPECT_EQ(mailbox::block.end(), 0x017Bu);
    EXPECT_EQ(records::block.address, 0x0200);
    EXPECT_EQ(records::block.end(), 0x027Bu);
    EXPECT_EQ(records::first_record, 0x0203);
    EXPECT_EQ(magic_value, 0x4354);
    EXPECT_EQ(protocol_version_value, 1);
}

// 77 entries fill a 0x10 write exactly: 7 + ceil(231/2) = 123 registers;
// 76 fill the 121 registers 0x17 may write (7 + 114).
TEST(Registers, entriesPerCommandFollowFromModbusLimits) {
    EXPECT_EQ(max_entries_per_command(WriteFunction::write_multiple), 77);
    EXPECT_EQ(max_entries_per_command(WriteFunction::read_write_multiple), 76);
    EXPECT_EQ(max_command_registers(WriteFunction::write_multiple), 123);
    EXPECT_EQ(max_command_registers(WriteFunction::read_write_multiple), 121);
    EXPECT_EQ(max_bitmap_bytes_per_command(WriteFunction::write_multiple), 232);
    EXPECT_EQ(max_bitmap_bytes_per_command(WriteFunction::read_write_multiple), 228);
}

}  // namespace
}  // namespace cardd::protocol
