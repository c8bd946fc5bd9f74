#include "daemon/encoder/libusb_transport.hpp"

#include <string>

#include <gtest/gtest.h>

namespace cardd::encoder {
namespace {

// No reader with this id exists anywhere (FFFF is not an assigned vendor).
// Where USB itself cannot be used (libusb_init fails, as in some
// containers) the answer is still no_device, with that reason.
TEST(LibusbTransport, missingReaderIsNoDevice) {
    const auto transport = LibusbTransport::open(0xFFFF, 0xFFFE);
    ASSERT_FALSE(transport.has_value());
    EXPECT_EQ(transport.error().code, Errc::no_device);
    const std::string& message = transport.error().message;
    EXPECT_NE(message.find("ffff:fffe"), std::string::npos) << message;
    const bool not_attached = message.find("no USB device ffff:fffe is attached") != std::string::npos;
    const bool no_usb = message.find("libusb_init failed") != std::string::npos;
    EXPECT_TRUE(not_attached || no_usb) << message;
}

TEST(EncoderError, namesEveryCode) {
    EXPECT_EQ(to_string(Errc::no_device), "no_device");
    EXPECT_EQ(to_string(Errc::usb_io), "usb_io");
    EXPECT_EQ(to_string(Errc::timeout), "timeout");
    EXPECT_EQ(to_string(Errc::garbled), "garbled");
    EXPECT_EQ(to_string(Errc::no_card), "no_card");
    EXPECT_EQ(to_string(Errc::card_removed), "card_removed");
    EXPECT_EQ(to_string(Errc::auth_failed), "auth_failed");
    EXPECT_EQ(to_string(Errc::not_permitted), "not_permitted");
    EXPECT_EQ(to_string(Errc::card_failed), "card_failed");
    EXPECT_EQ(to_string(Errc::corrupt), "corrupt");
    EXPECT_EQ(to_string(Errc::storage), "storage");
}

}  // namespace
}  // namespace cardd::encoder
