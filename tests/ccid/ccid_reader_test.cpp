#include "daemon/encoder/ccid_reader.hpp"

#include <cstdint>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "tests/ccid/scripted_transport.hpp"

namespace cardd::encoder {
namespace {

using test::Bytes;
using test::ScriptedTransport;
namespace ccid = protocol::ccid;

// The ATR an ACR122U reports for a MIFARE Classic 1K (PC/SC part 3).
const Bytes mifare_1k_atr{0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00,
                          0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A};
const Bytes get_uid{0xFF, 0xCA, 0x00, 0x00, 0x00};

class CcidReaderTest : public ::testing::Test {
protected:
    ScriptedTransport usb;
    CcidReader reader{usb};

    void power_up() {
        usb.answer(test::data_block(mifare_1k_atr));
        ASSERT_TRUE(reader.power_on().has_value());
    }
};

TEST_F(CcidReaderTest, powerOnSendsIccPowerOnAndAnswersTheAtr) {
    usb.answer(test::data_block(mifare_1k_atr));
    const auto atr = reader.power_on();
    ASSERT_TRUE(atr.has_value()) << atr.error().message;
    EXPECT_EQ(*atr, mifare_1k_atr);
    EXPECT_TRUE(reader.powered());
    ASSERT_EQ(usb.sent().size(), 1u);
    EXPECT_EQ(usb.sent()[0], (Bytes{0x62, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}));
}

TEST_F(CcidReaderTest, transmitSendsXfrBlockWithTheApdu) {
    power_up();
    usb.answer(test::data_block({0x04, 0xA1, 0xB2, 0xC3, 0x90, 0x00}));
    const auto answer = reader.transmit(get_uid);
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    EXPECT_EQ(*answer, (Bytes{0x04, 0xA1, 0xB2, 0xC3, 0x90, 0x00}));
    EXPECT_EQ(usb.sent()[1],
              (Bytes{0x6F, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xFF, 0xCA, 0x00, 0x00, 0x00}));
}

TEST_F(CcidReaderTest, sequenceNumberGrowsPerMessageAndWraps) {
    for (int i = 0; i < 258; ++i) {
        usb.answer(test::slot_status(0x00));
        ASSERT_TRUE(reader.card_present().has_value()) << i;
    }
    ASSERT_EQ(usb.sent().size(), 258u);
    EXPECT_EQ(usb.sent()[0][6], 0);
    EXPECT_EQ(usb.sent()[1][6], 1);
    EXPECT_EQ(usb.sent()[255][6], 255);
    EXPECT_EQ(usb.sent()[256][6], 0);
    EXPECT_EQ(usb.sent()[257][6], 1);
}

TEST_F(CcidReaderTest, wrongSequenceNumberIsGarbled) {
    // GetSlotStatus goes out with seq 0; this answer is for seq 1.
    usb.answer_raw({0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00});
    const auto present = reader.card_present();
    ASSERT_FALSE(present.has_value());
    EXPECT_EQ(present.error().code, Errc::garbled);
}

TEST_F(CcidReaderTest, wrongAnswerTypeIsGarbled) {
    power_up();
    usb.answer(test::slot_status(0x00));
    const auto answer = reader.transmit(get_uid);
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().code, Errc::garbled);
}

TEST_F(CcidReaderTest, wrongSlotIsGarbled) {
    usb.answer_raw({0x81, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00});
    const auto present = reader.card_present();
    ASSERT_FALSE(present.has_value());
    EXPECT_EQ(present.error().code, Errc::garbled);
}

TEST_F(CcidReaderTest, malformedAnswerIsGarbled) {
    usb.answer_raw({0x81, 0x00, 0x00});
    const auto present = reader.card_present();
    ASSERT_FALSE(present.has_value());
    EXPECT_EQ(present.error().code, Errc::garbled);

    usb.answer_raw({0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x04, 0x00, 0x00});  // reserved bStatus bit
    const auto again = reader.card_present();
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, Errc::garbled);
}

TEST_F(CcidReaderTest, timeExtensionsAreWaitedOut) {
    power_up();
    usb.answer(test::time_extension());
    usb.answer(test::time_extension());
    usb.answer(test::data_block({0x90, 0x00}));
    const int reads_before = usb.reads();
    const auto answer = reader.transmit(get_uid);
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    EXPECT_EQ(*answer, (Bytes{0x90, 0x00}));
    EXPECT_EQ(usb.reads() - reads_before, 3);
    EXPECT_EQ(usb.sent().size(), 2u);  // one XfrBlock, no resend
}

TEST_F(CcidReaderTest, endlessTimeExtensionsTimeOut) {
    power_up();
    for (int i = 0; i <= CcidReader::max_time_extensions + 5; ++i) usb.answer(test::time_extension());
    const auto answer = reader.transmit(get_uid);
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().code, Errc::timeout);
    EXPECT_EQ(usb.pending(), 5u);  // stopped after max_time_extensions + 1 reads
}

TEST_F(CcidReaderTest, cardPresentReadsTheIccStatus) {
    usb.answer(test::slot_status(0x00));
    usb.answer(test::slot_status(0x01));
    usb.answer(test::slot_status(0x02));
    usb.answer(test::slot_status(0x40, ccid::slot_error::icc_mute));
    usb.answer(test::slot_status(0x42, ccid::slot_error::icc_mute));
    EXPECT_EQ(reader.card_present(), true);
    EXPECT_EQ(reader.card_present(), true);
    EXPECT_EQ(reader.card_present(), false);
    EXPECT_EQ(reader.card_present(), false);
    EXPECT_EQ(reader.card_present(), false);
}

