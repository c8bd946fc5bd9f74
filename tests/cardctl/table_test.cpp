#include "tools/cardctl/table.hpp"

#include <gtest/gtest.h>

#include "tools/cardctl/text_width.hpp"

namespace cardd::cardctl {
namespace {

// Chinese characters count two columns, combining marks none, ASCII one.
TEST(TextWidth, cjkIsDoubleWidth) {
    EXPECT_EQ(display_width("Li"), 2u);
    EXPECT_EQ(display_width("张三"), 4u);
    EXPECT_EQ(display_width("欧阳娜娜"), 8u);
    EXPECT_EQ(display_width("财务部 A"), 8u);
    EXPECT_EQ(display_width("ＡＢ"), 4u);       // fullwidth Latin
    EXPECT_EQ(display_width("김치"), 4u);       // Hangul
    EXPECT_EQ(display_width("e\xCC\x81"), 1u);  // e + combining acute
    EXPECT_EQ(display_width("\xFF"), 1u);       // an invalid byte still takes a column
}

// Truncation keeps whole characters: a wide character that does not fit is left out.
TEST(TextWidth, truncateKeepsWholeCharacters) {
    EXPECT_EQ(truncate_to_width("张三丰", 5), "张三");
    EXPECT_EQ(truncate_to_width("张三丰", 6), "张三丰");
    EXPECT_EQ(truncate_to_width("ab张", 3), "ab");
    EXPECT_EQ(truncate_to_width("abc", 0), "");
}

// Invalid UTF-8 is found at its first bad byte; overlong forms and surrogates count as invalid.
TEST(TextWidth, firstInvalidUtf8) {
    EXPECT_EQ(first_invalid_utf8("张三"), std::nullopt);
    EXPECT_EQ(first_invalid_utf8("ab\xC3"), 2u);            // truncated sequence
    EXPECT_EQ(first_invalid_utf8("a\xC0\xAF"), 1u);         // overlong '/'
    EXPECT_EQ(first_invalid_utf8("\xED\xA0\x80"), 0u);      // a UTF-16 surrogate
    EXPECT_EQ(first_invalid_utf8("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
}

// Columns line up by display width, so 张三 and 欧阳娜娜 align with Li; right columns align right.
TEST(Table, chineseNamesAlign) {
    Table table({"NAME", "DEPT", "BALANCE"}, {Align::left, Align::left, Align::right});
    table.add_row({"张三", "Kitchen", "50.00"});
    table.add_row({"Li", "财务部", "1234.50"});
    table.add_row({"欧阳娜娜", "", "0.30"});
    EXPECT_EQ(table.str(),
              "NAME      DEPT     BALANCE\n"
              "张三      Kitchen    50.00\n"
              "Li        财务部   1234.50\n"
              "欧阳娜娜              0.30\n");
}

// No trailing spaces; control characters in a cell cannot break the layout; missing cells are empty.
TEST(Table, noTrailingSpacesAndControlCharactersFlattened) {
    Table table({"A", "B"});
    table.add_row({"x\ny", "1"});
    table.add_row({"long value"});
    EXPECT_EQ(table.str(),
              "A           B\n"
              "x y         1\n"
              "long value\n");
}

// A table without headers is a key-value list.
TEST(Table, withoutHeaders) {
    Table table({});
    table.add_row({"sector", "1"});
    table.add_row({"max card no", "500000"});
    EXPECT_EQ(table.str(), "sector       1\nmax card no  500000\n");
}

}  // namespace
}  // namespace cardd::cardctl
