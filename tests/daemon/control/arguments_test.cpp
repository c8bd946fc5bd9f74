// The argument readers the commands' parsers are made of: each refuses a
// wrong type, an absent required value and an unknown name with a sentence
// that names the argument.

#include <gtest/gtest.h>

#include "daemon/control/answer.hpp"
#include "daemon/control/arguments.hpp"

namespace cardd::daemon {
namespace {

using nlohmann::json;

// Integers are read exactly; a string, a fraction or a value beyond int is refused.
TEST(Arguments, integersAreReadStrictly) {
    EXPECT_EQ(args::required_int({{"card_no", 7}}, "card_no"), 7);
    EXPECT_EQ(args::optional_int(json::object(), "card_no"), std::nullopt);
    EXPECT_EQ(args::optional_int({{"card_no", nullptr}}, "card_no"), std::nullopt);
    EXPECT_THROW(args::required_int(json::object(), "card_no"), BadArgument);
    EXPECT_THROW(args::required_int32({{"sector", 5000000000}}, "sector"), BadArgument);
    EXPECT_EQ(args::required_int32({{"sector", 3}}, "sector"), 3);
    try {
        args::required_int({{"card_no", "7"}}, "card_no");
        FAIL() << "a string was read as an integer";
    } catch (const BadArgument& bad) {
        EXPECT_STREQ(bad.what(), "argument 'card_no' must be an integer");
    }
}

// A literal above INT64_MAX is parsed as unsigned; read as a signed
// integer it would wrap into a negative one (a top-up of 2^64 - 100 into a
// refund's sign), so it is refused as out of range, in a list too.
TEST(Arguments, integersAboveInt64AreOutOfRangeNotWrapped) {
    const auto refusal = [](auto read) {
        try {
            read();
        } catch (const BadArgument& bad) {
            return std::string(bad.what());
        }
        return std::string("(read)");
    };
    EXPECT_EQ(refusal([] { args::required_int(json::parse(R"({"amount": 18446744073709551516})"), "amount"); }),
              "argument 'amount' is out of range");
    EXPECT_EQ(refusal([] { args::required_int(json::parse(R"({"card_no": 9223372036854775808})"), "card_no"); }),
              "argument 'card_no' is out of range");
    EXPECT_EQ(refusal([] { args::int_list(json::parse(R"({"card_nos": [3, 18446744073709551615]})"), "card_nos"); }),
              "argument 'card_nos' is out of range");
    EXPECT_EQ(args::required_int(json::parse(R"({"card_no": 9223372036854775807})"), "card_no"), 9223372036854775807);
}

// Booleans: absent gives the fallback or nothing, anything but true or false is refused.
TEST(Arguments, booleansAreTrueOrFalse) {
    EXPECT_TRUE(args::optional_bool(json::object(), "wipe", true));
    EXPECT_EQ(args::optional_bool(json::object(), "wipe"), std::nullopt);
    EXPECT_EQ(args::optional_bool({{"wipe", false}}, "wipe"), false);
    EXPECT_THROW(args::optional_bool({{"wipe", "yes"}}, "wipe"), BadArgument);
    EXPECT_THROW(args::optional_bool({{"wipe", 1}}, "wipe", false), BadArgument);
}

// Strings and integer lists are read as given; other types are refused.
TEST(Arguments, stringsAndListsAreReadAsGiven) {
    EXPECT_EQ(args::required_string({{"name", "T1"}}, "name"), "T1");
    EXPECT_THROW(args::required_string({{"name", 1}}, "name"), BadArgument);
    EXPECT_EQ(args::int_list({{"cards", {1, 2}}}, "cards"), (std::vector<std::int64_t>{1, 2}));
    EXPECT_TRUE(args::int_list(json::object(), "cards").empty());
    EXPECT_THROW(args::int_list({{"cards", {1, "2"}}}, "cards"), BadArgument);
}

// A command without arguments either ignores what comes (status) or refuses it (failed).
TEST(Arguments, commandsWithoutArgumentsIgnoreOrRefuse) {
    EXPECT_NO_THROW(ignored_arguments({{"verbose", true}}));
    EXPECT_NO_THROW(no_arguments(json::object()));
    try {
        no_arguments({{"verbose", true}});
        FAIL() << "an argument was taken by a command that has none";
    } catch (const BadArgument& bad) {
        EXPECT_STREQ(bad.what(), "unknown argument 'verbose'");
    }
}

}  // namespace
}  // namespace cardd::daemon
