#include "protocol/ccid/acr122_apdu.hpp"

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::protocol::acr122 {
namespace {

using Bytes = std::vector<std::uint8_t>;

const Key key{0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5};
const Block block_data{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};

// Each command with its bytes as the ACR122U Application Programming
// Interface writes them.
struct Example {
    const char* name;
    Command command;
    Bytes bytes;
};

std::vector<Example> examples() {
    return {
        {"Get Data (UID)", GetUid{}, {0xFF, 0xCA, 0x00, 0x00, 0x00}},
        {"Load Authentication Keys",
         LoadKey{0x00, key},
         {0xFF, 0x82, 0x00, 0x00, 0x06, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5}},
        {"Load Authentication Keys, slot 1",
         LoadKey{0x01, card::transport_key},
         {0xFF, 0x82, 0x00, 0x01, 0x06, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}},
        {"General Authenticate, key A",
         Authenticate{0x04, KeyType::a, 0x00},
         {0xFF, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, 0x04, 0x60, 0x00}},
        {"General Authenticate, key B",
         Authenticate{0x07, KeyType::b, 0x01},
         {0xFF, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, 0x07, 0x61, 0x01}},
        {"Read Binary", ReadBinary{0x04}, {0xFF, 0xB0, 0x00, 0x04, 0x10}},
        {"Update Binary", UpdateBinary{0x05, block_data}, {0xFF, 0xD6, 0x00, 0x05, 0x10, 0x00, 0x01,
                                                           0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                                                           0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F}},
        {"Value Block Operation, store",
         ValueOperation{0x05, ValueOp::store, 1},
         {0xFF, 0xD7, 0x00, 0x05, 0x05, 0x00, 0x00, 0x00, 0x00, 0x01}},
        {"Value Block Operation, increment",
         ValueOperation{0x05, ValueOp::increment, 500},
         {0xFF, 0xD7, 0x00, 0x05, 0x05, 0x01, 0x00, 0x00, 0x01, 0xF4}},
        {"Value Block Operation, decrement",
         ValueOperation{0x06, ValueOp::decrement, 0x12345678},
         {0xFF, 0xD7, 0x00, 0x06, 0x05, 0x02, 0x12, 0x34, 0x56, 0x78}},
        {"Value Block Operation, negative",
         ValueOperation{0x05, ValueOp::store, -2},
         {0xFF, 0xD7, 0x00, 0x05, 0x05, 0x00, 0xFF, 0xFF, 0xFF, 0xFE}},
        {"Read Value Block", ReadValue{0x05}, {0xFF, 0xB1, 0x00, 0x05, 0x04}},
        {"Restore Value Block", RestoreValue{0x05, 0x06}, {0xFF, 0xD7, 0x00, 0x05, 0x02, 0x03, 0x06}},
        {"Get firmware version", GetFirmware{}, {0xFF, 0x00, 0x48, 0x00, 0x00}},
    };
}

TEST(Acr122Command, encodesTheDocumentedBytes) {
    for (const Example& e : examples()) EXPECT_EQ(encode(e.command), e.bytes) << e.name;
}

TEST(Acr122Command, decodesTheDocumentedBytes) {
    for (const Example& e : examples()) {
        const auto decoded = decode_command(e.bytes);
        ASSERT_TRUE(decoded.has_value()) << e.name << ": " << decoded.error().message;
        EXPECT_EQ(encode(*decoded), e.bytes) << e.name;
        EXPECT_EQ(decoded->index(), e.command.index()) << e.name;
    }
}

TEST(Acr122Command, decodesFields) {
    const auto auth = decode_command(Bytes{0xFF, 0x86, 0x00, 0x00, 0x05, 0x01, 0x00, 0x3B, 0x61, 0x01});
    ASSERT_TRUE(auth.has_value()) << auth.error().message;
    const auto& a = std::get<Authenticate>(*auth);
    EXPECT_EQ(a.block, 0x3B);
    EXPECT_EQ(a.type, KeyType::b);
    EXPECT_EQ(a.slot, 1);

    const auto value = decode_command(Bytes{0xFF, 0xD7, 0x00, 0x05, 0x05, 0x02, 0xFF, 0xFF, 0xFF, 0xFE});
    ASSERT_TRUE(value.has_value()) << value.error().message;
    const auto& v = std::get<ValueOperation>(*value);
    EXPECT_EQ(v.block, 5);
    EXPECT_EQ(v.op, ValueOp::decrement);
    EXPECT_EQ(v.value, -2);

    const auto load = decode_command(Bytes{0xFF, 0x82, 0x00, 0x01, 0x06, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5});
    ASSERT_TRUE(load.has_value()) << load.error().message;
    EXPECT_EQ(std::get<LoadKey>(*load).key, key);
    EXPECT_EQ(std::get<LoadKey>(*load).slot, 1);

    const auto restore = decode_command(Bytes{0xFF, 0xD7, 0x00, 0x05, 0x02, 0x03, 0x06});
    ASSERT_TRUE(restore.has_value()) << restore.error().message;
    EXPECT_EQ(std::get<RestoreValue>(*restore).source, 5);
    EXPECT_EQ(std::get<RestoreValue>(*restore).target, 6);
}

DecodeError command_error(const Bytes& bytes) {
    const auto decoded = decode_command(bytes);
    EXPECT_FALSE(decoded.has_value());
    return decoded ? DecodeError{DecodeErrc::bad_magic, "decoded"} : decoded.error();
}

TEST(Acr122Command, refusesFewerThanFiveBytes) {
    EXPECT_EQ(command_error({}).code, DecodeErrc::truncated);
    EXPECT_EQ(command_error({0xFF, 0xCA, 0x00, 0x00}).code, DecodeErrc::truncated);
}

TEST(Acr122Command, refusesOtherClasses) {
    EXPECT_EQ(command_error({0x00, 0xCA, 0x00, 0x00, 0x00}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0x80, 0xB0, 0x00, 0x04, 0x10}).code, DecodeErrc::bad_value);
}

TEST(Acr122Command, refusesUnknownInstructions) {
    EXPECT_EQ(command_error({0xFF, 0xA4, 0x00, 0x00, 0x00}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0x00, 0x00, 0x00, 0x00}).code, DecodeErrc::bad_value);  // not firmware
}

