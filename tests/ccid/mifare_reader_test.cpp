#include "daemon/encoder/mifare_reader.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "tests/ccid/scripted_transport.hpp"

namespace cardd::encoder {
namespace {

using protocol::card::Block;
using protocol::card::Key;
using protocol::card::KeyType;
using test::Bytes;
using test::ScriptedTransport;
namespace ccid = protocol::ccid;

const Bytes atr{0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00,
                0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A};
const Bytes ok{0x90, 0x00};
const Bytes refused{0x63, 0x00};
const Key key{0x4B, 0x45, 0x59, 0x31, 0x32, 0x33};

// The APDU inside a sent XfrBlock or Escape.
Bytes apdu_of(const Bytes& message) {
    return {message.begin() + static_cast<std::ptrdiff_t>(ccid::header_size), message.end()};
}

Bytes with_status(Bytes data, const Bytes& status) {
    data.insert(data.end(), status.begin(), status.end());
    return data;
}

class MifareReaderTest : public ::testing::Test {
protected:
    ScriptedTransport usb;
    CcidReader ccid{usb};
    MifareReader mifare{ccid};

    // Powers the card and reads its UID, as a session starts.
    void start() {
        usb.answer(test::data_block(atr));
        usb.answer(test::data_block({0x04, 0xA1, 0xB2, 0xC3, 0x90, 0x00}));
        ASSERT_TRUE(mifare.uid().has_value());
    }

