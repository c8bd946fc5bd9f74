#include "tools/cardctl/argument_syntax.hpp"

#include <gtest/gtest.h>

namespace cardd::cardctl {
namespace {

// Numbers are decimal: leading zeros do not make octal, hex and signs are refused.
TEST(ArgumentSyntax, numbersAreDecimalOnly) {
    EXPECT_EQ(parse_number("1001", "card number"), 1001);
    EXPECT_EQ(parse_number("010", "card number"), 10);
    EXPECT_EQ(parse_number("0x10", "card number").error(),
              "invalid card number '0x10': give a whole number in decimal digits");
    EXPECT_FALSE(parse_number("-1", "x"));
    EXPECT_FALSE(parse_number("+1", "x"));
    EXPECT_FALSE(parse_number("", "x"));
    EXPECT_FALSE(parse_number("1 ", "x"));
    EXPECT_EQ(parse_number("9223372036854775807", "x"), 9223372036854775807);
    EXPECT_EQ(parse_number("9223372036854775808", "serial").error(), "invalid serial '9223372036854775808': too large");
}

// Card lists and name lists split on commas and refuse empty items.
TEST(ArgumentSyntax, listsSplitOnCommas) {
    EXPECT_EQ(parse_number_list("1001,1005", "card number"), (std::vector<std::int64_t>{1001, 1005}));
    EXPECT_FALSE(parse_number_list("1001,,1005", "card number"));
    EXPECT_FALSE(parse_number_list("1001,", "card number"));
    EXPECT_EQ(parse_name_list("canteen-1,canteen-3"), (std::vector<std::string>{"canteen-1", "canteen-3"}));
    EXPECT_EQ(parse_name_list("a,,b").error(), "invalid device list 'a,,b': an empty name");
    EXPECT_EQ(parse_name_list("a,b,a").error(), "invalid device list 'a,b,a': a is named twice");
}

// "all" stands alone as a device target; otherwise it is a list of names.
TEST(ArgumentSyntax, deviceTargets) {
    EXPECT_TRUE(std::holds_alternative<AllDevices>(*parse_device_targets("all")));
    EXPECT_EQ(std::get<std::vector<std::string>>(*parse_device_targets("t1,t2")),
              (std::vector<std::string>{"t1", "t2"}));
    EXPECT_EQ(parse_device_targets("all,t1").error(), "invalid device list 'all,t1': 'all' stands alone");
    EXPECT_FALSE(parse_device_targets(""));
}

// A TCP address needs a host and a port of 1 to 65535; a USB id is VID:PID in hex, lower-cased.
TEST(ArgumentSyntax, addresses) {
    EXPECT_EQ(check_host_port("10.0.0.21:502"), "10.0.0.21:502");
    EXPECT_EQ(check_host_port("[fe80::1]:1502"), "[fe80::1]:1502");
    EXPECT_FALSE(check_host_port("10.0.0.21"));
    EXPECT_FALSE(check_host_port(":502"));
    EXPECT_FALSE(check_host_port("h:0"));
    EXPECT_EQ(check_host_port("h:65536").error(),
              "invalid address 'h:65536': the port must be a number from 1 to 65535");
    EXPECT_EQ(parse_usb_id("072F:2200"), "072f:2200");
    EXPECT_EQ(parse_usb_id("72f:2200").error(), "invalid USB id '72f:2200': give VID:PID in hex, like 072f:2200");
    EXPECT_FALSE(parse_usb_id("072g:2200"));
}

}  // namespace
}  // namespace cardd::cardctl
