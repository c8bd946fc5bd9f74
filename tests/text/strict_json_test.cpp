// JSON with a key given twice is refused at any depth, naming the key; the
// same key in different objects is fine; what nlohmann refuses stays refused.

#include "text/strict_json.hpp"

#include <gtest/gtest.h>

namespace cardd::text {
namespace {

TEST(StrictJson, wellFormedObjectsParse) {
    const auto parsed = parse_strict_json(R"({"command":"status","arguments":{"a":[{"k":1},{"k":2}],"b":{"k":3}}})");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ((*parsed)["arguments"]["a"][1]["k"], 2);
    EXPECT_TRUE(parse_strict_json("[1,2,3]").has_value());
    EXPECT_TRUE(parse_strict_json("{}").has_value());
}

TEST(StrictJson, aKeyGivenTwiceIsRefusedAtAnyDepth) {
    for (const char* text : {R"({"command":"status","command":"card-topup"})",
                             R"({"command":"x","arguments":{"amount":1,"card_no":2,"amount":100000}})",
                             R"([{"ok":1},{"amount":1,"amount":2}])", R"({"a":{"b":{"c":{"amount":1,"amount":2}}}})"}) {
        const auto parsed = parse_strict_json(text);
        ASSERT_FALSE(parsed.has_value()) << text;
        EXPECT_EQ(parsed.error().kind, JsonRefusal::Kind::duplicate_key) << text;
    }
    EXPECT_EQ(parse_strict_json(R"({"command":"status","command":"card-topup"})").error().key, "command");
    // Keys are compared as decoded: an escape is the same key.
    EXPECT_EQ(parse_strict_json(R"({"amount":1,"\u0061mount":2})").error().key, "amount");
}

TEST(StrictJson, aLongDuplicateKeyIsCutInTheRefusal) {
    const std::string key(500, 'k');
    const auto parsed = parse_strict_json("{\"" + key + "\":1,\"" + key + "\":2}");
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().key.size(), 64u);
}

TEST(StrictJson, invalidJsonIsRefused) {
    for (const char* text : {"", "{", R"({"a":})", "{\"a\":\"\xC0\x80\"}", R"({"a":"\ud800"})", "{} {}"}) {
        const auto parsed = parse_strict_json(text);
        ASSERT_FALSE(parsed.has_value()) << text;
        EXPECT_EQ(parsed.error().kind, JsonRefusal::Kind::invalid) << text;
    }
}

}  // namespace
}  // namespace cardd::text
