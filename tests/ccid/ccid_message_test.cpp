#include "protocol/ccid/ccid_message.hpp"

#include <cstdint>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol::ccid {
namespace {

using Bytes = std::vector<std::uint8_t>;

// The byte sequences below are written out by hand from the CCID 1.1
// message layouts (6.1 and 6.2): type, dwLength little-endian, bSlot, bSeq,
// three message-specific bytes.

TEST(CcidHostMessage, powerOnIsTheSpecBytes) {
    EXPECT_EQ(encode(power_on(0, 0x05)), (Bytes{0x62, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00}));
}

TEST(CcidHostMessage, powerOffAndSlotStatusAreTheSpecBytes) {
    EXPECT_EQ(encode(power_off(0, 0x06)), (Bytes{0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00}));
    EXPECT_EQ(encode(get_slot_status(0, 0xFF)), (Bytes{0x65, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x00, 0x00}));
}

TEST(CcidHostMessage, xfrBlockCarriesTheApduAfterTheHeader) {
    const Bytes apdu{0xFF, 0xCA, 0x00, 0x00, 0x00};
    EXPECT_EQ(encode(xfr_block(0, 0x07, apdu)),
              (Bytes{0x6F, 0x05, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0xFF, 0xCA, 0x00, 0x00, 0x00}));
}

TEST(CcidHostMessage, escapeCarriesTheReaderCommand) {
    const Bytes command{0xFF, 0x00, 0x48, 0x00, 0x00};
    EXPECT_EQ(encode(escape(0, 0x01, command)),
              (Bytes{0x6B, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x48, 0x00, 0x00}));
}

// dwLength is little-endian: 261 bytes are 05 01 00 00.
TEST(CcidHostMessage, lengthIsLittleEndian) {
    const Bytes apdu(261, 0xAB);
    const Bytes bytes = encode(xfr_block(0, 0, apdu));
    ASSERT_EQ(bytes.size(), max_message_size);
    EXPECT_EQ(Bytes(bytes.begin(), bytes.begin() + 5), (Bytes{0x6F, 0x05, 0x01, 0x00, 0x00}));
    const auto decoded = decode_host_message(bytes);
    ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
    EXPECT_EQ(decoded->data, apdu);
}

TEST(CcidHostMessage, decodesWhatItEncodes) {
    const Bytes apdu{0xFF, 0xB0, 0x00, 0x04, 0x10};
    for (const HostMessage& m :
         {power_on(0, 1), power_off(0, 2), get_slot_status(0, 3), xfr_block(0, 4, apdu), escape(0, 5, apdu)}) {
        const auto decoded = decode_host_message(encode(m));
        ASSERT_TRUE(decoded.has_value()) << decoded.error().message;
        EXPECT_EQ(*decoded, m);
    }
}

TEST(CcidHostMessage, keepsSlotAndSpecificBytes) {
    const Bytes bytes{0x6F, 0x01, 0x00, 0x00, 0x00, 0x03, 0x09, 0x04, 0x10, 0x00, 0xAA};
    const auto m = decode_host_message(bytes);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    EXPECT_EQ(m->slot, 3);
    EXPECT_EQ(m->seq, 9);
    EXPECT_EQ(m->specific, (std::array<std::uint8_t, 3>{0x04, 0x10, 0x00}));
    EXPECT_EQ(encode(*m), bytes);
}

TEST(CcidReaderMessage, decodesDataBlock) {
    // RDR_to_PC_DataBlock: a UID and 90 00, card present and active.
    const Bytes bytes{0x80, 0x06, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x04, 0xA1, 0xB2, 0xC3, 0x90, 0x00};
    const auto m = decode_reader_message(bytes);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    EXPECT_EQ(m->type, MessageType::data_block);
    EXPECT_EQ(m->slot, 0);
    EXPECT_EQ(m->seq, 7);
    EXPECT_EQ(m->icc, IccStatus::present_active);
    EXPECT_EQ(m->command, CommandStatus::ok);
    EXPECT_EQ(m->error, 0);
    EXPECT_EQ(m->specific, 0);
    EXPECT_EQ(m->data, (Bytes{0x04, 0xA1, 0xB2, 0xC3, 0x90, 0x00}));
    EXPECT_EQ(encode(*m), bytes);
}

TEST(CcidReaderMessage, decodesSlotStatusWithoutCard) {
    // bStatus 02: command processed, no ICC present.
    const Bytes bytes{0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x02, 0x00, 0x01};
    const auto m = decode_reader_message(bytes);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    EXPECT_EQ(m->type, MessageType::slot_status);
    EXPECT_EQ(m->icc, IccStatus::absent);
    EXPECT_EQ(m->command, CommandStatus::ok);
    EXPECT_EQ(m->specific, 0x01);  // bClockStatus: clock stopped in state L
    EXPECT_EQ(encode(*m), bytes);
}

TEST(CcidReaderMessage, decodesIccMute) {
    // bStatus 40: command failed; bError FE: ICC_MUTE.
    const Bytes bytes{0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x40, 0xFE, 0x00};
    const auto m = decode_reader_message(bytes);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    EXPECT_EQ(m->icc, IccStatus::present_active);
    EXPECT_EQ(m->command, CommandStatus::failed);
    EXPECT_EQ(m->error, slot_error::icc_mute);
    EXPECT_EQ(encode(*m), bytes);
}

TEST(CcidReaderMessage, decodesFailedWithoutCard) {
    const Bytes bytes{0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x42, 0xFE, 0x00};
    const auto m = decode_reader_message(bytes);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    EXPECT_EQ(m->icc, IccStatus::absent);
    EXPECT_EQ(m->command, CommandStatus::failed);
}

TEST(CcidReaderMessage, decodesTimeExtension) {
    // bStatus 80: time extension requested; bError is the BWT multiplier.
    const Bytes bytes{0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x80, 0x02, 0x00};
    const auto m = decode_reader_message(bytes);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    EXPECT_EQ(m->command, CommandStatus::time_extension);
    EXPECT_EQ(m->error, 2);
    EXPECT_EQ(encode(*m), bytes);
}

TEST(CcidReaderMessage, decodesEscapeAnswer) {
    const Bytes bytes{0x83, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x41, 0x43, 0x52};
    const auto m = decode_reader_message(bytes);
    ASSERT_TRUE(m.has_value()) << m.error().message;
    EXPECT_EQ(m->type, MessageType::escape_answer);
    EXPECT_EQ(m->data, (Bytes{0x41, 0x43, 0x52}));
}

TEST(CcidReaderMessage, encodesStatusBits) {
    ReaderMessage m;
    m.type = MessageType::data_block;
    m.seq = 0x11;
    m.icc = IccStatus::present_inactive;
    m.command = CommandStatus::failed;
    m.error = slot_error::hw_error;
    EXPECT_EQ(encode(m), (Bytes{0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x11, 0x41, 0xFB, 0x00}));
}

// Every rejection, in both directions.

DecodeErrc host_error(const Bytes& bytes) {
    const auto m = decode_host_message(bytes);
    EXPECT_FALSE(m.has_value());
    return m ? DecodeErrc::bad_magic : m.error().code;
}

DecodeErrc reader_error(const Bytes& bytes) {
    const auto m = decode_reader_message(bytes);
    EXPECT_FALSE(m.has_value());
    return m ? DecodeErrc::bad_magic : m.error().code;
}

TEST(CcidDecode, refusesShortHeader) {
    EXPECT_EQ(host_error({}), DecodeErrc::truncated);
    EXPECT_EQ(host_error({0x65, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}), DecodeErrc::truncated);
    EXPECT_EQ(reader_error({}), DecodeErrc::truncated);
    EXPECT_EQ(reader_error({0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}), DecodeErrc::truncated);
}

TEST(CcidDecode, refusesPayloadShorterThanLength) {
    EXPECT_EQ(host_error({0x6F, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xCA}),
              DecodeErrc::truncated);
    EXPECT_EQ(reader_error({0x80, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90}), DecodeErrc::truncated);
}

TEST(CcidDecode, refusesBytesAfterPayload) {
    EXPECT_EQ(host_error({0x6F, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xCA}),
              DecodeErrc::too_long);
    EXPECT_EQ(reader_error({0x80, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x90, 0x00}),
              DecodeErrc::too_long);
}

// 262 payload bytes make 272 with the header, one above dwMaxCCIDMessageLength.
TEST(CcidDecode, refusesMessageAboveMaximum) {
    Bytes host = encode(xfr_block(0, 0, Bytes(262, 0)));
    EXPECT_EQ(host_error(host), DecodeErrc::too_long);
    ReaderMessage big;
    big.type = MessageType::data_block;
    big.data.assign(262, 0);
    EXPECT_EQ(reader_error(encode(big)), DecodeErrc::too_long);
    // A huge dwLength is refused before the missing payload is looked for.
    EXPECT_EQ(reader_error({0x80, 0xFF, 0xFF, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0x00}), DecodeErrc::too_long);
}

TEST(CcidDecode, refusesMessageOfTheOtherDirection) {
    const Bytes reader_bytes{0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    const Bytes host_bytes{0x65, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    EXPECT_EQ(host_error(reader_bytes), DecodeErrc::bad_value);
    EXPECT_EQ(reader_error(host_bytes), DecodeErrc::bad_value);
}

TEST(CcidDecode, refusesUnknownMessageType) {
    // 0x82 (RDR_to_PC_Parameters) and 0x6C (SetParameters) exist in CCID
    // but not in what this driver speaks.
    for (const std::uint8_t type : Bytes{0x00, 0x50, 0x6C, 0x82, 0x84, 0xFF}) {
        const Bytes bytes{type, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
        EXPECT_EQ(host_error(bytes), DecodeErrc::bad_value) << int{type};
        EXPECT_EQ(reader_error(bytes), DecodeErrc::bad_value) << int{type};
    }
}

TEST(CcidDecode, refusesReservedStatusBits) {
    for (const std::uint8_t status : Bytes{0x04, 0x08, 0x10, 0x20}) {
        EXPECT_EQ(reader_error({0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, status, 0x00, 0x00}), DecodeErrc::bad_value)
            << int{status};
    }
}

TEST(CcidDecode, refusesIccStatusThree) {
    EXPECT_EQ(reader_error({0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00}), DecodeErrc::bad_value);
}

TEST(CcidDecode, refusesCommandStatusThree) {
    EXPECT_EQ(reader_error({0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xC0, 0x00, 0x00}), DecodeErrc::bad_value);
}

// IccPowerOn, IccPowerOff, GetSlotStatus and SlotStatus have dwLength 0.
TEST(CcidDecode, refusesDataOnMessagesWithout) {
    for (const std::uint8_t type : Bytes{0x62, 0x63, 0x65}) {
        EXPECT_EQ(host_error({type, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xAA}), DecodeErrc::too_long)
            << int{type};
    }
    EXPECT_EQ(reader_error({0x81, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xAA}), DecodeErrc::too_long);
}

}  // namespace
}  // namespace cardd::protocol::ccid
