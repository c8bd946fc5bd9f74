#include "tools/cardctl/render.hpp"

#include <cstdlib>
#include <ctime>

#include <gtest/gtest.h>

namespace cardd::cardctl {
namespace {

class Render : public ::testing::Test {
protected:
    void SetUp() override {
        ::setenv("TZ", "UTC0", 1);
        ::tzset();
    }
    void TearDown() override {
        ::unsetenv("TZ");
        ::tzset();
    }
};

// The people table aligns Chinese names and departments; a missing card is "-".
TEST_F(Render, personListWithChineseNames) {
    const auto answer = Json::parse(R"({"result": 0, "arguments": {"people": [
        {"staff_no": "E001", "name": "张三", "dept": "Kitchen", "card_no": 1001},
        {"staff_no": "E002", "name": "Li", "dept": "", "card_no": null},
        {"staff_no": "E010", "name": "欧阳娜娜", "dept": "财务部", "card_no": 20001}]}, "id": 1})");
    EXPECT_EQ(render_answer(View::person_list, answer),
              "STAFF NO  NAME      DEPT      CARD\n"
              "E001      张三      Kitchen   1001\n"
              "E002      Li" +
                  std::string(21, ' ') +
                  "-\n"
                  "E010      欧阳娜娜  财务部   20001\n");
}

// The accounts table: locked and never-logged-in shown as times or "-".
TEST_F(Render, accountList) {
    const auto answer = Json::parse(R"({"result": 0, "text": "2 accounts", "arguments": {"accounts": [
        {"name": "desk.1", "role": "issuer", "disabled": true, "locked_until": null, "failed_logins": 0,
         "created_at": 1764000000, "last_login_at": 1764003600},
        {"name": "ops", "role": "admin", "disabled": false, "locked_until": 1764004500, "failed_logins": 5,
         "created_at": 1764000000, "last_login_at": null}]}, "id": 1})");
    EXPECT_EQ(render_answer(View::account_list, answer),
              "2 accounts\n"
              "NAME    ROLE    DISABLED  LOCKED UNTIL         FAILED LOGINS  CREATED              LAST LOGIN\n"
              "desk.1  issuer  yes       -                                0  2025-11-24 16:00:00  2025-11-24 17:00:00\n"
              "ops     admin   no        2025-11-24 17:15:00              5  2025-11-24 16:00:00  -\n");
    EXPECT_EQ(render_answer(View::account_list, Json::parse(R"({"result":0,"arguments":{"accounts":[]}})")),
              "no accounts\n");
}

// An empty list says so instead of printing a lone header.
TEST_F(Render, emptyListsSaySo) {
    EXPECT_EQ(render_answer(View::person_list, Json::parse(R"({"result":0,"arguments":{"people":[]}})")),
              "no people\n");
    EXPECT_EQ(render_answer(View::device_list, Json::parse(R"({"result":0,"arguments":{"devices":[]}})")),
              "no devices\n");
    EXPECT_EQ(render_answer(View::failed, Json::parse(R"({"result":0,"arguments":{"failed":[]}})")),
              "no failed terminals\n");
}

// Card information: the card as a key-value list in a fixed order (cardd sends keys sorted), yuan and local
// times, then its ledger and its losses.
TEST_F(Render, cardInfoWithLedgerAndLosses) {
    const auto answer = Json::parse(R"({"result": 0, "arguments": {
        "card": {"balance": 8000, "card_no": 1001, "closed_at": null, "issued_at": 1764000000, "name": "张三",
                 "serial": 17, "staff_no": "E001", "state": "lost", "zone": "x"},
        "ledger": [{"amount": 5000, "at": 1764000000, "cash": 5000, "kind": "opening"},
                   {"amount": 3000, "at": 1764003600, "cash": 3000, "kind": "topup"}],
        "losses": [{"card_no": 1001, "id": 3, "name": "张三", "push": "all", "reported_at": 1764007200,
                    "serial": 17, "staff_no": "E001", "terminals": [], "reason": "lost", "unlocked_at": null}]}})");
    EXPECT_EQ(render_answer(View::card_info, answer),
              "card no    1001\n"
              "staff no   E001\n"
              "name       张三\n"
              "state      lost\n"
              "balance    80.00\n"
              "serial     17\n"
              "issued at  2025-11-24 16:00:00\n"
              "closed at  -\n"
              "zone       x\n"
              "\n"
              "Ledger\n"
              "AT                   KIND     AMOUNT   CASH\n"
              "2025-11-24 16:00:00  opening   50.00  50.00\n"
              "2025-11-24 17:00:00  topup     30.00  30.00\n"
              "\n"
              "Losses\n"
              "ID  CARD  SERIAL  STAFF NO  NAME  REPORTED             REASON  PUSH  UNLOCKED\n"
              " 3  1001      17  E001      张三  2025-11-24 18:00:00  lost    all   -\n");
}

