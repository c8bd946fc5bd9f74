// The log: one style of key=value fields, safe for any value, and one
// catalogue of messages that docs/log-messages.md is generated from.

#include "daemon/log.hpp"

#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

namespace cardd::daemon {
namespace {

TEST(LogFields, plainValuesAreWrittenAsTheyAre) {
    EXPECT_EQ(render_fields({{"device", "canteen-1"}, {"attempt", 3}, {"ok", true}}),
              "device=canteen-1 attempt=3 ok=true");
    EXPECT_EQ(render_fields({{"age_s", std::int64_t{-5}}}), "age_s=-5");
    EXPECT_EQ(render_fields({}), "");
}

TEST(LogFields, aValueThatCouldSplitTheLineIsQuotedAndEscaped) {
    EXPECT_EQ(render_fields({{"error", "no answer"}}), R"(error="no answer")");
    EXPECT_EQ(render_fields({{"name", ""}}), R"(name="")");
    EXPECT_EQ(render_fields({{"name", "a=b"}}), R"(name="a=b")");
    EXPECT_EQ(render_fields({{"name", "say \"hi\" \\ bye"}}), R"(name="say \"hi\" \\ bye")");
    // A forged second line or a second field cannot be made from a value.
    EXPECT_EQ(render_fields({{"name", "x\nCARDD_STARTED socket=/tmp/evil"}}),
              R"(name="x\nCARDD_STARTED socket=/tmp/evil")");
    EXPECT_EQ(render_fields({{"name", std::string("a\x1b[2Jb\x7f", 7)}}), R"(name="a\x1b[2Jb\x7f")");
    // C1 controls (here U+009B, a terminal's CSI) are escaped; other UTF-8 is kept.
    EXPECT_EQ(render_fields({{"name",
                              "\xc2\x9b"
                              "31m"}}),
              R"(name="\u009b31m")");
    EXPECT_EQ(render_fields({{"name", "张三"}}), "name=\"张三\"");
}

TEST(LogCatalogue, idsAreUniqueAndEveryMessageSaysWhatItMeans) {
    std::set<std::string_view> ids;
    for (const Message* message : msg::catalogue) {
        EXPECT_TRUE(ids.insert(message->id).second) << message->id << " is listed twice";
        EXPECT_TRUE(message->id.starts_with("CARDD_")) << message->id;
        EXPECT_FALSE(message->meaning.empty()) << message->id;
        EXPECT_EQ(message->meaning.find('|'), std::string_view::npos) << message->id;
        EXPECT_EQ(message->action.find('|'), std::string_view::npos) << message->id;
    }
}

// The table in docs/log-messages.md is the catalogue's, row for row, levels
// included; regenerate it with `cardd --messages-markdown`.
TEST(LogCatalogue, theDocumentIsGeneratedFromTheCatalogue) {
    std::ifstream file(CARDD_SOURCE_DIR "/docs/log-messages.md");
    ASSERT_TRUE(file.good());
    std::string table;
    bool in_table = false;
    for (std::string line; std::getline(file, line);) {
        if (line.starts_with("| id |")) in_table = true;
        if (in_table && !line.starts_with("|")) break;
        if (in_table) table += line + "\n";
    }
    EXPECT_EQ(table, catalogue_markdown())
        << "docs/log-messages.md does not match the catalogue; replace its table with the output of "
           "`cardd --messages-markdown`";
}

}  // namespace
}  // namespace cardd::daemon
