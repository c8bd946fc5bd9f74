#include "tools/cardctl/csv.hpp"

#include <gtest/gtest.h>

namespace cardd::cardctl {
namespace {

using Fields = std::vector<std::string>;

// Plain records split on commas and line breaks, each with the line it starts on.
TEST(Csv, plainRecordsWithLineNumbers) {
    const auto records = parse_csv("staff_no,card_no\nE001,1001\nE002,1002\n");
    ASSERT_TRUE(records) << records.error().text;
    ASSERT_EQ(records->size(), 3u);
    EXPECT_EQ((*records)[0].fields, (Fields{"staff_no", "card_no"}));
    EXPECT_EQ((*records)[2].fields, (Fields{"E002", "1002"}));
    EXPECT_EQ((*records)[0].line, 1u);
    EXPECT_EQ((*records)[2].line, 3u);
}

// Quoted fields keep commas, doubled quotes become one quote.
TEST(Csv, quotedFieldsWithCommasAndQuotes) {
    const auto records = parse_csv("a,\"b,c\",\"say \"\"hi\"\"\",\"\"\n");
    ASSERT_TRUE(records) << records.error().text;
    ASSERT_EQ(records->size(), 1u);
    EXPECT_EQ((*records)[0].fields, (Fields{"a", "b,c", "say \"hi\"", ""}));
}

// A quoted line break stays in the field, and the next record's line number counts it.
TEST(Csv, embeddedLineBreakCountsLines) {
    const auto records = parse_csv("name,dept\n\"Li\nSi\",Office\nE3,x\n");
    ASSERT_TRUE(records) << records.error().text;
    ASSERT_EQ(records->size(), 3u);
    EXPECT_EQ((*records)[1].fields, (Fields{"Li\nSi", "Office"}));
    EXPECT_EQ((*records)[1].line, 2u);
    EXPECT_EQ((*records)[2].line, 4u);
}

// Chinese text passes through byte for byte, with CRLF line ends, a BOM and no final newline.
TEST(Csv, chineseCrlfBomAndNoFinalNewline) {
    const auto records = parse_csv("\xEF\xBB\xBFname,dept\r\n张三,\"财务部,二组\"\r\n王五,厨房");
    ASSERT_TRUE(records) << records.error().text;
    ASSERT_EQ(records->size(), 3u);
    EXPECT_EQ((*records)[0].fields, (Fields{"name", "dept"}));
    EXPECT_EQ((*records)[1].fields, (Fields{"张三", "财务部,二组"}));
    EXPECT_EQ((*records)[2].fields, (Fields{"王五", "厨房"}));
    EXPECT_EQ((*records)[2].line, 3u);
}

// Empty lines are skipped but counted; empty fields are kept, a trailing comma gives an empty last field.
TEST(Csv, emptyLinesSkippedEmptyFieldsKept) {
    const auto records = parse_csv("a,b\n\n\r\n,\nx,\n");
    ASSERT_TRUE(records) << records.error().text;
    ASSERT_EQ(records->size(), 3u);
    EXPECT_EQ((*records)[1].fields, (Fields{"", ""}));
    EXPECT_EQ((*records)[1].line, 4u);
    EXPECT_EQ((*records)[2].fields, (Fields{"x", ""}));
    EXPECT_EQ((*records)[2].line, 5u);
}

// An unterminated quote is reported on the line where it was opened.
TEST(Csv, unterminatedQuoteNamesItsLine) {
    const auto records = parse_csv("a,b\nE1,1\nE2,\"oops\nE3,3\n");
    ASSERT_FALSE(records);
    EXPECT_EQ(records.error().line, 3u);
    EXPECT_EQ(records.error().text, "a quoted field is never closed (opened on line 3)");
}

// Text after a closing quote and a quote inside an unquoted field are refused, not guessed at.
TEST(Csv, strayQuotesRefused) {
    const auto after = parse_csv("a,b\n\"x\"y,1\n");
    ASSERT_FALSE(after);
    EXPECT_EQ(after.error().line, 2u);
    EXPECT_EQ(after.error().text, "a character after a closing quote; write a quote inside a quoted field as \"\"");
    const auto inside = parse_csv("a,b\nc,d\nx\"y,1\n");
    ASSERT_FALSE(inside);
    EXPECT_EQ(inside.error().line, 3u);
}

// A file that is not UTF-8 (a GBK export) is refused on the line of the first bad byte.
TEST(Csv, nonUtf8Refused) {
    const auto records = parse_csv("name,dept\nok,ok\n\xD5\xC5\xC8\xFD,x\n");  // 张三 in GBK
    ASSERT_FALSE(records);
    EXPECT_EQ(records.error().line, 3u);
    EXPECT_EQ(records.error().text, "not UTF-8 text; save the file as \"CSV UTF-8\"");
}

// An empty text has no records.
TEST(Csv, emptyText) {
    const auto records = parse_csv("");
    ASSERT_TRUE(records);
    EXPECT_TRUE(records->empty());
}

}  // namespace
}  // namespace cardd::cardctl