// A batch's failed rows are listed with the CSV line each came from.
TEST_F(Render, issueBatchFailedRowsWithFileLines) {
    const auto answer = Json::parse(R"({"result": 0, "text": "1 of 3 cards issued, 2 rows failed",
        "arguments": {"issued": [1001], "failed": [
            {"row": 2, "staff_no": "E003", "card_no": 1003, "result": 4, "text": "card number 1003 was already issued"},
            {"row": 3, "staff_no": "王五", "card_no": null, "result": 6, "text": "no such person"}]}})");
    EXPECT_EQ(render_answer(View::issue_batch, answer, RenderContext{{2, 4, 7}}),
              "1 of 3 cards issued, 2 rows failed\n"
              "Failed rows\n"
              "LINE  ROW  STAFF NO  CARD  ERROR\n"
              "   4    2  E003      1003  card number 1003 was already issued\n"
              "   7    3  王五         -  no such person\n");
    // Rows of a batch that came from no file (--staff-nos) have no line.
    EXPECT_EQ(render_answer(View::issue_batch, answer),
              "1 of 3 cards issued, 2 rows failed\n"
              "Failed rows\n"
              "ROW  STAFF NO  CARD  ERROR\n"
              "  2  E003      1003  card number 1003 was already issued\n"
              "  3  王五         -  no such person\n");
}

// A rehearsal lists what would be issued, the numbers assigned marked.
TEST_F(Render, issueBatchRehearsalListsTheRows) {
    const auto answer = Json::parse(R"({"result": 0, "text": "2 cards can be issued",
        "arguments": {"rehearsed": true, "rows": [
            {"row": 1, "staff_no": "E001", "name": "张三", "card_no": 1006, "assigned": true},
            {"row": 2, "staff_no": "E002", "name": "Li", "card_no": 2001, "assigned": false}]}})");
    EXPECT_EQ(render_answer(View::issue_batch, answer),
              "2 cards can be issued\n"
              "ROW  STAFF NO  NAME  CARD\n"
              "  1  E001      张三  1006 (assigned)\n"
              "  2  E002      Li    2001\n");
}

// A refused batch names each refused row with its file line; a refused loss each card.
TEST_F(Render, refusalsNameEachRowOrCard) {
    const auto batch = Json::parse(R"({"result": 4, "text": "2 of 3 rows would be refused",
        "arguments": {"refused": [
            {"row": 1, "staff_no": "E009", "card_no": 1007, "result": 3, "text": "no person with staff number E009"},
            {"row": 3, "staff_no": "E002", "card_no": 1001, "result": 4, "text": "card number 1001 is taken"}]}})");
    EXPECT_EQ(render_refusal(View::issue_batch, batch, RenderContext{{2, 3, 5}}),
              "Refused rows\n"
              "LINE  ROW  STAFF NO  CARD  ERROR\n"
              "   2    1  E009      1007  no person with staff number E009\n"
              "   5    3  E002      1001  card number 1001 is taken\n");
    const auto loss = Json::parse(R"({"result": 4, "text": "1 of 2 cards cannot be reported lost",
        "arguments": {"refused": [{"card_no": 4242, "result": 3, "text": "no card with number 4242"}]}})");
    EXPECT_EQ(render_refusal(View::distribution, loss),
              "Refused cards\n"
              "CARD  ERROR\n"
              "4242  no card with number 4242\n");
    EXPECT_EQ(render_refusal(View::distribution, Json::parse(R"({"result": 4, "text": "card 1 is lost"})")), "");
}

// A page of people found: each with their card, and where the next page starts.
TEST_F(Render, personSearchPage) {
    const auto answer = Json::parse(R"({"result": 0, "text": "3 people match, 1 to 2 shown",
        "arguments": {"people": [
            {"id": 1, "staff_no": "E001", "name": "张三", "department": "Kitchen", "created_at": 0,
             "card": {"card_no": 1001, "serial": 1, "state": "active", "balance": 5000}},
            {"id": 2, "staff_no": "E002", "name": "Li", "department": "Office", "created_at": 0, "card": null}],
         "total": 3, "offset": 0, "limit": 2}})");
    EXPECT_EQ(render_answer(View::person_search, answer),
              "3 people match, 1 to 2 shown\n"
              "STAFF NO  NAME  DEPT     CARD  STATE   BALANCE\n"
              "E001      张三  Kitchen  1001  active    50.00\n"
              "E002      Li    Office      -  -             -\n"
              "more: --offset 2\n");
    EXPECT_EQ(render_answer(View::person_search, Json::parse(R"({"result": 0, "text": "no one matches",
        "arguments": {"people": [], "total": 0, "offset": 0, "limit": 50}})")),
              "no one matches\n");
}

