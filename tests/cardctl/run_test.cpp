#include "tools/cardctl/run.hpp"

#include <unistd.h>

#include <fstream>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "fake_daemon.hpp"

namespace cardd::cardctl {
namespace {

using testing::FakeDaemon;

struct Outcome {
    int status = -1;
    std::string out;
    std::string err;
};

Outcome run_with(std::vector<std::string> args, bool err_is_terminal = false, const std::string& input = "") {
    std::vector<const char*> argv{"cardctl"};
    for (const auto& arg : args) argv.push_back(arg.c_str());
    std::ostringstream out;
    std::ostringstream err;
    std::istringstream in(input);
    const int status = run(static_cast<int>(argv.size()), argv.data(), out, err, err_is_terminal, 80, in);
    return {status, out.str(), err.str()};
}

// A temporary CSV file, removed afterwards.
class CsvFile {
public:
    explicit CsvFile(const std::string& text) {
        const int fd = ::mkstemp(path_);
        ::close(fd);
        std::ofstream(path_) << text;
    }
    ~CsvFile() { ::unlink(path_); }
    CsvFile(const CsvFile&) = delete;
    CsvFile& operator=(const CsvFile&) = delete;
    std::string path() const { return path_; }

private:
    char path_[32] = "/tmp/cardctl-run-XXXXXX";
};

// Success: the daemon's sentence on stdout, exit 0, and the request on the wire exactly as the contract says.
TEST(Run, topupSucceeds) {
    FakeDaemon daemon({{R"({"result": 0, "text": "card 1001 topped up by 50.00, balance 80.00", "id": 1})"
                        "\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "card", "topup", "1001", "50"});
    EXPECT_EQ(outcome.status, exit_ok);
    EXPECT_EQ(outcome.out, "card 1001 topped up by 50.00, balance 80.00\n");
    EXPECT_EQ(outcome.err, "");
    EXPECT_EQ(daemon.request_line(), R"({"command":"card-topup","arguments":{"card_no":1001,"amount":5000},"id":1})");
}

// --json prints the daemon's final line as it came, cents and all.
TEST(Run, jsonPrintsTheAnswerLine) {
    const std::string line = R"({"result": 0, "arguments": {"card": {"card_no": 1001, "balance": 8000}}, "id": 1})";
    FakeDaemon daemon({{line + "\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "--json", "card", "info", "1001"});
    EXPECT_EQ(outcome.status, exit_ok);
    EXPECT_EQ(outcome.out, line + "\n");
}

// A refusal: exit 1 and "cardctl: <text>" on stderr; with --json the answer is on stdout as well.
TEST(Run, refusalExitsOneWithTheDaemonsText) {
    const std::string line = R"({"result": 3, "text": "card 1001 does not exist", "id": 1})";
    {
        FakeDaemon daemon({{line + "\n"}});
        const auto outcome = run_with({"--socket", daemon.path(), "card", "info", "1001"});
        EXPECT_EQ(outcome.status, exit_refused);
        EXPECT_EQ(outcome.out, "");
        EXPECT_EQ(outcome.err, "cardctl: card 1001 does not exist\n");
    }
    FakeDaemon daemon({{line + "\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "--json", "card", "info", "1001"});
    EXPECT_EQ(outcome.status, exit_refused);
    EXPECT_EQ(outcome.out, line + "\n");
    EXPECT_EQ(outcome.err, "cardctl: card 1001 does not exist\n");
}

// No daemon: exit 3 with the path and a hint.
TEST(Run, noDaemonExitsThree) {
    const auto outcome = run_with({"--socket", "/nonexistent/cardd.sock", "status"});
    EXPECT_EQ(outcome.status, exit_cannot_connect);
    EXPECT_EQ(outcome.err,
              "cardctl: cannot connect to /nonexistent/cardd.sock: No such file or directory; is cardd running?\n");
}

// A broken answer: exit 4.
TEST(Run, badAnswerExitsFour) {
    FakeDaemon daemon({{"not json\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "status"});
    EXPECT_EQ(outcome.status, exit_no_answer);
    EXPECT_EQ(outcome.err, "cardctl: cardd sent a line that is not JSON: not json\n");
}

// A usage error: exit 2, nothing sent, the message prefixed with cardctl.
TEST(Run, usageErrorExitsTwoAndSendsNothing) {
    FakeDaemon daemon({});
    const auto outcome = run_with({"--socket", daemon.path(), "card", "topup", "1001", "1.234"});
    EXPECT_EQ(outcome.status, exit_usage);
    EXPECT_EQ(outcome.err,
              "cardctl: AMOUNT: invalid amount '1.234': at most two decimals (a cent is the smallest unit)\n"
              "Run `cardctl --help` or `cardctl COMMAND --help` for usage.\n");
    EXPECT_EQ(daemon.connections(), 0);
}

// --password-stdin reads one line, its break dropped, into the request's "password".
TEST(Run, aPasswordFromStandardInput) {
    FakeDaemon daemon({{R"({"result": 0, "text": "account ops added, role admin", "id": 1})"
                        "\n"}});
    const auto outcome =
        run_with({"--socket", daemon.path(), "account", "add", "ops", "--role", "admin", "--password-stdin"}, false,
                 "correct horse battery\r\nnext line\n");
    EXPECT_EQ(outcome.status, exit_ok) << outcome.err;
    EXPECT_EQ(outcome.out, "account ops added, role admin\n");
    EXPECT_EQ(
        daemon.request_line(),
        R"({"command":"account-add","arguments":{"name":"ops","role":"admin","password":"correct horse battery"},"id":1})");
}

// --password-stdin with nothing on standard input sends nothing: exit 2.
TEST(Run, noPasswordOnStandardInputSendsNothing) {
    FakeDaemon daemon({});
    const auto outcome = run_with({"--socket", daemon.path(), "account", "passwd", "ops", "--password-stdin"});
    EXPECT_EQ(outcome.status, exit_usage);
    EXPECT_EQ(outcome.err, "cardctl: --password-stdin: no password on standard input (one line is read)\n");
    EXPECT_EQ(daemon.connections(), 0);
}

// The account table, and its --json line as cardd sent it.
TEST(Run, accountListTable) {
    const std::string line =
        R"({"result": 0, "text": "1 account", "arguments": {"accounts": [{"name": "ops", "role": "admin", "disabled": false, "locked_until": null, "failed_logins": 0, "created_at": 0, "last_login_at": null}]}, "id": 1})";
    FakeDaemon daemon({{line + "\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "--json", "account", "list"});
    EXPECT_EQ(outcome.status, exit_ok);
    EXPECT_EQ(outcome.out, line + "\n");
}

// Words CLI11 did not understand are named in the usage error.
TEST(Run, unknownCommandNamed) {
    const auto outcome = run_with({"cards", "info", "1"});
    EXPECT_EQ(outcome.status, exit_usage);
    EXPECT_EQ(outcome.err,
              "cardctl: A subcommand is required (not understood: cards info 1)\n"
              "Run `cardctl --help` or `cardctl COMMAND --help` for usage.\n");
}

// --help describes the commands and exits 0.
TEST(Run, helpExitsZero) {
    const auto outcome = run_with({"--help"});
    EXPECT_EQ(outcome.status, exit_ok);
    EXPECT_NE(outcome.out.find("resync"), std::string::npos);
    const auto card = run_with({"card", "loss", "--help"});
    EXPECT_EQ(card.status, exit_ok);
    EXPECT_NE(card.out.find("--devices all|NAME,..."), std::string::npos) << card.out;
}

// A CSV with a broken row is refused before connecting: exit 2, no connection, every broken line named.
TEST(Run, brokenCsvChangesNothing) {
    const CsvFile csv("staff_no,card_no,opening\nE001,1001,50\nE002,10x2,50\nE003,1003,1.234\n");
    FakeDaemon daemon({});
    const auto outcome = run_with({"--socket", daemon.path(), "card", "issue", "--csv", csv.path()});
    EXPECT_EQ(outcome.status, exit_usage);
    EXPECT_EQ(outcome.err, "cardctl: " + csv.path() +
                               ": 2 broken rows, nothing was sent:\n"
                               "  line 3: invalid card_no '10x2': give a whole number in decimal digits\n"
                               "  line 4: opening: invalid amount '1.234': at most two decimals (a cent is the "
                               "smallest unit)\n");
    EXPECT_EQ(daemon.connections(), 0);
}

// A batch with a failed row: progress lines on stderr, failed rows with file lines on stdout, exit 5.
TEST(Run, batchWithFailedRowExitsFive) {
    const CsvFile csv("staff_no,name,card_no\nE001,,1001\n\nE003,王五,1003\n");
    FakeDaemon daemon(
        {{R"({"progress": {"done": 1, "total": 2, "text": "row 1: card 1001 issued to E001"}, "id": 1})"
          "\n"},
         {R"({"progress": {"done": 2, "total": 2, "text": "row 2: card number 1003 was already issued"}, "id": 1})"
          "\n"},
         {R"({"result": 0, "text": "1 of 2 cards issued, 1 row failed", "arguments": {"issued": [1001],)"
          R"( "failed": [{"row": 2, "staff_no": "E003", "card_no": 1003, "result": 4,)"
          R"( "text": "card number 1003 was already issued"}]}, "id": 1})"
          "\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "card", "issue", "--csv", csv.path()});
    EXPECT_EQ(outcome.status, exit_partial);
    EXPECT_EQ(outcome.err,
              "[1/2] row 1: card 1001 issued to E001\n"
              "[2/2] row 2: card number 1003 was already issued\n");
    EXPECT_EQ(outcome.out,
              "1 of 2 cards issued, 1 row failed\n"
              "Failed rows\n"
              "LINE  ROW  STAFF NO  CARD  ERROR\n"
              "   4    2  E003      1003  card number 1003 was already issued\n");
    EXPECT_EQ(daemon.request_line(),
              R"({"command":"card-issue-batch","arguments":{"rows":[{"staff_no":"E001","card_no":1001},)"
              R"({"staff_no":"E003","name":"王五","card_no":1003}]},"id":1})");
}

// A batch refused by its rehearsal: the sentence and every refused row with its file line on stderr, exit 1.
TEST(Run, batchRefusedWholeNamesEachRow) {
    const CsvFile csv("staff_no,card_no\nE001,\nE009,\n");
    FakeDaemon daemon({{R"({"result": 4, "text": "1 of 2 rows would be refused, so nothing was issued",)"
                        R"( "arguments": {"refused": [{"row": 2, "staff_no": "E009", "card_no": 1008, "result": 3,)"
                        R"( "text": "no person with staff number E009"}]}, "id": 1})"
                        "\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "card", "issue", "--csv", csv.path(), "--rehearse"});
    EXPECT_EQ(outcome.status, exit_refused);
    EXPECT_EQ(outcome.out, "");
    EXPECT_EQ(outcome.err,
              "cardctl: 1 of 2 rows would be refused, so nothing was issued\n"
              "Refused rows\n"
              "LINE  ROW  STAFF NO  CARD  ERROR\n"
              "   3    2  E009      1008  no person with staff number E009\n");
    EXPECT_EQ(daemon.request_line(),
              R"({"command":"card-issue-batch","arguments":{"rows":[{"staff_no":"E001"},{"staff_no":"E009"}],)"
              R"("rehearse":true},"id":1})");
}

// A loss of several cards refused: each refused card named on stderr, exit 1.
TEST(Run, lossOfSeveralCardsRefusedNamesEachCard) {
    FakeDaemon daemon({{R"({"result": 4, "text": "1 of 2 cards cannot be reported lost, so none was",)"
                        R"( "arguments": {"refused": [{"card_no": 1002, "result": 4,)"
                        R"( "text": "card 1002 is lost; only an active card can be reported lost"}]}, "id": 1})"
                        "\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "card", "loss", "1001", "1002"});
    EXPECT_EQ(outcome.status, exit_refused);
    EXPECT_EQ(outcome.err,
              "cardctl: 1 of 2 cards cannot be reported lost, so none was\n"
              "Refused cards\n"
              "CARD  ERROR\n"
              "1002  card 1002 is lost; only an active card can be reported lost\n");
    EXPECT_EQ(daemon.request_line(), R"({"command":"card-loss","arguments":{"card_nos":[1001,1002]},"id":1})");
}

// A batch where every row was issued exits 0.
TEST(Run, batchAllIssuedExitsZero) {
    const CsvFile csv("staff_no,card_no\nE001,1001\n");
    FakeDaemon daemon(
        {{R"({"result": 0, "text": "1 of 1 cards issued", "arguments": {"issued": [1001], "failed": []}, "id": 1})"
          "\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "card", "issue", "--csv", csv.path()});
    EXPECT_EQ(outcome.status, exit_ok);
    EXPECT_EQ(outcome.out, "1 of 1 cards issued\n");
}

// A resync that leaves a terminal failed exits 5 and names it.
TEST(Run, resyncWithFailedTerminalExitsFive) {
    FakeDaemon daemon({{R"({"result": 0, "text": "1 of 2 terminals level", "arguments": {"level": ["canteen-1"],)"
                        R"( "failed": [{"device": "canteen-3", "text": "timeout"}]}, "id": 1})"
                        "\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "resync", "--failed"});
    EXPECT_EQ(outcome.status, exit_partial);
    EXPECT_EQ(outcome.out, "1 of 2 terminals level\nlevel: canteen-1\nfailed: canteen-3 (timeout)\n");
}

// A request longer than the daemon takes is refused before sending.
TEST(Run, oversizedBatchRefusedBeforeSending) {
    std::string text = "staff_no,name,card_no\n";
    for (int i = 0; i < 12000; ++i) {
        text += "E" + std::to_string(i) + "," + std::string(80, 'n') + "," + std::to_string(i + 1) + "\n";
    }
    const CsvFile csv(text);
    FakeDaemon daemon({});
    const auto outcome = run_with({"--socket", daemon.path(), "card", "issue", "--csv", csv.path()});
    EXPECT_EQ(outcome.status, exit_usage);
    EXPECT_TRUE(outcome.err.ends_with("more than cardd takes (1048576); split the file\n")) << outcome.err;
    EXPECT_EQ(daemon.connections(), 0);
}

// A progress line without "done" is the daemon asking for the card: it is printed on stderr
// as a line of its own, and the answer still goes to stdout.
TEST(Run, progressWithoutCountIsALineOnStderr) {
    FakeDaemon daemon({{R"~({"progress": {"text": "place the card on encoder desk (waiting up to 10 s)"}, "id": 1})~"
                        "\n"},
                       {R"({"result": 0, "text": "card 1001 topped up by 5.00, balance 12.00", "id": 1})"
                        "\n"}});
    const auto outcome =
        run_with({"--socket", daemon.path(), "card", "topup", "1001", "5", "--encoder", "desk", "--wait", "10"});
    EXPECT_EQ(outcome.status, exit_ok);
    EXPECT_EQ(outcome.err, "place the card on encoder desk (waiting up to 10 s)\n");
    EXPECT_EQ(outcome.out, "card 1001 topped up by 5.00, balance 12.00\n");
    EXPECT_EQ(daemon.request_line(),
              R"({"command":"card-topup","arguments":{"card_no":1001,"amount":500,"encoder":"desk","wait_s":10},)"
              R"("id":1})");
}

// On a terminal the request ends the bar's line and stands below it; the refusal that
// follows (no card placed in time) starts on a line of its own too.
TEST(Run, progressWithoutCountBelowTheBarOnATerminal) {
    const CsvFile csv("staff_no,card_no\nE001,1001\nE002,1002\n");
    FakeDaemon daemon({{R"({"progress": {"done": 1, "total": 2, "text": "row 1: card 1001 issued to E001"}, "id": 1})"
                        "\n"},
                       {R"~({"progress": {"text": "place the card on encoder desk (waiting up to 30 s)"}, "id": 1})~"
                        "\n"},
                       {R"({"result": 7, "text": "no card was placed on encoder desk within 30 s", "id": 1})"
                        "\n"}});
    const auto outcome = run_with({"--socket", daemon.path(), "card", "issue", "--csv", csv.path()}, true);
    EXPECT_EQ(outcome.status, exit_refused);
    EXPECT_EQ(outcome.err,
              "\r[############------------] 1/2  row 1: card 1001 issued to E001\x1b[K\n"
              "place the card on encoder desk (waiting up to 30 s)\n"
              "cardctl: no card was placed on encoder desk within 30 s\n");
    EXPECT_EQ(outcome.out, "");
}

}  // namespace
}  // namespace cardd::cardctl