TEST(Acr122Command, refusesGetDataVariants) {
    EXPECT_EQ(command_error({0xFF, 0xCA, 0x01, 0x00, 0x00}).code, DecodeErrc::bad_value);  // ATS
    EXPECT_EQ(command_error({0xFF, 0xCA, 0x00, 0x01, 0x00}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0xCA, 0x00, 0x00, 0x04}).code, DecodeErrc::length_mismatch);
    EXPECT_EQ(command_error({0xFF, 0xCA, 0x00, 0x00, 0x00, 0x00}).code, DecodeErrc::too_long);
}

TEST(Acr122Command, refusesBadLoadKey) {
    // P1 20 is a non-volatile key store, which the ACR122U does not have.
    EXPECT_EQ(command_error({0xFF, 0x82, 0x20, 0x00, 0x06, 1, 2, 3, 4, 5, 6}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0x82, 0x00, 0x02, 0x06, 1, 2, 3, 4, 5, 6}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0x82, 0x00, 0x00, 0x05, 1, 2, 3, 4, 5}).code, DecodeErrc::length_mismatch);
    EXPECT_EQ(command_error({0xFF, 0x82, 0x00, 0x00, 0x06, 1, 2, 3, 4, 5}).code, DecodeErrc::truncated);
    EXPECT_EQ(command_error({0xFF, 0x82, 0x00, 0x00, 0x06, 1, 2, 3, 4, 5, 6, 7}).code, DecodeErrc::too_long);
}

// A refused Load Key must not carry the key into logs.
TEST(Acr122Command, loadKeyErrorsDoNotEchoTheKey) {
    const Bytes apdu{0xFF, 0x82, 0x00, 0x00, 0x06, 0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0x00};
    const std::string message = command_error(apdu).message;
    for (const char* hex : {"A0", "a0", "A5", "a5", "160", "165"}) {
        EXPECT_EQ(message.find(hex), std::string::npos) << message;
    }
}