TEST_F(CcidReaderTest, cardPresentReportsOtherSlotErrors) {
    usb.answer(test::slot_status(0x40, ccid::slot_error::hw_error));
    const auto present = reader.card_present();
    ASSERT_FALSE(present.has_value());
    EXPECT_EQ(present.error().code, Errc::card_failed);
    EXPECT_NE(present.error().message.find("0xFB"), std::string::npos) << present.error().message;
}

TEST_F(CcidReaderTest, powerOnWithoutCardIsNoCard) {
    usb.answer(test::failed_data_block(0x42, ccid::slot_error::icc_mute));
    usb.answer(test::failed_data_block(0x40, ccid::slot_error::icc_mute));
    for (int i = 0; i < 2; ++i) {
        const auto atr = reader.power_on();
        ASSERT_FALSE(atr.has_value());
        EXPECT_EQ(atr.error().code, Errc::no_card);
        EXPECT_FALSE(reader.powered());
    }
}

TEST_F(CcidReaderTest, powerOnFailureCarriesTheErrorNumber) {
    usb.answer(test::failed_data_block(0x41, ccid::slot_error::bad_atr_ts));
    const auto atr = reader.power_on();
    ASSERT_FALSE(atr.has_value());
    EXPECT_EQ(atr.error().code, Errc::card_failed);
    EXPECT_NE(atr.error().message.find("0xF8"), std::string::npos) << atr.error().message;
}

TEST_F(CcidReaderTest, cardGoneAfterPowerOnIsCardRemoved) {
    power_up();
    usb.answer(test::failed_data_block(0x42, ccid::slot_error::icc_mute));
    const auto answer = reader.transmit(get_uid);
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().code, Errc::card_removed);
    EXPECT_FALSE(reader.powered());
}

TEST_F(CcidReaderTest, transmitWithoutPowerOnAndWithoutCardIsNoCard) {
    usb.answer(test::failed_data_block(0x40, ccid::slot_error::icc_mute));
    const auto answer = reader.transmit(get_uid);
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().code, Errc::no_card);
}

TEST_F(CcidReaderTest, otherTransmitFailureIsCardFailed) {
    power_up();
    usb.answer(test::failed_data_block(0x40, ccid::slot_error::xfr_parity_error));
    const auto answer = reader.transmit(get_uid);
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().code, Errc::card_failed);
    EXPECT_NE(answer.error().message.find("0xFD"), std::string::npos) << answer.error().message;
}

TEST_F(CcidReaderTest, transportErrorsPassThrough) {
    usb.fail_in(Errc::timeout);
    EXPECT_EQ(reader.card_present().error().code, Errc::timeout);
    usb.fail_out(Errc::no_device);
    EXPECT_EQ(reader.card_present().error().code, Errc::no_device);
    usb.fail_in(Errc::usb_io);
    EXPECT_EQ(reader.transmit(get_uid).error().code, Errc::usb_io);
}

// After a timed-out command, its late answer must not pass for the next one's.
TEST_F(CcidReaderTest, lateAnswerToAnEarlierCommandIsGarbled) {
    usb.fail_in(Errc::timeout);
    ASSERT_EQ(reader.card_present().error().code, Errc::timeout);
    usb.answer_raw({0x81, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00});  // seq 0, the first command's
    EXPECT_EQ(reader.card_present().error().code, Errc::garbled);
}

TEST_F(CcidReaderTest, powerOffSendsIccPowerOff) {
    power_up();
    usb.answer(test::slot_status(0x01));
    ASSERT_TRUE(reader.power_off().has_value());
    EXPECT_FALSE(reader.powered());
    EXPECT_EQ(usb.sent()[1], (Bytes{0x63, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00}));
}

TEST_F(CcidReaderTest, powerOffWithoutCardIsFine) {
    usb.answer(test::slot_status(0x42, ccid::slot_error::icc_mute));
    EXPECT_TRUE(reader.power_off().has_value());
    usb.answer(test::slot_status(0x40, ccid::slot_error::hw_error));
    EXPECT_EQ(reader.power_off().error().code, Errc::card_failed);
}

TEST_F(CcidReaderTest, escapeSendsPcToRdrEscape) {
    usb.answer(test::escape_answer({0x41, 0x43, 0x52}));
    const Bytes firmware{0xFF, 0x00, 0x48, 0x00, 0x00};
    const auto answer = reader.escape(firmware);
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    EXPECT_EQ(*answer, (Bytes{0x41, 0x43, 0x52}));
    EXPECT_EQ(usb.sent()[0],
              (Bytes{0x6B, 0x05, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0x00, 0x48, 0x00, 0x00}));
}

TEST_F(CcidReaderTest, escapeAnsweredByDataBlockIsGarbled) {
    usb.answer(test::data_block({0x41}));
    EXPECT_EQ(reader.escape(Bytes{0xFF, 0x00, 0x48, 0x00, 0x00}).error().code, Errc::garbled);
}

TEST_F(CcidReaderTest, refusedEscapeIsCardFailed) {
    auto refused = test::escape_answer({});
    refused.command = ccid::CommandStatus::failed;
    refused.error = ccid::slot_error::cmd_not_supported;
    usb.answer(refused);
    EXPECT_EQ(reader.escape(Bytes{0xFF, 0x00, 0x48, 0x00, 0x00}).error().code, Errc::card_failed);
}

TEST_F(CcidReaderTest, refusesApduLongerThanAMessage) {
    EXPECT_THROW((void)reader.transmit(Bytes(ccid::max_message_size, 0)), std::invalid_argument);
    EXPECT_TRUE(usb.sent().empty());
}

}  // namespace
}  // namespace cardd::encoder
