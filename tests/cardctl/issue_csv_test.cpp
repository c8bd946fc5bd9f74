#include "tools/cardctl/issue_csv.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

namespace cardd::cardctl {
namespace {

// Rows become card-issue-batch rows, amounts in cents, columns in any order and case.
TEST(IssueCsv, rowsBecomeBatchRows) {
    const auto batch = parse_issue_csv(
        "Card_No,staff_no,opening,cost\n"
        "1001,E001,50,10\n"
        "1002,E002,12.5,\n");
    ASSERT_TRUE(batch) << batch.error();
    EXPECT_EQ(batch->rows.dump(), R"([{"staff_no":"E001","card_no":1001,"opening":5000,"cost":1000},)"
                                  R"({"staff_no":"E002","card_no":1002,"opening":1250}])");
    EXPECT_EQ(batch->lines, (std::vector<std::size_t>{2, 3}));
}

// A row with a name is the onboarding path: name and dept go in the row; quoted Chinese stays whole.
TEST(IssueCsv, nameAndDeptForOnboarding) {
    const auto batch = parse_issue_csv(
        "staff_no,name,dept,card_no\n"
        "E003,王五,\"财务部, 二组\",1003\n"
        "E001,,,1001\n");
    ASSERT_TRUE(batch) << batch.error();
    EXPECT_EQ(batch->rows.dump(), R"([{"staff_no":"E003","name":"王五","dept":"财务部, 二组","card_no":1003},)"
                                  R"({"staff_no":"E001","card_no":1001}])");
}

// Spaces around values are dropped, and spreadsheet filler lines of empty fields are skipped.
TEST(IssueCsv, spacesTrimmedAndEmptyRecordsSkipped) {
    const auto batch = parse_issue_csv("staff_no , card_no\n E001 , 1001 \n,\n , \nE002,1002\n");
    ASSERT_TRUE(batch) << batch.error();
    EXPECT_EQ(batch->rows.dump(), R"([{"staff_no":"E001","card_no":1001},{"staff_no":"E002","card_no":1002}])");
    EXPECT_EQ(batch->lines, (std::vector<std::size_t>{2, 5}));
}

// Every broken row is named with its line, and the whole file is refused.
TEST(IssueCsv, everyBrokenRowNamedWithItsLine) {
    const auto batch = parse_issue_csv(
        "staff_no,card_no,opening\n"
        "E001,1001,50\n"
        "E002,abc,50\n"
        "E003,1003,1.234\n"
        "E004,1004\n"
        ",1005,1\n"
        "E006,1001,1\n"
        "E007,1007,-5\n");
    ASSERT_FALSE(batch);
    EXPECT_EQ(batch.error(),
              "6 broken rows, nothing was sent:\n"
              "  line 3: invalid card_no 'abc': give a whole number in decimal digits\n"
              "  line 4: opening: invalid amount '1.234': at most two decimals (a cent is the smallest unit)\n"
              "  line 5: 2 fields, the header has 3\n"
              "  line 6: staff_no is empty\n"
              "  line 7: card number 1001 is also on line 2\n"
              "  line 8: opening: invalid amount '-5': must not be negative");
}

// An unterminated quote refuses the file with the line where the quote opened.
TEST(IssueCsv, unterminatedQuoteRefusesFile) {
    const auto batch = parse_issue_csv("staff_no,name,card_no\nE001,\"Zhang,1001\nE002,Li,1002\n");
    ASSERT_FALSE(batch);
    EXPECT_EQ(batch.error(), "line 2: a quoted field is never closed (opened on line 2)");
}

// The header must name known columns once each, including staff_no and card_no.
TEST(IssueCsv, headerChecked) {
    EXPECT_EQ(parse_issue_csv("staff_no,card_no,opening_amount\nE1,1,1\n").error(),
              "line 1: unknown column 'opening_amount' (columns: staff_no, card_no, opening, cost, name, dept)");
    EXPECT_EQ(parse_issue_csv("staff_no,card_no,card_no\nE1,1,1\n").error(), "line 1: column 'card_no' appears twice");
    EXPECT_EQ(parse_issue_csv("name,card_no\nLi,1\n").error(), "line 1: the header needs the column staff_no");
    EXPECT_EQ(parse_issue_csv("").error(), "the file is empty; it needs a header and rows");
    EXPECT_EQ(parse_issue_csv("staff_no,card_no\n").error(), "the file has a header but no rows");
}

// Without a card number (an empty field, or no card_no column) cardd assigns one; a person is on one line only.
TEST(IssueCsv, cardNumbersMayBeLeftToCardd) {
    auto batch = parse_issue_csv("staff_no,card_no\nE001,\nE002,1002\n");
    ASSERT_TRUE(batch) << batch.error();
    EXPECT_EQ(batch->rows.dump(), R"([{"staff_no":"E001"},{"staff_no":"E002","card_no":1002}])");
    batch = parse_issue_csv("staff_no,name\nE001,\nE003,王五\n");
    ASSERT_TRUE(batch) << batch.error();
    EXPECT_EQ(batch->rows.dump(), R"([{"staff_no":"E001"},{"staff_no":"E003","name":"王五"}])");
    EXPECT_EQ(parse_issue_csv("staff_no\nE001\nE002\nE001\n").error(),
              "1 broken row, nothing was sent:\n"
              "  line 4: staff number E001 is also on line 2; one card per person");
}

// A department without a name would be dropped silently, so it is refused.
TEST(IssueCsv, deptWithoutNameRefused) {
    EXPECT_EQ(parse_issue_csv("staff_no,card_no,name,dept\nE1,1,,Office\n").error(),
              "1 broken row, nothing was sent:\n"
              "  line 2: dept without name; a row with a name creates the person, an existing person needs neither");
}

// More than twenty broken rows are summarised after the first twenty.
TEST(IssueCsv, manyBrokenRowsSummarised) {
    std::string text = "staff_no,card_no\n";
    for (int i = 0; i < 25; ++i) text += "E,x\n";
    const auto batch = parse_issue_csv(text);
    ASSERT_FALSE(batch);
    EXPECT_TRUE(batch.error().starts_with("25 broken rows, nothing was sent:\n  line 2: "));
    EXPECT_TRUE(
        batch.error().ends_with("\n  line 21: invalid card_no 'x': give a whole number in decimal digits\n"
                                "  ... and 5 more"));
}

// Reading a file names the file in errors; a readable file parses as its text does.
TEST(IssueCsv, readsFileAndNamesItInErrors) {
    EXPECT_EQ(read_issue_csv("/nonexistent/people.csv").error(),
              "/nonexistent/people.csv: cannot open: No such file or directory");
    char path[] = "/tmp/cardctl-csv-XXXXXX";
    const int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::ofstream(path) << "staff_no,card_no\nE001,abc\n";
    EXPECT_EQ(read_issue_csv(path).error(),
              std::string(path) +
                  ": 1 broken row, nothing was sent:\n"
                  "  line 2: invalid card_no 'abc': give a whole number in decimal digits");
    std::ofstream(path) << "staff_no,card_no\nE001,1001\n";
    const auto batch = read_issue_csv(path);
    ::unlink(path);
    ASSERT_TRUE(batch) << batch.error();
    EXPECT_EQ(batch->rows.dump(), R"([{"staff_no":"E001","card_no":1001}])");
}

}  // namespace
}  // namespace cardd::cardctl