    void answer(Bytes bytes) { usb.answer(test::data_block(std::move(bytes))); }
    const Bytes& last_sent() const { return usb.sent().back(); }
};

TEST_F(MifareReaderTest, firmwareGoesThroughEscapeAndHasNoStatusWord) {
    usb.answer(test::escape_answer({0x41, 0x43, 0x52, 0x31, 0x32, 0x32, 0x55, 0x32, 0x30, 0x31}));
    const auto firmware = mifare.firmware();
    ASSERT_TRUE(firmware.has_value()) << firmware.error().message;
    EXPECT_EQ(*firmware, "ACR122U201");
    ASSERT_EQ(usb.sent().size(), 1u);
    EXPECT_EQ(usb.sent()[0][0], 0x6B);
    EXPECT_EQ(apdu_of(usb.sent()[0]), (Bytes{0xFF, 0x00, 0x48, 0x00, 0x00}));
}

TEST_F(MifareReaderTest, garbageFirmwareIsGarbled) {
    usb.answer(test::escape_answer({0x41, 0x01}));
    EXPECT_EQ(mifare.firmware().error().code, Errc::garbled);
}

TEST_F(MifareReaderTest, uidPowersOnOnceThenAsksForTheUid) {
    start();
    ASSERT_EQ(usb.sent().size(), 2u);
    EXPECT_EQ(usb.sent()[0][0], 0x62);
    EXPECT_EQ(usb.sent()[1][0], 0x6F);
    EXPECT_EQ(apdu_of(usb.sent()[1]), (Bytes{0xFF, 0xCA, 0x00, 0x00, 0x00}));

    answer({0x04, 0xA1, 0xB2, 0xC3, 0x90, 0x00});
    const auto uid = mifare.uid();
    ASSERT_TRUE(uid.has_value()) << uid.error().message;
    EXPECT_EQ(*uid, (Bytes{0x04, 0xA1, 0xB2, 0xC3}));
    ASSERT_EQ(usb.sent().size(), 3u);  // no second power-up
    EXPECT_EQ(usb.sent()[2][0], 0x6F);
}

TEST_F(MifareReaderTest, uidWithoutCardIsNoCard) {
    usb.answer(test::failed_data_block(0x42, ccid::slot_error::icc_mute));
    EXPECT_EQ(mifare.uid().error().code, Errc::no_card);
}

TEST_F(MifareReaderTest, uidOfANewCardPowersUpAgain) {
    start();
    usb.answer(test::failed_data_block(0x42, ccid::slot_error::icc_mute));  // the old card is gone
    usb.answer(test::data_block(atr));
    answer({0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x90, 0x00});
    const auto uid = mifare.uid();
    ASSERT_TRUE(uid.has_value()) << uid.error().message;
    EXPECT_EQ(*uid, (Bytes{0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77}));
}

TEST_F(MifareReaderTest, uidOfOddLengthIsGarbled) {
    usb.answer(test::data_block(atr));
    answer({0x04, 0xA1, 0xB2, 0x90, 0x00});
    EXPECT_EQ(mifare.uid().error().code, Errc::garbled);
}

TEST_F(MifareReaderTest, authenticateLoadsTheKeyThenAuthenticates) {
    start();
    answer(ok);
    answer(ok);
    ASSERT_TRUE(mifare.authenticate(7, KeyType::b, key).has_value());
    ASSERT_EQ(usb.sent().size(), 4u);
    EXPECT_EQ(apdu_of(usb.sent()[2]), (Bytes{0xFF, 0x82, 0x00, 0x00, 0x06, 0x4B, 0x45, 0x59, 0x31, 0x32, 0x33}));
    EXPECT_EQ(apdu_of(usb.sent()[3]), (Bytes{0xFF, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, 0x07, 0x61, 0x00}));
}

TEST_F(MifareReaderTest, refusedKeyIsAuthFailedWithoutTheKeyInTheMessage) {
    start();
    answer(ok);
    answer(refused);
    usb.answer(test::slot_status(0x00));  // the card is still there
    const auto auth = mifare.authenticate(4, KeyType::a, key);
    ASSERT_FALSE(auth.has_value());
    EXPECT_EQ(auth.error().code, Errc::auth_failed);
    for (const char* part : {"4B", "4b", "KEY1", "45 59"}) {
        EXPECT_EQ(auth.error().message.find(part), std::string::npos) << auth.error().message;
    }
}

TEST_F(MifareReaderTest, refusedLoadKeyIsCardFailedWithoutTheKey) {
    start();
    answer({0x6A, 0x81});
    const auto auth = mifare.authenticate(4, KeyType::a, key);
    ASSERT_FALSE(auth.has_value());
    EXPECT_EQ(auth.error().code, Errc::card_failed);
    EXPECT_NE(auth.error().message.find("6A 81"), std::string::npos) << auth.error().message;
    EXPECT_EQ(auth.error().message.find("4B"), std::string::npos) << auth.error().message;
    EXPECT_EQ(usb.sent().size(), 3u);  // no authentication after a failed load
}

// 63 00 to a key load is the reader's failure, not a wrong key.
TEST_F(MifareReaderTest, failedLoadKeyIsCardFailed) {
    start();
    answer(refused);
    usb.answer(test::slot_status(0x00));
    const auto auth = mifare.authenticate(4, KeyType::a, key);
    ASSERT_FALSE(auth.has_value());
    EXPECT_EQ(auth.error().code, Errc::card_failed);
    EXPECT_NE(auth.error().message.find("63 00"), std::string::npos) << auth.error().message;
}

TEST_F(MifareReaderTest, authenticateWithTheCardGoneIsCardRemoved) {
    start();
    answer(ok);
    answer(refused);
    usb.answer(test::slot_status(0x02));
    EXPECT_EQ(mifare.authenticate(4, KeyType::a, key).error().code, Errc::card_removed);
}

TEST_F(MifareReaderTest, readBlockAnswersSixteenBytes) {
    start();
    Block block{};
    for (std::size_t i = 0; i < block.size(); ++i) block[i] = static_cast<std::uint8_t>(0xF0 + i);
    answer(with_status(Bytes(block.begin(), block.end()), ok));
    const auto read = mifare.read_block(4);
    ASSERT_TRUE(read.has_value()) << read.error().message;
    EXPECT_EQ(*read, block);
    EXPECT_EQ(apdu_of(last_sent()), (Bytes{0xFF, 0xB0, 0x00, 0x04, 0x10}));
}

TEST_F(MifareReaderTest, readOfWrongLengthIsGarbled) {
    start();
    answer(with_status(Bytes(15, 0), ok));
    EXPECT_EQ(mifare.read_block(4).error().code, Errc::garbled);
    answer(with_status(Bytes(17, 0), ok));
    EXPECT_EQ(mifare.read_block(4).error().code, Errc::garbled);
    answer({0x90});
    EXPECT_EQ(mifare.read_block(4).error().code, Errc::garbled);
}

TEST_F(MifareReaderTest, refusedReadWithCardPresentIsNotPermitted) {
    start();
    answer(refused);
    usb.answer(test::slot_status(0x00));
    const auto read = mifare.read_block(7);
    ASSERT_FALSE(read.has_value());
    EXPECT_EQ(read.error().code, Errc::not_permitted);
    EXPECT_EQ(usb.sent().back()[0], 0x65);  // the slot was asked
}

TEST_F(MifareReaderTest, refusedReadWithCardGoneIsCardRemoved) {
    start();
    answer(refused);
    usb.answer(test::slot_status(0x42, ccid::slot_error::icc_mute));
    EXPECT_EQ(mifare.read_block(4).error().code, Errc::card_removed);
    EXPECT_FALSE(ccid.powered());
}

TEST_F(MifareReaderTest, cardPulledMidWriteIsCardRemoved) {
    start();
    usb.answer(test::failed_data_block(0x42, ccid::slot_error::icc_mute));
    EXPECT_EQ(mifare.write_block(4, Block{}).error().code, Errc::card_removed);
}

TEST_F(MifareReaderTest, otherStatusWordIsCardFailed) {
    start();
    answer({0x6A, 0x81});
    const auto read = mifare.read_block(4);
    ASSERT_FALSE(read.has_value());
    EXPECT_EQ(read.error().code, Errc::card_failed);
    EXPECT_NE(read.error().message.find("6A 81"), std::string::npos) << read.error().message;
}

TEST_F(MifareReaderTest, writeBlockSendsUpdateBinary) {
    start();
    Block block{};
    block[0] = 0x01;
    block[15] = 0xFF;
    answer(ok);
    ASSERT_TRUE(mifare.write_block(5, block).has_value());
    EXPECT_EQ(apdu_of(last_sent()), (Bytes{0xFF, 0xD6, 0x00, 0x05, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
                                           0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF}));
}

TEST_F(MifareReaderTest, refusedWriteIsNotPermitted) {
    start();
    answer(refused);
    usb.answer(test::slot_status(0x00));
    EXPECT_EQ(mifare.write_block(4, Block{}).error().code, Errc::not_permitted);
}

TEST_F(MifareReaderTest, writeAnsweredWithDataIsGarbled) {
    start();
    answer({0x01, 0x90, 0x00});
    EXPECT_EQ(mifare.write_block(4, Block{}).error().code, Errc::garbled);
}

TEST_F(MifareReaderTest, valueOperationsSendTheAmountBigEndian) {
    start();
    answer(ok);
    ASSERT_TRUE(mifare.increment(5, 500).has_value());
    EXPECT_EQ(apdu_of(last_sent()), (Bytes{0xFF, 0xD7, 0x00, 0x05, 0x05, 0x01, 0x00, 0x00, 0x01, 0xF4}));
    answer(ok);
    ASSERT_TRUE(mifare.decrement(6, 1).has_value());
    EXPECT_EQ(apdu_of(last_sent()), (Bytes{0xFF, 0xD7, 0x00, 0x06, 0x05, 0x02, 0x00, 0x00, 0x00, 0x01}));
}

TEST_F(MifareReaderTest, refusedDecrementIsNotPermitted) {
    start();
    answer(refused);
    usb.answer(test::slot_status(0x00));
    EXPECT_EQ(mifare.decrement(5, 1).error().code, Errc::not_permitted);
}

TEST_F(MifareReaderTest, readValueAnswersTheSignedValue) {
    start();
    answer({0x00, 0x00, 0x01, 0xF4, 0x90, 0x00});
    EXPECT_EQ(mifare.read_value(5), 500);
    EXPECT_EQ(apdu_of(last_sent()), (Bytes{0xFF, 0xB1, 0x00, 0x05, 0x04}));
    answer({0xFF, 0xFF, 0xFF, 0xFD, 0x90, 0x00});
    EXPECT_EQ(mifare.read_value(6), -3);
}

TEST_F(MifareReaderTest, readValueOfWrongLengthIsGarbled) {
    start();
    answer({0x00, 0x01, 0xF4, 0x90, 0x00});
    EXPECT_EQ(mifare.read_value(5).error().code, Errc::garbled);
}

TEST_F(MifareReaderTest, slowCardIsWaitedFor) {
    start();
    usb.answer(test::time_extension());
    answer(with_status(Bytes(16, 0xAB), ok));
    const auto read = mifare.read_block(4);
    ASSERT_TRUE(read.has_value()) << read.error().message;
    EXPECT_EQ((*read)[0], 0xAB);
}

TEST_F(MifareReaderTest, cardPresentAsksTheSlot) {
    usb.answer(test::slot_status(0x02));
    EXPECT_EQ(mifare.card_present(), false);
    EXPECT_EQ(usb.sent()[0][0], 0x65);
}

}  // namespace
}  // namespace cardd::encoder