// Departments with their people; the people without one under "(none)".
TEST_F(Render, departmentsTable) {
    const auto answer = Json::parse(R"({"result": 0, "arguments": {"departments": [
        {"name": "", "people": 2}, {"name": "Kitchen", "people": 12}, {"name": "食堂", "people": 130}]}})");
    EXPECT_EQ(render_answer(View::departments, answer),
              "DEPARTMENT  PEOPLE\n"
              "(none)           2\n"
              "Kitchen         12\n"
              "食堂           130\n");
}

// A loss names the terminals not collected, pushed to, and failed.
TEST_F(Render, lossNamesPushedAndFailedTerminals) {
    const auto answer = Json::parse(R"j({"result": 0,
        "text": "card 1001 reported lost; pushed to 2 of 3 terminals, 1 failed (in the retry queue)",
        "arguments": {"loss": {}, "collected": ["canteen-1", "canteen-2"],
                      "not_collected": [{"device": "canteen-3", "text": "timeout"}],
                      "pushed": ["canteen-1", "canteen-2"], "failed": [{"device": "canteen-3", "text": "timeout"}]}})j");
    EXPECT_EQ(render_answer(View::distribution, answer),
              "card 1001 reported lost; pushed to 2 of 3 terminals, 1 failed (in the retry queue)\n"
              "records not collected from: canteen-3 (timeout)\n"
              "pushed to: canteen-1, canteen-2\n"
              "failed, in the retry queue: canteen-3 (timeout)\n");
}

// A loss without a push warns that the card still works, even if the daemon gave no sentence.
TEST_F(Render, unpushedLossWarnsWithoutSentence) {
    const auto answer = Json::parse(
        R"({"result": 0, "arguments": {"loss": {}, "pushed": [], "failed": [], "works_at_terminals": true}})");
    EXPECT_EQ(render_answer(View::distribution, answer),
              "the card still works at terminals until the change is pushed\n");
}

// The device table shows the blacklist version as confirmed/planned and "-" where a field does not apply.
TEST_F(Render, deviceList) {
    const auto answer = Json::parse(R"({"result": 0, "arguments": {"devices": [
        {"name": "canteen-1", "kind": "terminal", "address": "tcp 10.0.0.21:502", "unit": 1, "state": "level",
         "serial": 7, "confirmed_version": 41, "planned_version": 41, "pending_cards": 0, "last_error": null,
         "next_retry": null},
        {"name": "desk", "kind": "encoder", "address": "usb 072f:2200", "state": "registered"}]}})");
    EXPECT_EQ(render_answer(View::device_list, answer),
              "NAME       KIND      ADDRESS            UNIT  STATE       VERSION  PENDING  NEXT RETRY  LAST ERROR\n"
              "canteen-1  terminal  tcp 10.0.0.21:502     1  level         41/41        0  -           -\n"
              "desk       encoder   usb 072f:2200         -  registered        -        -  -           -\n");
}

// Loss reports: times local, push target shown.
TEST_F(Render, lossesTable) {
    const auto answer = Json::parse(R"({"result": 0, "arguments": {"losses": [
        {"id": 3, "card_no": 1001, "serial": 17, "staff_no": "E001", "name": "张三", "reported_at": 1764000000,
         "push": "all", "terminals": [], "reason": "damaged", "unlocked_at": null}]}})");
    EXPECT_EQ(render_answer(View::losses, answer),
              "ID  CARD  SERIAL  STAFF NO  NAME  REPORTED             REASON   PUSH  UNLOCKED\n"
              " 3  1001      17  E001      张三  2025-11-24 16:00:00  damaged  all   -\n");
}

// Long card lists in the failed table are cut to six with a count of the rest.
TEST_F(Render, failedTableShortensCardLists) {
    const auto answer = Json::parse(R"({"result": 0, "arguments": {"failed": [
        {"device": "canteen-3", "missing_cards": [1001, 1005, 1006, 1007, 1008, 1009, 1010, 1011],
         "removed_cards": [], "text": "timeout after 1000 ms", "attempts": 4, "next_retry": 1764000123}]}})");
    const std::string out = render_answer(View::failed, answer);
    EXPECT_NE(out.find("canteen-3  1001,1005,1006,1007,1008,1009 (+2 more)  -"), std::string::npos) << out;
    EXPECT_NE(out.find("  4  2025-11-24 16:02:03  timeout after 1000 ms\n"), std::string::npos) << out;
}