TEST(Acr122Command, refusesBadAuthenticate) {
    auto auth = [](std::uint8_t p1, std::uint8_t lc, Bytes data) {
        Bytes bytes{0xFF, 0x86, p1, 0x00, lc};
        bytes.insert(bytes.end(), data.begin(), data.end());
        return command_error(bytes).code;
    };
    EXPECT_EQ(auth(0x01, 0x05, {0x01, 0x00, 0x04, 0x60, 0x00}), DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0x86, 0x00, 0x01, 0x05, 0x01, 0x00, 0x04, 0x60, 0x00}).code, DecodeErrc::bad_value);
    EXPECT_EQ(auth(0x00, 0x05, {0x02, 0x00, 0x04, 0x60, 0x00}), DecodeErrc::bad_value);  // version
    EXPECT_EQ(auth(0x00, 0x05, {0x01, 0x01, 0x04, 0x60, 0x00}), DecodeErrc::bad_value);  // block MSB
    EXPECT_EQ(auth(0x00, 0x05, {0x01, 0x00, 0x04, 0x62, 0x00}), DecodeErrc::bad_value);  // key type
    EXPECT_EQ(auth(0x00, 0x05, {0x01, 0x00, 0x04, 0x60, 0x02}), DecodeErrc::bad_value);  // key slot
    EXPECT_EQ(auth(0x00, 0x04, {0x01, 0x00, 0x04, 0x60}), DecodeErrc::length_mismatch);
    EXPECT_EQ(auth(0x00, 0x05, {0x01, 0x00, 0x04, 0x60}), DecodeErrc::truncated);
    EXPECT_EQ(auth(0x00, 0x05, {0x01, 0x00, 0x04, 0x60, 0x00, 0x00}), DecodeErrc::too_long);
}

TEST(Acr122Command, refusesBadReadBinary) {
    EXPECT_EQ(command_error({0xFF, 0xB0, 0x01, 0x04, 0x10}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0xB0, 0x00, 0x04, 0x04}).code, DecodeErrc::length_mismatch);
    EXPECT_EQ(command_error({0xFF, 0xB0, 0x00, 0x04, 0x10, 0x00}).code, DecodeErrc::too_long);
}

TEST(Acr122Command, refusesBadUpdateBinary) {
    Bytes bytes{0xFF, 0xD6, 0x00, 0x04, 0x10};
    bytes.insert(bytes.end(), block_data.begin(), block_data.end());
    Bytes p1 = bytes;
    p1[2] = 0x01;
    EXPECT_EQ(command_error(p1).code, DecodeErrc::bad_value);
    Bytes lc = bytes;
    lc[4] = 0x0F;
    EXPECT_EQ(command_error(lc).code, DecodeErrc::length_mismatch);
    EXPECT_EQ(command_error(Bytes(bytes.begin(), bytes.end() - 1)).code, DecodeErrc::truncated);
    Bytes longer = bytes;
    longer.push_back(0);
    EXPECT_EQ(command_error(longer).code, DecodeErrc::too_long);
}

TEST(Acr122Command, refusesBadValueOperation) {
    EXPECT_EQ(command_error({0xFF, 0xD7, 0x01, 0x05, 0x05, 0x01, 0, 0, 0, 1}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0xD7, 0x00, 0x05, 0x05, 0x03, 0, 0, 0, 1}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0xD7, 0x00, 0x05, 0x04, 0x01, 0, 0, 1}).code, DecodeErrc::length_mismatch);
    EXPECT_EQ(command_error({0xFF, 0xD7, 0x00, 0x05, 0x05, 0x01, 0, 0, 1}).code, DecodeErrc::truncated);
    EXPECT_EQ(command_error({0xFF, 0xD7, 0x00, 0x05, 0x05, 0x01, 0, 0, 0, 1, 0}).code, DecodeErrc::too_long);
}

TEST(Acr122Command, refusesBadRestore) {
    EXPECT_EQ(command_error({0xFF, 0xD7, 0x00, 0x05, 0x02, 0x04, 0x06}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0xD7, 0x00, 0x05, 0x02, 0x03}).code, DecodeErrc::truncated);
    EXPECT_EQ(command_error({0xFF, 0xD7, 0x00, 0x05, 0x02, 0x03, 0x06, 0x00}).code, DecodeErrc::too_long);
}

TEST(Acr122Command, refusesBadReadValue) {
    EXPECT_EQ(command_error({0xFF, 0xB1, 0x01, 0x05, 0x04}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0xB1, 0x00, 0x05, 0x10}).code, DecodeErrc::length_mismatch);
    EXPECT_EQ(command_error({0xFF, 0xB1, 0x00, 0x05, 0x04, 0x00}).code, DecodeErrc::too_long);
}

