#include "protocol/words.hpp"

#include <array>
#include <cstdint>
#include <limits>

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

// CT-1 puts the high word of a 32-bit value first.
TEST(Words, u32IsHighWordFirst) {
    EXPECT_EQ(split_u32(0x12345678u), (std::array<std::uint16_t, 2>{0x1234, 0x5678}));
    EXPECT_EQ(join_u32(0x1234, 0x5678), 0x12345678u);
    EXPECT_EQ(join_u32(0xFFFF, 0x0000), 0xFFFF0000u);
}

// A negative amount travels as its two's complement: -250 = 0xFFFFFF06.
TEST(Words, i32IsTwosComplement) {
    EXPECT_EQ(split_i32(-250), (std::array<std::uint16_t, 2>{0xFFFF, 0xFF06}));
    EXPECT_EQ(join_i32(0xFFFF, 0xFF06), -250);
    EXPECT_EQ(join_i32(0xFFFF, 0xFFFF), -1);
    EXPECT_EQ(join_i32(0x8000, 0x0000), std::numeric_limits<std::int32_t>::min());
    EXPECT_EQ(join_i32(0x7FFF, 0xFFFF), std::numeric_limits<std::int32_t>::max());
}

// read_u32 and write_u32 address a pair of registers by offset.
TEST(Words, readAndWriteAtOffset) {
    std::array<std::uint16_t, 4> regs{};
    write_u32(regs, 1, 0xCAFEBABEu);
    EXPECT_EQ(regs, (std::array<std::uint16_t, 4>{0, 0xCAFE, 0xBABE, 0}));
    EXPECT_EQ(read_u32(regs, 1), 0xCAFEBABEu);
    write_i32(regs, 2, -2);
    EXPECT_EQ(regs, (std::array<std::uint16_t, 4>{0, 0xCAFE, 0xFFFF, 0xFFFE}));
    EXPECT_EQ(read_i32(regs, 2), -2);
}

}  // namespace
}  // namespace cardd::protocol
