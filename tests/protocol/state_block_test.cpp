#include "protocol/state_block.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol {
namespace {

using Regs = std::vector<std::uint16_t>;

// A state block written out by hand, one distinct value per field.
const Regs sample_block{
    0x4354,          // magic
    0x0001,          // protocol version
    0x0012, 0x3456,  // serial 0x00123456
    0x0102,          // firmware 1.2
    0x0001,          // capabilities: bitmap
    0x0000, 0x0007,  // blacklist version 7
    0x0000, 0x0003,  // 3 cards
    0x0001, 0x0000,  // capacity 65536
    0x0007, 0xA120,  // bitmap limit 500000
    0x0001,          // last status OK_ALREADY
    0xBEEF,          // last tag
    0x0000, 0x0064,  // oldest seq 100
    0x0000, 0x006E,  // next seq 110
    0x6553, 0xF100,  // clock 1700000000
    0x0001,          // receiving
    0x0000, 0x004D,  // progress 77
    0xE770, 0xA7EA,  // checksum
};

TerminalState sample_state() {
    TerminalState s;
    s.serial = 0x00123456;
    s.firmware = 0x0102;
    s.capabilities = 1;
    s.blacklist_version = 7;
    s.blacklist_count = 3;
    s.list_capacity = 65536;
    s.bitmap_limit = 500000;
    s.last_status = Status::ok_already;
    s.last_tag = 0xBEEF;
    s.oldest_seq = 100;
    s.next_seq = 110;
    s.clock = 1700000000;
    s.full_sync_state = FullSyncState::receiving;
    s.full_sync_progress = 77;
    s.checksum = 0xE770A7EA;
    return s;
}

// Every field lands where CT-1 puts it.
TEST(StateBlock, decodesEveryField) {
    const auto s = decode_state_block(sample_block);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    EXPECT_EQ(*s, sample_state());
    EXPECT_TRUE(s->supports_bitmap());
    EXPECT_EQ(s->firmware_major(), 1);
    EXPECT_EQ(s->firmware_minor(), 2);
}

// Encoding gives the 27 defined registers followed by 5 reserved zeros.
TEST(StateBlock, encodesWholeBlockWithReservedZero) {
    const auto regs = encode_state_block(sample_state());
    EXPECT_EQ(Regs(regs.begin(), regs.begin() + 27), sample_block);
    EXPECT_EQ(Regs(regs.begin() + 27, regs.end()), Regs(5, 0));
}

// One read of 0x0000..0x0027 (state and model name) can be passed whole.
TEST(StateBlock, acceptsLongerRead) {
    Regs forty = sample_block;
    forty.resize(40, 0x4141);
    EXPECT_TRUE(decode_state_block(forty).has_value());
}

// 26 registers miss the checksum's low word.
TEST(StateBlock, shortReadIsTruncated) {
    const Regs short_block(sample_block.begin(), sample_block.end() - 1);
    EXPECT_EQ(decode_state_block(short_block).error().code, DecodeErrc::truncated);
}

// A device that is not a CT-1 terminal, or speaks another version, is refused.
TEST(StateBlock, wrongMagicOrVersionIsRefused) {
    Regs block = sample_block;
    block[0] = 0x5443;
    EXPECT_EQ(decode_state_block(block).error().code, DecodeErrc::bad_magic);
    block = sample_block;
    block[1] = 2;
    EXPECT_EQ(decode_state_block(block).error().code, DecodeErrc::bad_version);
}

// CT-1 serials are non-zero; zero would merge record identities.
TEST(StateBlock, zeroSerialIsRefused) {
    Regs block = sample_block;
    block[2] = 0;
    block[3] = 0;
    EXPECT_EQ(decode_state_block(block).error().code, DecodeErrc::bad_value);
}

// "CT-100" is 43 54 2D 31 30 30, then NUL padding to 16 bytes.
TEST(ModelName, encodesNulPadded) {
    EXPECT_EQ(encode_model_name("CT-100"), (std::array<std::uint16_t, 8>{0x4354, 0x2D31, 0x3030, 0, 0, 0, 0, 0}));
    EXPECT_EQ(decode_model_name(Regs{0x4354, 0x2D31, 0x3030, 0, 0, 0, 0, 0}), "CT-100");
}

// Sixteen bytes fill the block with no NUL at all; a seventeenth does not fit.
TEST(ModelName, sixteenBytesNeedNoTerminator) {
    const auto regs = encode_model_name("ABCDEFGHIJKLMNOP");
    EXPECT_EQ(decode_model_name(regs), "ABCDEFGHIJKLMNOP");
    EXPECT_THROW(encode_model_name("ABCDEFGHIJKLMNOPQ"), std::invalid_argument);
}

// Bytes after the first NUL are padding and ignored; a byte outside ASCII is refused.
TEST(ModelName, stopsAtNulAndRefusesNonAscii) {
    EXPECT_EQ(decode_model_name(Regs{0x4100, 0x4242, 0, 0, 0, 0, 0, 0}), "A");
    EXPECT_EQ(decode_model_name(Regs{0x41C3, 0, 0, 0, 0, 0, 0, 0}).error().code, DecodeErrc::bad_value);
    EXPECT_EQ(decode_model_name(Regs{0x4141}).error().code, DecodeErrc::truncated);
}

}  // namespace
}  // namespace cardd::protocol