TEST(Acr122Command, refusesBadFirmwareRequest) {
    EXPECT_EQ(command_error({0xFF, 0x00, 0x49, 0x00, 0x00}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0x00, 0x48, 0x01, 0x00}).code, DecodeErrc::bad_value);
    EXPECT_EQ(command_error({0xFF, 0x00, 0x48, 0x00, 0x0A}).code, DecodeErrc::length_mismatch);
    EXPECT_EQ(command_error({0xFF, 0x00, 0x48, 0x00, 0x00, 0x00}).code, DecodeErrc::too_long);
}

TEST(Acr122Response, splitsDataAndStatus) {
    const auto uid = decode_response(Bytes{0x04, 0xA1, 0xB2, 0xC3, 0x90, 0x00});
    ASSERT_TRUE(uid.has_value()) << uid.error().message;
    EXPECT_TRUE(uid->ok());
    EXPECT_EQ(uid->data, (Bytes{0x04, 0xA1, 0xB2, 0xC3}));

    const auto failed = decode_response(Bytes{0x63, 0x00});
    ASSERT_TRUE(failed.has_value()) << failed.error().message;
    EXPECT_FALSE(failed->ok());
    EXPECT_EQ(failed->status, sw::failed);
    EXPECT_TRUE(failed->data.empty());
}

TEST(Acr122Response, encodesDataThenStatus) {
    EXPECT_EQ(encode(Response{{0x00, 0x00, 0x01, 0xF4}, sw::ok}), (Bytes{0x00, 0x00, 0x01, 0xF4, 0x90, 0x00}));
    EXPECT_EQ(encode(Response{{}, sw::failed}), (Bytes{0x63, 0x00}));
    EXPECT_EQ(encode(Response{{}, sw::wrong_length}), (Bytes{0x67, 0x00}));
}

TEST(Acr122Response, refusesFewerThanTwoBytes) {
    EXPECT_EQ(decode_response(Bytes{}).error().code, DecodeErrc::truncated);
    EXPECT_EQ(decode_response(Bytes{0x90}).error().code, DecodeErrc::truncated);
}

TEST(Acr122Response, readsValueBigEndian) {
    EXPECT_EQ(decode_value(Response{{0x00, 0x00, 0x01, 0xF4}, sw::ok}), 500);
    EXPECT_EQ(decode_value(Response{{0xFF, 0xFF, 0xFF, 0xFE}, sw::ok}), -2);
    EXPECT_EQ(decode_value(Response{{0x80, 0x00, 0x00, 0x00}, sw::ok}), INT32_MIN);
    EXPECT_EQ(decode_value(Response{{0x00, 0x01, 0xF4}, sw::ok}).error().code, DecodeErrc::length_mismatch);
    EXPECT_EQ(decode_value(Response{{}, sw::ok}).error().code, DecodeErrc::length_mismatch);
}

// The firmware answer is the bare string, no status word.
TEST(Acr122Firmware, decodesBareString) {
    const Bytes answer{0x41, 0x43, 0x52, 0x31, 0x32, 0x32, 0x55, 0x32, 0x30, 0x31};
    EXPECT_EQ(decode_firmware(answer), "ACR122U201");
    EXPECT_EQ(encode_firmware("ACR122U201"), answer);
}

TEST(Acr122Firmware, dropsATrailingStatusWord) {
    EXPECT_EQ(decode_firmware(Bytes{0x41, 0x43, 0x52, 0x90, 0x00}), "ACR");
}

TEST(Acr122Firmware, refusesEmptyAndUnprintable) {
    EXPECT_EQ(decode_firmware(Bytes{}).error().code, DecodeErrc::truncated);
    EXPECT_EQ(decode_firmware(Bytes{0x90, 0x00}).error().code, DecodeErrc::truncated);
    EXPECT_EQ(decode_firmware(Bytes{0x41, 0x00, 0x42}).error().code, DecodeErrc::bad_value);
    EXPECT_EQ(decode_firmware(Bytes{0x41, 0x63, 0x00, 0x90}).error().code, DecodeErrc::bad_value);
    EXPECT_THROW(encode_firmware(""), std::invalid_argument);
    EXPECT_THROW(encode_firmware("ACR\n"), std::invalid_argument);
}

}  // namespace
}  // namespace cardd::protocol::acr122
