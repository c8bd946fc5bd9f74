// What a name may hold: every control, DEL, C1 and bidirectional control
// and every kind of malformed UTF-8 is found, with its position; the text
// people write (Chinese, quotes, emoji, joiners) passes.

#include "text/forbidden_code_points.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::text {
namespace {

// The UTF-8 of one code point.
std::string utf8(char32_t c) {
    std::string out;
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
    return out;
}

TEST(ForbiddenCodePoints, peoplesTextPasses) {
    for (const std::string text : {"王小明", "O'Brien \"Bob\"; DROP TABLE people;--", "Zoë Ångström",
                                   "👩‍🍳 kitchen", "ناصر", "עברית", "a\u200Db", ""}) {
        EXPECT_FALSE(first_forbidden(text).has_value()) << text;
    }
}

// Each code point of every forbidden range, between two letters: found at character 2, byte 1.
TEST(ForbiddenCodePoints, everyControlAndBidiCodePointIsFound) {
    std::vector<char32_t> forbidden;
    for (char32_t c = 0; c < 0x20; ++c) forbidden.push_back(c);
    for (char32_t c = 0x7F; c <= 0x9F; ++c) forbidden.push_back(c);
    for (char32_t c :
         {0x061Cu, 0x200Eu, 0x200Fu, 0x202Au, 0x202Bu, 0x202Cu, 0x202Du, 0x202Eu, 0x2066u, 0x2067u, 0x2068u, 0x2069u}) {
        forbidden.push_back(c);
    }
    for (const char32_t c : forbidden) {
        const auto found = first_forbidden("a" + utf8(c) + "b");
        ASSERT_TRUE(found.has_value()) << std::hex << static_cast<unsigned>(c);
        EXPECT_EQ(found->character, 2u);
        EXPECT_EQ(found->byte, 1u);
    }
    EXPECT_EQ(first_forbidden("\u202E")->what, "U+202E, a bidirectional control");
    EXPECT_EQ(first_forbidden(utf8(0x9B))->what, "U+009B, a C1 control character");
    EXPECT_EQ(first_forbidden("\x7F")->what, "U+007F, DEL, a control character");
    EXPECT_EQ(first_forbidden(std::string(1, '\0'))->what, "U+0000, a control character");
}

// The position counts characters, not bytes: after two Chinese characters (6 bytes) it is character 3.
TEST(ForbiddenCodePoints, positionIsInCharactersAndBytes) {
    const auto found = first_forbidden("王小" + utf8(0x85) + "明");
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->character, 3u);
    EXPECT_EQ(found->byte, 6u);
    EXPECT_EQ(describe(*found), "U+0085, a C1 control character, at character 3 (byte 6)");
}

TEST(ForbiddenCodePoints, malformedUtf8IsFound) {
    for (const std::string& bad : {
             std::string("\x80"),              // a continuation byte first
             std::string("\xC0\x80"),          // overlong NUL
             std::string("\xC1\xBF"),          // overlong
             std::string("\xE0\x80\xAF"),      // overlong '/'
             std::string("\xED\xA0\x80"),      // a surrogate
             std::string("\xF4\x90\x80\x80"),  // above U+10FFFF
             std::string("\xF5\x80\x80\x80"),  // never a lead byte
             std::string("\xFF"),              //
             std::string("\xE4\xB8"),          // cut short at the end
             std::string("\xE4\xB8Z"),         // cut short by an ASCII byte
         }) {
        const auto found = first_forbidden("ok" + bad);
        ASSERT_TRUE(found.has_value());
        EXPECT_EQ(found->what, "a byte that is not UTF-8");
        EXPECT_EQ(found->character, 3u);
        EXPECT_EQ(found->byte, 2u);
    }
    // The largest code point and the last before the surrogates are fine.
    EXPECT_FALSE(first_forbidden("\xF4\x8F\xBF\xBF").has_value());
    EXPECT_FALSE(first_forbidden("\xED\x9F\xBF").has_value());
}

}  // namespace
}  // namespace cardd::text
