#include "tools/cardctl/commands.hpp"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <vector>

#include <CLI/CLI.hpp>
#include <gtest/gtest.h>

namespace cardd::cardctl {
namespace {

std::vector<const char*> argv_of(std::initializer_list<const char*> args) {
    std::vector<const char*> argv{"cardctl"};
    argv.insert(argv.end(), args);
    return argv;
}

// The request JSON a command line makes, or "error: ..." when the command refuses.
std::string request_of(std::initializer_list<const char*> args) {
    CommandLine command_line;
    const auto argv = argv_of(args);
    command_line.app().parse(static_cast<int>(argv.size()), argv.data());
    const auto request = command_line.request();
    return request ? request->message.dump() : "error: " + request.error();
}

// The usage error a command line gets, or "parsed" when it has none.
std::string usage_error_of(std::initializer_list<const char*> args) {
    CommandLine command_line;
    const auto argv = argv_of(args);
    try {
        command_line.app().parse(static_cast<int>(argv.size()), argv.data());
    } catch (const CLI::ParseError& e) {
        return e.what();
    }
    return "parsed";
}

View view_of(std::initializer_list<const char*> args) {
    CommandLine command_line;
    const auto argv = argv_of(args);
    command_line.app().parse(static_cast<int>(argv.size()), argv.data());
    return command_line.request()->view;
}

// format show / format set map to format-show / format-set; optional limits only when given.
TEST(Commands, formatCommands) {
    EXPECT_EQ(request_of({"format", "show"}), R"({"command":"format-show"})");
    EXPECT_EQ(request_of({"format", "set", "--sector", "3"}), R"({"command":"format-set","arguments":{"sector":3}})");
    EXPECT_EQ(request_of({"format", "set", "--sector", "3", "--card-no-digits", "6", "--max-card-no", "500000"}),
              R"({"command":"format-set","arguments":{"sector":3,"card_no_digits":6,"max_card_no":500000}})");
}

// device add-terminal: TCP, or RTU with baud, parity (upper-cased) and unit only when given.
TEST(Commands, deviceAddTerminal) {
    EXPECT_EQ(request_of({"device", "add-terminal", "canteen-1", "--tcp", "10.0.0.21:502", "--unit", "1"}),
              R"({"command":"device-add-terminal","arguments":{"name":"canteen-1","tcp":"10.0.0.21:502","unit":1}})");
    EXPECT_EQ(request_of({"device", "add-terminal", "canteen-2", "--rtu", "/dev/ttyUSB0", "--baud", "19200", "--parity",
                          "e", "--unit", "3"}),
              R"({"command":"device-add-terminal","arguments":{"name":"canteen-2","rtu":"/dev/ttyUSB0","baud":19200,)"
              R"("parity":"E","unit":3}})");
    EXPECT_EQ(request_of({"device", "add-terminal", "canteen-3", "--rtu", "/dev/ttyUSB0", "--baud", "9600"}),
              R"({"command":"device-add-terminal","arguments":{"name":"canteen-3","rtu":"/dev/ttyUSB0","baud":9600}})");
    EXPECT_EQ(request_of({"device", "add-terminal", "t", "--tcp", "localhost:1502"}),
              R"({"command":"device-add-terminal","arguments":{"name":"t","tcp":"localhost:1502"}})");
}

// device add-encoder: a USB id (lower-cased) or the simulator.
TEST(Commands, deviceAddEncoder) {
    EXPECT_EQ(request_of({"device", "add-encoder", "desk", "--usb", "072F:2200"}),
              R"({"command":"device-add-encoder","arguments":{"name":"desk","usb":"072f:2200"}})");
    EXPECT_EQ(request_of({"device", "add-encoder", "desk", "--sim"}),
              R"({"command":"device-add-encoder","arguments":{"name":"desk","sim":true}})");
}

// device list / remove / read-params; a device is named by "name".
TEST(Commands, deviceListRemoveReadParams) {
    EXPECT_EQ(request_of({"device", "list"}), R"({"command":"device-list"})");
    EXPECT_EQ(request_of({"device", "remove", "canteen-1"}),
              R"({"command":"device-remove","arguments":{"name":"canteen-1"}})");
    EXPECT_EQ(request_of({"device", "read-params", "canteen-1"}),
              R"({"command":"device-read-params","arguments":{"name":"canteen-1"}})");
}

// person add: plain, and the onboarding form with an issue object in cents.
TEST(Commands, personAdd) {
    EXPECT_EQ(request_of({"person", "add", "E001", "--name", "张三", "--dept", "Kitchen"}),
              R"({"command":"person-add","arguments":{"staff_no":"E001","name":"张三","dept":"Kitchen"}})");
    EXPECT_EQ(request_of({"person", "add", "E002", "--name", "Li", "--issue", "--card-no", "1002", "--opening", "0",
                          "--cost", "10"}),
              R"({"command":"person-add","arguments":{"staff_no":"E002","name":"Li",)"
              R"("issue":{"card_no":1002,"opening":0,"cost":1000}}})");
    EXPECT_EQ(request_of({"person", "add", "E003", "--name", "Wang", "--issue", "--card-no", "1003"}),
              R"({"command":"person-add","arguments":{"staff_no":"E003","name":"Wang","issue":{"card_no":1003}}})");
    EXPECT_EQ(request_of({"person", "list"}), R"({"command":"person-list"})");
}

// person search: the text, the department and the page only when given; person departments.
TEST(Commands, personSearchAndDepartments) {
    EXPECT_EQ(request_of({"person", "search"}), R"({"command":"person-search"})");
    EXPECT_EQ(request_of({"person", "search", "张"}), R"({"command":"person-search","arguments":{"query":"张"}})");
    EXPECT_EQ(request_of({"person", "search", "zhang", "--dept", "Kitchen", "--offset", "50", "--limit", "25"}),
              R"({"command":"person-search","arguments":{"query":"zhang","department":"Kitchen","offset":50,)"
              R"("limit":25}})");
    EXPECT_EQ(request_of({"person", "search", "--dept", "食堂"}),
              R"({"command":"person-search","arguments":{"department":"食堂"}})");
    EXPECT_EQ(request_of({"person", "departments"}), R"({"command":"departments"})");
    EXPECT_EQ(view_of({"person", "search", "x"}), View::person_search);
    EXPECT_EQ(view_of({"person", "departments"}), View::departments);
    EXPECT_EQ(usage_error_of({"person", "search", "--limit", "ten"}),
              "--limit: invalid limit 'ten': give a whole number in decimal digits");
}

// card issue for one person, amounts in cents.
TEST(Commands, cardIssueSingle) {
    EXPECT_EQ(request_of({"card", "issue", "E001", "--card-no", "1001", "--opening", "50", "--cost", "10"}),
              R"({"command":"card-issue","arguments":{"staff_no":"E001","card_no":1001,"opening":5000,"cost":1000}})");
    EXPECT_EQ(request_of({"card", "issue", "E001", "--card-no", "1001"}),
              R"({"command":"card-issue","arguments":{"staff_no":"E001","card_no":1001}})");
}

// card issue --csv: one card-issue-batch request carrying every row, with the file lines kept.
TEST(Commands, cardIssueCsv) {
    char path[] = "/tmp/cardctl-batch-XXXXXX";
    const int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::ofstream(path) << "staff_no,card_no,opening\nE001,1001,0\n\nE003,1003,12.5\n";
    CommandLine command_line;
    const auto argv = argv_of({"card", "issue", "--csv", path});
    command_line.app().parse(static_cast<int>(argv.size()), argv.data());
    const auto request = command_line.request();
    ::unlink(path);
    ASSERT_TRUE(request) << request.error();
    EXPECT_EQ(request->message.dump(),
              R"({"command":"card-issue-batch","arguments":{"rows":[{"staff_no":"E001","card_no":1001,"opening":0},)"
              R"({"staff_no":"E003","card_no":1003,"opening":1250}]}})");
    EXPECT_EQ(request->batch_lines, (std::vector<std::size_t>{2, 4}));
    EXPECT_EQ(request->view, View::issue_batch);
}

// card issue --staff-nos: a batch for a selection of people, numbers assigned by cardd; --assign-from and
// --rehearse go with it, and with --csv.
TEST(Commands, cardIssueForASelection) {
    EXPECT_EQ(request_of({"card", "issue", "--staff-nos", "E001,E002"}),
              R"({"command":"card-issue-batch","arguments":{"rows":[{"staff_no":"E001"},{"staff_no":"E002"}]}})");
    EXPECT_EQ(
        request_of({"card", "issue", "--staff-nos", "E001,E002", "--opening", "10", "--cost", "5", "--assign-from",
                    "3000", "--rehearse", "--encoder", "desk"}),
        R"({"command":"card-issue-batch","arguments":{"rows":[{"staff_no":"E001","opening":1000,"cost":500},)"
        R"({"staff_no":"E002","opening":1000,"cost":500}],"assign_from":3000,"rehearse":true,"encoder":"desk"}})");
    EXPECT_EQ(view_of({"card", "issue", "--staff-nos", "E001"}), View::issue_batch);
    EXPECT_EQ(usage_error_of({"card", "issue", "--staff-nos", "E001,,E002"}),
              "--staff-nos: invalid staff number list 'E001,,E002': an empty staff number");
    EXPECT_EQ(usage_error_of({"card", "issue", "--staff-nos", "E001,E001"}),
              "--staff-nos: invalid staff number list 'E001,E001': E001 is named twice");
    EXPECT_EQ(usage_error_of({"card", "issue", "--staff-nos", "E001", "--csv", "f.csv"}), "--csv excludes --staff-nos");
    EXPECT_EQ(usage_error_of({"card", "issue", "E001", "--card-no", "1", "--rehearse"}),
              "--rehearse: goes with --csv or --staff-nos");
    EXPECT_EQ(usage_error_of({"card", "issue", "E001", "--card-no", "1", "--assign-from", "5"}),
              "--assign-from: goes with --csv or --staff-nos");

    char path[] = "/tmp/cardctl-batch-XXXXXX";
    const int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::ofstream(path) << "staff_no,card_no\nE001,\nE002,2002\n";
    const std::string result = request_of({"card", "issue", "--csv", path, "--assign-from", "1500", "--rehearse"});
    ::unlink(path);
    EXPECT_EQ(result, R"({"command":"card-issue-batch","arguments":{"rows":[{"staff_no":"E001"},)"
                      R"({"staff_no":"E002","card_no":2002}],"assign_from":1500,"rehearse":true}})");
}

// A broken CSV makes no request at all.
TEST(Commands, brokenCsvMakesNoRequest) {
    char path[] = "/tmp/cardctl-batch-XXXXXX";
    const int fd = ::mkstemp(path);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::ofstream(path) << "staff_no,card_no\nE001,1001\nE002,\"10\n";
    const std::string result = request_of({"card", "issue", "--csv", path});
    ::unlink(path);
    EXPECT_EQ(result, "error: " + std::string(path) + ": line 3: a quoted field is never closed (opened on line 3)");
}

// card topup, refund-close, info: the issue's example, topup 50 -> 5000 cents.
TEST(Commands, cardMoneyAndInfo) {
    EXPECT_EQ(request_of({"card", "topup", "1001", "50"}),
              R"({"command":"card-topup","arguments":{"card_no":1001,"amount":5000}})");
    EXPECT_EQ(request_of({"card", "topup", "1001", "0.30"}),
              R"({"command":"card-topup","arguments":{"card_no":1001,"amount":30}})");
    EXPECT_EQ(request_of({"card", "refund-close", "1001"}),
              R"({"command":"card-refund-close","arguments":{"card_no":1001}})");
    EXPECT_EQ(request_of({"card", "info", "1001"}), R"({"command":"card-info","arguments":{"card_no":1001}})");
}

// card loss and unlock: no push by default; --push --devices all or a list.
TEST(Commands, cardLossAndUnlock) {
    EXPECT_EQ(request_of({"card", "loss", "1002"}), R"({"command":"card-loss","arguments":{"card_no":1002}})");
    EXPECT_EQ(request_of({"card", "loss", "1001", "--push", "--devices", "all"}),
              R"({"command":"card-loss","arguments":{"card_no":1001,"push":true,"devices":"all"}})");
    EXPECT_EQ(
        request_of({"card", "loss", "1001", "--push", "--devices", "canteen-1,canteen-3"}),
        R"({"command":"card-loss","arguments":{"card_no":1001,"push":true,"devices":["canteen-1","canteen-3"]}})");
    EXPECT_EQ(request_of({"card", "unlock", "1001"}), R"({"command":"card-unlock","arguments":{"card_no":1001}})");
    EXPECT_EQ(request_of({"card", "unlock", "1001", "--push", "--devices", "all"}),
              R"({"command":"card-unlock","arguments":{"card_no":1001,"push":true,"devices":"all"}})");
}

// Several cards at once go as card_nos, in the order given; a loss may give its reason.
TEST(Commands, cardLossAndUnlockOfSeveralCards) {
    EXPECT_EQ(request_of({"card", "loss", "1003", "1001", "1002", "--reason", "damaged"}),
              R"({"command":"card-loss","arguments":{"card_nos":[1003,1001,1002],"reason":"damaged"}})");
    EXPECT_EQ(request_of({"card", "loss", "1001", "--reason", "expired", "--push", "--devices", "all"}),
              R"({"command":"card-loss","arguments":{"card_no":1001,"push":true,"devices":"all","reason":"expired"}})");
    EXPECT_EQ(request_of({"card", "unlock", "1001", "1002", "--push", "--devices", "canteen-1"}),
              R"({"command":"card-unlock","arguments":{"card_nos":[1001,1002],"push":true,"devices":["canteen-1"]}})");
    EXPECT_EQ(usage_error_of({"card", "loss", "1001", "1002", "1001"}), "CARD_NO: card number 1001 is given twice");
    EXPECT_EQ(usage_error_of({"card", "loss", "1001", "10x"}),
              "CARD_NO: invalid card number '10x': give a whole number in decimal digits");
    EXPECT_NE(usage_error_of({"card", "loss", "1001", "--reason", "stolen"}), "parsed");
    EXPECT_NE(usage_error_of({"card", "unlock", "1001", "--reason", "lost"}), "parsed");
    EXPECT_EQ(usage_error_of({"card", "loss"}), "CARD_NO is required");
}

// card replace with optional cost; card return always says wipe and refund.
TEST(Commands, cardReplaceAndReturn) {
    EXPECT_EQ(request_of({"card", "replace", "1001", "--new-card-no", "2001"}),
              R"({"command":"card-replace","arguments":{"card_no":1001,"new_card_no":2001}})");
    EXPECT_EQ(request_of({"card", "replace", "1001", "--new-card-no", "2001", "--cost", "10"}),
              R"({"command":"card-replace","arguments":{"card_no":1001,"new_card_no":2001,"cost":1000}})");
    EXPECT_EQ(request_of({"card", "return", "1001"}),
              R"({"command":"card-return","arguments":{"card_no":1001,"wipe":false,"refund":true}})");
    EXPECT_EQ(request_of({"card", "return", "1001", "--wipe", "--no-refund"}),
              R"({"command":"card-return","arguments":{"card_no":1001,"wipe":true,"refund":false}})");
}

// audit: each filter given goes as it is, dates as Unix seconds.
TEST(Commands, auditFilters) {
    ::setenv("TZ", "CST-8", 1);
    ::tzset();
    EXPECT_EQ(request_of({"audit"}), R"({"command":"audit-log"})");
    EXPECT_EQ(request_of({"audit", "--account", "li.cashier", "--action", "card.", "--from", "2025-11-24", "--to",
                          "2025-11-24", "--limit", "20"}),
              R"({"command":"audit-log","arguments":{"account":"li.cashier","action":"card.","from":1763913600,)"
              R"("to":1763999999,"limit":20}})");
    EXPECT_EQ(request_of({"audit", "--uid", "998"}), R"({"command":"audit-log","arguments":{"uid":998}})");
    ::unsetenv("TZ");
    ::tzset();
}

// losses: dates become Unix seconds (day start and day end, local time), serial as given.
TEST(Commands, lossesDatesAndSerial) {
    ::setenv("TZ", "CST-8", 1);
    ::tzset();
    EXPECT_EQ(request_of({"losses"}), R"({"command":"losses"})");
    EXPECT_EQ(request_of({"losses", "--from", "2025-11-24", "--to", "2025-11-24"}),
              R"({"command":"losses","arguments":{"from":1763913600,"to":1763999999}})");
    EXPECT_EQ(request_of({"losses", "--serial", "17"}), R"({"command":"losses","arguments":{"serial":17}})");
    EXPECT_EQ(request_of({"losses", "--open"}), R"({"command":"losses","arguments":{"open":true}})");
    EXPECT_EQ(request_of({"losses", "--from", "1764000000", "--to", "1764086399", "--serial", "17"}),
              R"({"command":"losses","arguments":{"from":1764000000,"to":1764086399,"serial":17}})");
    ::unsetenv("TZ");
    ::tzset();
}

// failed, status: no arguments.
TEST(Commands, failedAndStatus) {
    EXPECT_EQ(request_of({"failed"}), R"({"command":"failed"})");
    EXPECT_EQ(request_of({"status"}), R"({"command":"status"})");
}

// resync: the three forms of the contract.
TEST(Commands, resyncForms) {
    EXPECT_EQ(request_of({"resync", "--failed"}), R"({"command":"resync","arguments":{"failed":true}})");
    EXPECT_EQ(request_of({"resync", "--device", "canteen-1,canteen-3"}),
              R"({"command":"resync","arguments":{"devices":["canteen-1","canteen-3"]}})");
    EXPECT_EQ(request_of({"resync", "--device", "canteen-1"}),
              R"({"command":"resync","arguments":{"devices":["canteen-1"]}})");
    EXPECT_EQ(request_of({"resync", "--cards", "1001,1005", "--devices", "canteen-3"}),
              R"({"command":"resync","arguments":{"cards":[1001,1005],"devices":["canteen-3"]}})");
}

// collect: all terminals unless named.
TEST(Commands, collectDevices) {
    EXPECT_EQ(request_of({"collect"}), R"({"command":"collect","arguments":{"devices":"all"}})");
    EXPECT_EQ(request_of({"collect", "--devices", "all"}), R"({"command":"collect","arguments":{"devices":"all"}})");
    EXPECT_EQ(request_of({"collect", "--devices", "canteen-1,canteen-2"}),
              R"({"command":"collect","arguments":{"devices":["canteen-1","canteen-2"]}})");
}

// Each command picks the view its answer needs.
TEST(Commands, viewsPerCommand) {
    EXPECT_EQ(view_of({"person", "list"}), View::person_list);
    EXPECT_EQ(view_of({"device", "list"}), View::device_list);
    EXPECT_EQ(view_of({"card", "info", "1"}), View::card_info);
    EXPECT_EQ(view_of({"card", "loss", "1"}), View::distribution);
    EXPECT_EQ(view_of({"losses"}), View::losses);
    EXPECT_EQ(view_of({"failed"}), View::failed);
    EXPECT_EQ(view_of({"resync", "--failed"}), View::resync);
    EXPECT_EQ(view_of({"collect"}), View::collect);
    EXPECT_EQ(view_of({"status"}), View::status);
}

// account commands map to account-*; the password is never an option, and is asked for by run().
TEST(Commands, accountCommands) {
    EXPECT_EQ(request_of({"account", "add", "ops", "--role", "admin"}),
              R"({"command":"account-add","arguments":{"name":"ops","role":"admin"}})");
    EXPECT_EQ(request_of({"account", "list"}), R"({"command":"account-list"})");
    EXPECT_EQ(request_of({"account", "passwd", "ops", "--password-stdin"}),
              R"({"command":"account-passwd","arguments":{"name":"ops"}})");
    EXPECT_EQ(request_of({"account", "disable", "ops"}), R"({"command":"account-disable","arguments":{"name":"ops"}})");
    EXPECT_EQ(request_of({"account", "enable", "ops"}), R"({"command":"account-enable","arguments":{"name":"ops"}})");
    EXPECT_EQ(request_of({"account", "remove", "ops"}), R"({"command":"account-remove","arguments":{"name":"ops"}})");
    EXPECT_EQ(view_of({"account", "list"}), View::account_list);

    CommandLine command_line;
    const auto argv = argv_of({"account", "add", "ops", "--role", "issuer", "--password-stdin"});
    command_line.app().parse(static_cast<int>(argv.size()), argv.data());
    const auto request = command_line.request();
    ASSERT_TRUE(request->password.has_value());
    EXPECT_TRUE(request->password->from_stdin);
    CommandLine asked;
    const auto argv_asked = argv_of({"account", "passwd", "ops"});
    asked.app().parse(static_cast<int>(argv_asked.size()), argv_asked.data());
    EXPECT_FALSE(asked.request()->password->from_stdin);
    EXPECT_EQ(asked.request()->password->prompt, "Password for account ops: ");

    EXPECT_NE(usage_error_of({"account", "add", "ops", "--role", "root"}), "parsed");
    EXPECT_NE(usage_error_of({"account", "add", "ops"}), "parsed");
    EXPECT_NE(usage_error_of({"account", "add", "ops", "--role", "admin", "--password", "x"}), "parsed");
    EXPECT_NE(usage_error_of({"account", "disable"}), "parsed");
}

// Global options: the default socket, $CARDD_SOCKET, --socket, --json, --timeout, also after the command.
TEST(Commands, globalOptions) {
    ::unsetenv("CARDD_SOCKET");
    {
        CommandLine command_line;
        const auto argv = argv_of({"status"});
        command_line.app().parse(static_cast<int>(argv.size()), argv.data());
        EXPECT_EQ(command_line.globals().socket, "/run/cardd/cardd.sock");
        EXPECT_FALSE(command_line.globals().json);
        EXPECT_EQ(command_line.globals().timeout_seconds, 120);
    }
    ::setenv("CARDD_SOCKET", "/tmp/env.sock", 1);
    {
        CommandLine command_line;
        const auto argv = argv_of({"status"});
        command_line.app().parse(static_cast<int>(argv.size()), argv.data());
        EXPECT_EQ(command_line.globals().socket, "/tmp/env.sock");
    }
    {
        CommandLine command_line;
        const auto argv = argv_of({"--socket", "/tmp/flag.sock", "--json", "--timeout", "5", "status"});
        command_line.app().parse(static_cast<int>(argv.size()), argv.data());
        EXPECT_EQ(command_line.globals().socket, "/tmp/flag.sock");
        EXPECT_TRUE(command_line.globals().json);
        EXPECT_EQ(command_line.globals().timeout_seconds, 5);
    }
    ::unsetenv("CARDD_SOCKET");
    {
        CommandLine command_line;
        const auto argv = argv_of({"card", "info", "1001", "--json", "--socket", "/tmp/after.sock"});
        command_line.app().parse(static_cast<int>(argv.size()), argv.data());
        EXPECT_TRUE(command_line.globals().json);
        EXPECT_EQ(command_line.globals().socket, "/tmp/after.sock");
    }
}

// Malformed values are usage errors naming the option and the value.
TEST(Commands, malformedValuesAreUsageErrors) {
    EXPECT_EQ(usage_error_of({"card", "topup", "1001", "1.234"}),
              "AMOUNT: invalid amount '1.234': at most two decimals (a cent is the smallest unit)");
    EXPECT_EQ(usage_error_of({"card", "topup", "1001", "-5"}), "AMOUNT: invalid amount '-5': must not be negative");
    EXPECT_EQ(usage_error_of({"card", "topup", "1001", "1e3"}),
              "AMOUNT: invalid amount '1e3': give yuan with at most two decimals, like 50, 12.5 or 0.30");
    EXPECT_EQ(usage_error_of({"card", "topup", "010", "5"}), "parsed");  // decimal 10, not octal 8
    EXPECT_EQ(usage_error_of({"card", "topup", "0x10", "5"}),
              "CARD_NO: invalid card number '0x10': give a whole number in decimal digits");
    EXPECT_EQ(usage_error_of({"card", "issue", "E1", "--card-no", "1", "--opening", "abc"}),
              "--opening: invalid amount 'abc': give yuan with at most two decimals, like 50, 12.5 or 0.30");
    EXPECT_EQ(usage_error_of({"losses", "--from", "2025-02-30"}),
              "--from: invalid date '2025-02-30': no such day in that month");
    EXPECT_EQ(usage_error_of({"card", "loss", "1", "--push", "--devices", "all,t1"}),
              "--devices: invalid device list 'all,t1': 'all' stands alone");
    EXPECT_EQ(usage_error_of({"device", "add-terminal", "t", "--tcp", "host"}),
              "--tcp: invalid address 'host': give HOST:PORT, like 10.0.0.21:502");
    EXPECT_EQ(usage_error_of({"person", "add", "E1", "--name", "\xD5\xC5"}),
              "--name: '\xD5\xC5' is not UTF-8 text; set the terminal to UTF-8");
}

// Option combinations outside the contract's spellings are usage errors.
TEST(Commands, wrongCombinationsAreUsageErrors) {
    EXPECT_EQ(usage_error_of({"device", "add-terminal", "t"}), "--tcp HOST:PORT or --rtu DEVICE --baud N is required");
    EXPECT_EQ(usage_error_of({"device", "add-terminal", "t", "--tcp", "h:1", "--rtu", "/dev/x"}),
              "--tcp excludes --rtu");
    EXPECT_EQ(usage_error_of({"device", "add-terminal", "t", "--rtu", "/dev/x"}), "--rtu requires --baud");
    EXPECT_EQ(usage_error_of({"device", "add-encoder", "d"}), "--usb VID:PID or --sim is required");
    EXPECT_EQ(usage_error_of({"device", "add-encoder", "d", "--usb", "072f:2200", "--sim"}), "--usb excludes --sim");
    EXPECT_EQ(usage_error_of({"person", "add", "E1", "--name", "Li", "--card-no", "5"}), "--card-no requires --issue");
    EXPECT_EQ(usage_error_of({"person", "add", "E1", "--name", "Li", "--issue"}), "--issue requires --card-no");
    EXPECT_EQ(usage_error_of({"person", "add", "E1"}), "--name is required");
    EXPECT_EQ(usage_error_of({"card", "issue"}), "STAFF_NO --card-no N, --staff-nos LIST, or --csv FILE, is required");
    EXPECT_EQ(usage_error_of({"card", "issue", "E1"}), "STAFF_NO requires --card-no");
    EXPECT_EQ(usage_error_of({"card", "issue", "E1", "--card-no", "1", "--csv", "f.csv"}), "STAFF_NO excludes --csv");
    EXPECT_EQ(usage_error_of({"card", "loss", "1", "--push"}), "--push requires --devices");
    EXPECT_EQ(usage_error_of({"card", "loss", "1", "--devices", "all"}), "--devices requires --push");
    EXPECT_EQ(usage_error_of({"card", "replace", "1"}), "--new-card-no is required");
    EXPECT_EQ(usage_error_of({"resync"}),
              "--failed, --device NAME,... or --cards N,... --devices NAME,... is required");
    EXPECT_EQ(usage_error_of({"resync", "--failed", "--device", "t"}), "--failed excludes --device");
    EXPECT_EQ(usage_error_of({"resync", "--cards", "1"}), "--cards requires --devices");
    EXPECT_EQ(usage_error_of({"resync", "--device", "a,,b"}), "--device: invalid device list 'a,,b': an empty name");
    EXPECT_EQ(usage_error_of({"losses", "--from", "2025-11-30", "--to", "2025-11-01"}),
              "--from: '2025-11-30' is after --to '2025-11-01'");
    EXPECT_EQ(usage_error_of({"card"}), "A subcommand is required");
}

// The card commands that need a card on the encoder take --encoder and --wait; they travel as
// "encoder" and "wait_s" beside the command's own arguments.
TEST(Commands, encoderOptionsOfCardCommands) {
    EXPECT_EQ(request_of({"card", "issue", "E001", "--card-no", "1001", "--encoder", "desk", "--wait", "10"}),
              R"({"command":"card-issue","arguments":{"staff_no":"E001","card_no":1001,)"
              R"("encoder":"desk","wait_s":10}})");
    EXPECT_EQ(request_of({"card", "topup", "1001", "5", "--wait", "3"}),
              R"({"command":"card-topup","arguments":{"card_no":1001,"amount":500,"wait_s":3}})");
    EXPECT_EQ(request_of({"card", "replace", "1001", "--new-card-no", "2001", "--encoder", "desk"}),
              R"({"command":"card-replace","arguments":{"card_no":1001,"new_card_no":2001,"encoder":"desk"}})");
    EXPECT_EQ(request_of({"card", "return", "1001", "--wipe", "--encoder", "desk"}),
              R"({"command":"card-return","arguments":{"card_no":1001,"wipe":true,"refund":true,"encoder":"desk"}})");
    EXPECT_EQ(request_of({"card", "return", "1001", "--wipe", "--no-refund", "--wait", "7"}),
              R"({"command":"card-return","arguments":{"card_no":1001,"wipe":true,"refund":false,"wait_s":7}})");
}

// Onboarding puts --encoder and --wait inside "issue", with the card they concern.
TEST(Commands, personAddEncoderGoesWithTheCard) {
    EXPECT_EQ(request_of({"person", "add", "E001", "--name", "X", "--issue", "--card-no", "5", "--encoder", "desk"}),
              R"({"command":"person-add","arguments":{"staff_no":"E001","name":"X",)"
              R"("issue":{"card_no":5,"encoder":"desk"}}})");
    EXPECT_EQ(request_of({"person", "add", "E001", "--name", "X", "--issue", "--card-no", "5", "--wait", "20"}),
              R"({"command":"person-add","arguments":{"staff_no":"E001","name":"X",)"
              R"("issue":{"card_no":5,"wait_s":20}}})");
}

// card info asks the store; with --read it reads the card on the encoder and compares.
// card read and card init name no card: the one on the encoder is meant.
TEST(Commands, cardInfoReadAndInit) {
    EXPECT_EQ(request_of({"card", "info", "1001"}), R"({"command":"card-info","arguments":{"card_no":1001}})");
    EXPECT_EQ(request_of({"card", "info", "1001", "--read"}),
              R"({"command":"card-read","arguments":{"card_no":1001}})");
    EXPECT_EQ(request_of({"card", "info", "1001", "--read", "--encoder", "desk", "--wait", "5"}),
              R"({"command":"card-read","arguments":{"card_no":1001,"encoder":"desk","wait_s":5}})");
    EXPECT_EQ(request_of({"card", "read"}), R"({"command":"card-read"})");
    EXPECT_EQ(request_of({"card", "read", "--encoder", "desk"}),
              R"({"command":"card-read","arguments":{"encoder":"desk"}})");
    EXPECT_EQ(request_of({"card", "init"}), R"({"command":"card-init"})");
    EXPECT_EQ(request_of({"card", "init", "--encoder", "desk", "--wait", "60"}),
              R"({"command":"card-init","arguments":{"encoder":"desk","wait_s":60}})");
    EXPECT_EQ(view_of({"card", "info", "1001", "--read"}), View::card_read);
    EXPECT_EQ(view_of({"card", "read"}), View::card_read);
    EXPECT_EQ(view_of({"card", "init"}), View::text);
    EXPECT_EQ(view_of({"card", "issue", "E1", "--card-no", "1", "--encoder", "desk"}), View::card);
    EXPECT_EQ(view_of({"card", "replace", "1", "--new-card-no", "2", "--wait", "5"}), View::distribution);
}

// The simulated encoder: a blank card (one or several), or a card by UID, foreign or ours; taking it away.
TEST(Commands, encoderSimulatorCommands) {
    EXPECT_EQ(request_of({"encoder", "sim-place", "--blank"}),
              R"({"command":"encoder-sim-place","arguments":{"blank":true}})");
    EXPECT_EQ(request_of({"encoder", "sim-place", "--blank", "--count", "3"}),
              R"({"command":"encoder-sim-place","arguments":{"blank":true,"count":3}})");
    EXPECT_EQ(request_of({"encoder", "sim-place", "--uid", "04A20001"}),
              R"({"command":"encoder-sim-place","arguments":{"uid":"04A20001"}})");
    EXPECT_EQ(request_of({"encoder", "sim-place", "--uid", "0A0B0C0D", "--foreign"}),
              R"({"command":"encoder-sim-place","arguments":{"uid":"0A0B0C0D","foreign":true}})");
    EXPECT_EQ(request_of({"encoder", "sim-place", "--blank", "--encoder", "desk"}),
              R"({"command":"encoder-sim-place","arguments":{"blank":true,"encoder":"desk"}})");
    EXPECT_EQ(request_of({"encoder", "sim-remove"}), R"({"command":"encoder-sim-remove"})");
    EXPECT_EQ(request_of({"encoder", "sim-remove", "--after", "6"}),
              R"({"command":"encoder-sim-remove","arguments":{"after":6}})");
}

// --encoder and --wait only where a card is on the encoder; sim-place takes exactly one kind of card.
TEST(Commands, encoderOptionsOutOfPlaceAreUsageErrors) {
    EXPECT_EQ(usage_error_of({"person", "add", "E001", "--name", "X", "--encoder", "desk"}),
              "--encoder and --wait go with --issue");
    EXPECT_EQ(usage_error_of({"person", "add", "E001", "--name", "X", "--wait", "5"}),
              "--encoder and --wait go with --issue");
    EXPECT_EQ(usage_error_of({"card", "return", "1001", "--encoder", "desk"}), "--encoder and --wait go with --wipe");
    EXPECT_EQ(usage_error_of({"card", "return", "1001", "--wait", "5"}), "--encoder and --wait go with --wipe");
    EXPECT_EQ(usage_error_of({"card", "info", "1001", "--encoder", "desk"}), "--encoder and --wait go with --read");
    EXPECT_EQ(usage_error_of({"encoder", "sim-place"}), "--blank or --uid UID is required");
    EXPECT_EQ(usage_error_of({"encoder", "sim-place", "--blank", "--uid", "04A20001"}), "--blank excludes --uid");
    EXPECT_EQ(usage_error_of({"encoder", "sim-place", "--foreign"}), "--foreign requires --uid");
    EXPECT_EQ(usage_error_of({"encoder", "sim-place", "--blank", "--foreign"}), "--foreign requires --uid");
    EXPECT_EQ(usage_error_of({"encoder", "sim-place", "--uid", "04A20001", "--count", "3"}),
              "--count requires --blank");
    EXPECT_EQ(usage_error_of({"encoder"}), "A subcommand is required");
}

// Counts and seconds are whole decimal numbers, named in the error.
TEST(Commands, encoderNumbersAreChecked) {
    EXPECT_EQ(usage_error_of({"card", "topup", "1001", "5", "--wait", "abc"}),
              "--wait: invalid number of seconds 'abc': give a whole number in decimal digits");
    EXPECT_EQ(usage_error_of({"card", "issue", "E1", "--card-no", "1", "--wait", "-1"}),
              "--wait: invalid number of seconds '-1': give a whole number in decimal digits");
    EXPECT_EQ(usage_error_of({"encoder", "sim-place", "--blank", "--count", "x"}),
              "--count: invalid number of cards 'x': give a whole number in decimal digits");
    EXPECT_EQ(usage_error_of({"encoder", "sim-remove", "--after", "2.5"}),
              "--after: invalid number of commands '2.5': give a whole number in decimal digits");
}

}  // namespace
}  // namespace cardd::cardctl