// Collection lists stored and duplicate counts, and failed terminals with their error.
TEST_F(Render, collectTable) {
    const auto answer = Json::parse(R"({"result": 0, "arguments": {
        "collected": [{"device": "canteen-1", "stored": 12, "duplicates": 0}],
        "failed": [{"device": "canteen-3", "text": "timeout"}]}})");
    EXPECT_EQ(render_answer(View::collect, answer),
              "DEVICE     STORED  DUPLICATES  ERROR\n"
              "canteen-1      12           0  -\n"
              "canteen-3       -           -  timeout\n");
}

// Status and format answers are the sentence and a key-value list; nested objects read as a phrase.
TEST_F(Render, statusKeyValues) {
    const auto answer = Json::parse(R"({"result": 0, "text": "cardd 0.1.0 up 3600 s",
        "arguments": {"version": "0.1.0", "terminals_failed": 1,
                      "cards": {"active": 110, "lost": 5}}})");
    EXPECT_EQ(render_answer(View::status, answer),
              "cardd 0.1.0 up 3600 s\n"
              "version           0.1.0\n"
              "terminals failed  1\n"
              "cards             active 110, lost 5\n");
}

// The health of status: the retry queue and open writes in a line each, then
// one row per terminal with its last collection and how long ago.
TEST_F(Render, statusHealthLinesAndTerminalTable) {
    const auto answer = Json::parse(R"({"result": 0, "text": "cardd 0.1.0 up 60 s",
        "arguments": {"version": "0.1.0",
                      "retry_queue": {"depth": 1, "next_retry_at": 0, "next_terminal": "canteen-2"},
                      "open_writes": {"count": 1, "oldest_at": 0, "oldest_age_s": 3725},
                      "terminal_status": [
                        {"name": "canteen-1", "state": "level", "pending_batches": 0, "last_error": null,
                         "next_retry_at": null, "last_collected_at": 0, "collected_ago_s": 75},
                        {"name": "canteen-2", "state": "failed", "pending_batches": 1, "last_error": "timeout",
                         "next_retry_at": 0, "last_collected_at": null, "collected_ago_s": null}]}})");
    EXPECT_EQ(render_answer(View::status, answer),
              "cardd 0.1.0 up 60 s\n"
              "version  0.1.0\n"
              "retry queue: 1 terminals, next canteen-2 at 1970-01-01 00:00:00\n"
              "open card writes: 1, the oldest 1 h 2 min old (cardctl pending)\n"
              "\n"
              "TERMINAL   STATE   PENDING  LAST COLLECTED       AGO             NEXT RETRY           LAST ERROR\n"
              "canteen-1  level         0  1970-01-01 00:00:00  1 min 15 s ago  -                    -\n"
              "canteen-2  failed        1  -                    never           1970-01-01 00:00:00  timeout\n");
}

// The daemon's sentence is the whole output of a simple command; an empty answer still prints something.
TEST_F(Render, textAndFallbacks) {
    EXPECT_EQ(render_answer(View::text, Json::parse(R"({"result":0,"text":"terminal canteen-1 added"})")),
              "terminal canteen-1 added\n");
    EXPECT_EQ(render_answer(View::text, Json::parse(R"({"result":0})")), "done\n");
    EXPECT_EQ(
        render_answer(View::card, Json::parse(R"({"result":0,"arguments":{"card":{"card_no":1001,"balance":8000}}})")),
        "card\ncard no  1001\nbalance  80.00\n");
}

// Values: money keys in yuan, time keys in local time, null as "-", booleans as yes/no.
TEST_F(Render, describeValue) {
    EXPECT_EQ(describe_value("balance", Json(1250)), "12.50");
    EXPECT_EQ(describe_value("refunded", Json(-30)), "-0.30");
    EXPECT_EQ(describe_value("reported_at", Json(1764000000)), "2025-11-24 16:00:00");
    EXPECT_EQ(describe_value("serial", Json(17)), "17");
    EXPECT_EQ(describe_value("x", Json()), "-");
    EXPECT_EQ(describe_value("x", Json(true)), "yes");
    EXPECT_EQ(describe_value("x", Json::parse(R"(["a", 2])")), "a, 2");
}

}  // namespace
}  // namespace cardd::cardctl
