#include "tools/cardctl/progress_bar.hpp"

#include <sstream>

#include <gtest/gtest.h>

namespace cardd::cardctl {
namespace {

// Away from a terminal each step is a line of its own, and finishing adds nothing.
TEST(ProgressBar, oneLinePerStepWhenNotATerminal) {
    std::ostringstream out;
    {
        ProgressBar bar(out, false);
        bar.update(1, 2, "row 1: card 1001 issued to E001");
        bar.update(2, 2, "row 2: card number 1003 was already issued");
        bar.finish();
    }
    EXPECT_EQ(out.str(),
              "[1/2] row 1: card 1001 issued to E001\n"
              "[2/2] row 2: card number 1003 was already issued\n");
}

// On a terminal the bar is redrawn in place and ends its line once.
TEST(ProgressBar, redrawnInPlaceOnATerminal) {
    std::ostringstream out;
    ProgressBar bar(out, true, 80);
    bar.update(1, 4, "issued card 1001");
    bar.update(4, 4, "done");
    bar.finish();
    bar.finish();
    EXPECT_EQ(out.str(),
              "\r[######------------------] 1/4  issued card 1001\x1b[K"
              "\r[########################] 4/4  done\x1b[K"
              "\n");
}

// The line is cut to the terminal's width by display columns, never in the middle of a character.
TEST(ProgressBar, cutToTerminalWidthByColumns) {
    std::ostringstream out;
    ProgressBar bar(out, true, 40);
    bar.update(1, 4, "张三的卡已发出");
    EXPECT_EQ(out.str(), "\r[######------------------] 1/4  张三的\x1b[K");
}

// Without a total there is no bar, only the count; a count beyond the total fills the bar and no more.
TEST(ProgressBar, unknownTotalAndOverflow) {
    std::ostringstream out;
    ProgressBar bar(out, true, 80);
    bar.update(3, 0, "x");
    bar.update(9, 4, "");
    EXPECT_EQ(out.str(), "\r3  x\x1b[K\r[########################] 9/4\x1b[K");
    std::ostringstream lines;
    ProgressBar plain(lines, false);
    plain.update(3, 0, "x");
    EXPECT_EQ(lines.str(), "[3] x\n");
}

// Line breaks and escape sequences in the daemon's text cannot break the one-line display.
TEST(ProgressBar, controlCharactersFlattened) {
    std::ostringstream out;
    ProgressBar bar(out, false);
    bar.update(1, 1, "a\nb\x1b[2Jc");
    EXPECT_EQ(out.str(), "[1/1] a b [2Jc\n");
}

// Away from a terminal a request to the person is a line of its own between the steps.
TEST(ProgressBar, sayIsALineOfItsOwnWhenNotATerminal) {
    std::ostringstream out;
    ProgressBar bar(out, false);
    bar.say("place the card on encoder desk (waiting up to 30 s)");
    bar.update(1, 2, "row 1: card 1001 issued to E001");
    bar.say("place the card for E002 on encoder desk");
    bar.finish();
    EXPECT_EQ(out.str(),
              "place the card on encoder desk (waiting up to 30 s)\n"
              "[1/2] row 1: card 1001 issued to E001\n"
              "place the card for E002 on encoder desk\n");
}

// On a terminal the bar's line is ended first, so the request is not drawn over; the bar
// is drawn again below it, and finishing after a request adds no empty line.
TEST(ProgressBar, sayEndsTheBarLineOnATerminal) {
    std::ostringstream out;
    ProgressBar bar(out, true, 80);
    bar.update(1, 2, "issued card 1001");
    bar.say("place the card for E002 on encoder desk");
    bar.finish();
    bar.say("place it again");
    bar.update(2, 2, "issued card 1002");
    bar.finish();
    EXPECT_EQ(out.str(),
              "\r[############------------] 1/2  issued card 1001\x1b[K\n"
              "place the card for E002 on encoder desk\n"
              "place it again\n"
              "\r[########################] 2/2  issued card 1002\x1b[K\n");
}

// The request is the daemon's text too: line breaks and escape sequences are flattened, and it is never cut.
TEST(ProgressBar, sayFlattensControlCharactersAndKeepsTheWholeText) {
    std::ostringstream out;
    ProgressBar bar(out, true, 20);
    bar.say("place\nthe card\x1b[2J on encoder desk");
    EXPECT_EQ(out.str(), "place the card [2J on encoder desk\n");
}

}  // namespace
}  // namespace cardd::cardctl
