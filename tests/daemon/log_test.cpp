// The log: one style of key=value fields, safe for any value, and one
// catalogue of messages that docs/log-messages.md is generated from.

#include "daemon/log.hpp"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

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

// Each message has its own MESSAGE_ID in systemd's form (128 bits, 32 hex
// digits, the form sd_id128_from_string reads).
TEST(LogCatalogue, everyMessageHasItsOwnJournalMessageId) {
    std::set<std::string_view> ids;
    for (const Message* message : msg::catalogue) {
        EXPECT_TRUE(std::regex_match(std::string(message->message_id), std::regex("[0-9a-f]{32}"))) << message->id;
        EXPECT_TRUE(ids.insert(message->message_id).second) << message->id << " shares its MESSAGE_ID";
    }
}

// The journal entry of a line: the stderr text as MESSAGE=, the priority,
// both ids, and each field raw under CARDD_<KEY>=, so `journalctl
// CARDD_DEVICE=canteen-1` matches a value that MESSAGE= quotes.
TEST(JournalFields, anEntryCarriesPriorityIdsAndEachField) {
    const std::vector<std::string> entry =
        journal_fields(msg::push_failed, {{"device", "canteen 1"}, {"attempt", 3}, {"retry_in_s", 2}});
    EXPECT_EQ(entry, (std::vector<std::string>{
                         R"(MESSAGE=CARDD_PUSH_FAILED device="canteen 1" attempt=3 retry_in_s=2)",
                         "PRIORITY=4",
                         "MESSAGE_ID=" + std::string(msg::push_failed.message_id),
                         "CARDD_MESSAGE=CARDD_PUSH_FAILED",
                         "CARDD_DEVICE=canteen 1",
                         "CARDD_ATTEMPT=3",
                         "CARDD_RETRY_IN_S=2",
                     }));
    EXPECT_EQ(journal_fields(msg::started, {}),
              (std::vector<std::string>{"MESSAGE=CARDD_STARTED", "PRIORITY=6",
                                        "MESSAGE_ID=" + std::string(msg::started.message_id),
                                        "CARDD_MESSAGE=CARDD_STARTED"}));
    EXPECT_EQ(journal_fields(msg::store_unreachable, {}).at(1), "PRIORITY=3");
    EXPECT_EQ(journal_fields(msg::card_write_failed, {{"odd-key.x", "v"}}).back(), "CARDD_ODD_KEY_X=v");
}

// Without JOURNAL_STREAM, or with one that is not stderr, cardd logs to stderr.
TEST(JournalFields, stderrIsTheJournalOnlyWhenJournalStreamNamesIt) {
    ::unsetenv("JOURNAL_STREAM");
    EXPECT_FALSE(stderr_is_journal());
    ::setenv("JOURNAL_STREAM", "1:2", 1);
    EXPECT_FALSE(stderr_is_journal());
    ::unsetenv("JOURNAL_STREAM");
}

// Outside systemd a line goes to stderr as before: time, level, id, fields.
TEST(StderrLog, aLineIsTimeLevelIdAndFields) {
    char name[] = "/tmp/cardd-log-test-XXXXXX";
    const int file = ::mkstemp(name);
    ASSERT_GE(file, 0);
    const int saved = ::dup(2);
    ::dup2(file, 2);
    setup_logging("info", false);
    log_event(msg::push_ok, {{"device", "canteen-1"}, {"version", 7}});
    log_event(msg::full_sync, {{"device", "x"}, {"reason", "debug is off, info is on"}});
    spdlog::default_logger()->flush();
    ::dup2(saved, 2);
    ::close(saved);
    ::close(file);
    std::ifstream in(name);
    std::stringstream text;
    text << in.rdbuf();
    ::unlink(name);
    EXPECT_TRUE(
        std::regex_match(text.str(), std::regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3} info "
                                                "CARDD_PUSH_OK device=canteen-1 version=7\n"
                                                "[0-9-]{10}T[0-9:.]{12} info CARDD_FULL_SYNC device=x "
                                                "reason=\"debug is off, info is on\"\n")))
        << text.str();
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
