// What a staff console's screens ask of cardd, through a real cardd and its
// real socket (and cardctl): people found by name, staff number or
// department, page by page; losses and unlocks of several cards in one
// transaction and one push; a batch of cards for a selection of people,
// numbers assigned, rehearsed whole before its first card.

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

using cardd::test::LineClient;

class StaffScreens : public E2e {
protected:
    /// Every line cardd sends for `request` on a fresh connection, the final answer last.
    std::vector<json> ask_all(const json& request, std::chrono::milliseconds timeout = 30s) {
        LineClient client(socket());
        if (!client.send(request.dump() + "\n")) throw std::runtime_error("cannot send to cardd");
        std::vector<json> lines;
        for (;;) {
            auto line = client.read_line(timeout);
            if (!line) throw std::runtime_error("no answer from cardd to: " + request.dump().substr(0, 200));
            lines.push_back(json::parse(*line));
            if (lines.back().contains("result")) return lines;
        }
    }

    std::vector<std::string> staff_nos(const json& people) {
        std::vector<std::string> out;
        for (const json& person : people) out.push_back(person.at("staff_no"));
        return out;
    }

    using Names = std::vector<std::string>;
};

// People found by text in name, staff number or department, by department,
// page by page, each with their live card; the departments with their counts.
TEST_P(StaffScreens, peopleAreFoundPageByPage) {
    issue("E003", 1003, 2500);
    ctl_ok({"person", "add", "E001", "--name", "张三", "--dept", "食堂"});
    ctl_ok({"person", "add", "E002", "--name", "Zhang Wei", "--dept", "Kitchen"});
    ctl_ok({"person", "add", "K007", "--name", "Li Si", "--dept", "Kitchen"});
    ctl_ok({"card", "loss", "1003"});

    json found = ctl_ok({"person", "search", "ZHANG"});
    EXPECT_EQ(staff_nos(found.at("people")), (Names{"E002"}));
    found = ctl_ok({"person", "search", "张"});
    EXPECT_EQ(staff_nos(found.at("people")), (Names{"E001"}));
    found = ctl_ok({"person", "search", "--dept", "Kitchen"});
    EXPECT_EQ(staff_nos(found.at("people")), (Names{"E002", "K007"}));
    EXPECT_EQ(found.at("total"), 2);

    // The whole shape on the raw socket: a page of one, the total of all.
    const json page =
        ask({{"command", "person-search"}, {"arguments", {{"query", "e00"}, {"offset", 2}, {"limit", 1}}}});
    ASSERT_EQ(page.at("result"), 0) << page.dump();
    EXPECT_EQ(page.at("text"), "3 people match, 3 to 3 shown");
    const json& args = page.at("arguments");
    EXPECT_EQ(args.at("total"), 3);
    EXPECT_EQ(args.at("offset"), 2);
    EXPECT_EQ(args.at("limit"), 1);
    ASSERT_EQ(args.at("people").size(), 1u);
    const json& person = args.at("people").at(0);
    EXPECT_EQ(person.at("staff_no"), "E003");
    EXPECT_EQ(person.at("name"), "Person E003");
    EXPECT_EQ(person.at("department"), "");
    EXPECT_TRUE(person.at("id").is_number_integer());
    EXPECT_TRUE(person.at("created_at").is_number_integer());
    EXPECT_EQ(person.at("card"), json({{"card_no", 1003},
                                       {"serial", ctl_ok({"card", "info", "1003"}).at("card").at("serial")},
                                       {"state", "lost"},
                                       {"balance", 2500}}));
    const json none = ask({{"command", "person-search"}, {"arguments", {{"query", "E001"}}}});
    EXPECT_TRUE(none.at("arguments").at("people").at(0).at("card").is_null()) << none.dump();

    const json departments = ask({{"command", "departments"}});
    ASSERT_EQ(departments.at("result"), 0);
    EXPECT_EQ(departments.at("arguments").at("departments"),
              json::parse(R"([{"name": "", "people": 1}, {"name": "Kitchen", "people": 2},
                              {"name": "食堂", "people": 1}])"));

    // A page out of range is refused as an argument, and the table view prints.
    EXPECT_EQ(ask({{"command", "person-search"}, {"arguments", {{"limit", 501}}}}).at("result"), 6);
    const CtlRun table = cardctl({"person", "search", "Kitchen"});
    EXPECT_EQ(table.exit_code, 0) << table.describe();
}

// Three cards reported lost in one request: one transaction, one push, each
// terminal's blacklist one version further with all three; the reason kept.
TEST_P(StaffScreens, severalCardsAreLostInOneTransactionAndOnePush) {
    Sim& tcp = tcp_sim("a");
    add_tcp_terminal("tcp-1", tcp);
    Sim& bus = rtu_sim("bus", {1});
    add_rtu_terminal("rtu-1", 1);
    issue("E001", 1001);
    issue("E002", 1002);
    issue("E003", 1003);
    const std::size_t tcp_batches = batches("tcp-1").size();
    const std::size_t rtu_batches = batches("rtu-1").size();

    const json lost =
        ctl_ok({"card", "loss", "1003", "1001", "1002", "--reason", "damaged", "--push", "--devices", "all"});
    ASSERT_EQ(lost.at("losses").size(), 3u) << lost.dump();
    EXPECT_FALSE(lost.contains("loss"));
    EXPECT_EQ(lost.at("losses").at(0).at("card_no"), 1003);
    for (const json& loss : lost.at("losses")) EXPECT_EQ(loss.at("reason"), "damaged");
    EXPECT_EQ(lost.at("works_at_terminals"), false);
    EXPECT_EQ(lost.at("pushed").size(), 2u) << lost.dump();
    EXPECT_TRUE(lost.at("failed").empty()) << lost.dump();
    expect_enforces(tcp, 0, "tcp-1", {1001, 1002, 1003});
    expect_enforces(bus, 0, "rtu-1", {1001, 1002, 1003});
    // One batch per terminal holding the three cards, not a batch a card.
    ASSERT_EQ(batches("tcp-1").size(), tcp_batches + 1);
    EXPECT_EQ(batches("tcp-1").back(), (Cards{1001, 1002, 1003}));
    ASSERT_EQ(batches("rtu-1").size(), rtu_batches + 1);
    EXPECT_EQ(batches("rtu-1").back(), (Cards{1001, 1002, 1003}));
    const json listed = ctl_ok({"losses"});
    for (const json& loss : listed.at("losses")) EXPECT_EQ(loss.at("reason"), "damaged");
    EXPECT_NE(cardd_log().find("CARDD_LOSS_REPORTED card_no=1002 uid=0 push=terminals terminals=2 reason=damaged"),
              std::string::npos);

    // One card, as before: "loss" beside "losses", the reason lost unless given.
    issue("E004", 1004);
    const json one = ask({{"command", "card-loss"}, {"arguments", {{"card_no", 1004}}}});
    ASSERT_EQ(one.at("result"), 0) << one.dump();
    EXPECT_EQ(one.at("text"), "card 1004 reported lost in the database only; it still works at terminals until pushed");
    EXPECT_EQ(one.at("arguments").at("loss").at("reason"), "lost");
    EXPECT_EQ(one.at("arguments").at("losses").size(), 1u);
}

// A loss of several cards where one cannot be reported reports none: the
// answer names each refused card, and neither the store nor a terminal changes.
TEST_P(StaffScreens, aRefusedCardRefusesTheWholeLoss) {
    Sim& sim = seed_store();  // 1001 active, 1002 lost and pushed
    issue("E003", 1003);
    const json before = snapshot({1001, 1002, 1003});
    const Cards list_before = sim.list();

    const json refused =
        ask({{"command", "card-loss"},
             {"arguments", {{"card_nos", {1001, 1002, 4242, 1003}}, {"push", true}, {"devices", "all"}}}});
    EXPECT_EQ(refused.at("result"), 4) << refused.dump();
    EXPECT_EQ(refused.at("text"),
              "2 of 4 cards cannot be reported lost, so none was: card 1002 is lost; only an active card can be "
              "reported lost. No card with number 4242");
    EXPECT_EQ(refused.at("arguments").at("refused"), json::parse(R"([
        {"card_no": 1002, "result": 4, "text": "card 1002 is lost; only an active card can be reported lost"},
        {"card_no": 4242, "result": 3, "text": "no card with number 4242"}])"));
    EXPECT_EQ(snapshot({1001, 1002, 1003}), before);
    EXPECT_EQ(sim.list(), list_before);

    // Through cardctl: exit 1; only unknown cards refused: result 3.
    const CtlRun run = cardctl({"card", "loss", "1001", "4242"});
    EXPECT_EQ(run.exit_code, 1) << run.describe();
    EXPECT_EQ(run.answer.at("result"), 3) << run.describe();
    EXPECT_EQ(run.answer.at("arguments").at("refused").at(0).at("card_no"), 4242) << run.describe();
    EXPECT_EQ(snapshot({1001, 1002, 1003}), before);
    EXPECT_EQ(ask({{"command", "card-loss"}, {"arguments", {{"card_nos", {1001, 1001}}}}}).at("result"), 6);
}

// Several cards unlocked at once, pushed in one removal; a card not lost unlocks none.
TEST_P(StaffScreens, severalCardsAreUnlockedAtOnce) {
    Sim& tcp = tcp_sim("a");
    add_tcp_terminal("tcp-1", tcp);
    issue("E001", 1001);
    issue("E002", 1002);
    issue("E003", 1003);
    ctl_ok({"card", "loss", "1001", "1002", "1003", "--push", "--devices", "all"});
    expect_enforces(tcp, 0, "tcp-1", {1001, 1002, 1003});

    const json before = snapshot({1001, 1002, 1003});
    const json refused = ask({{"command", "card-unlock"}, {"arguments", {{"card_nos", {1001, 4242}}}}});
    EXPECT_EQ(refused.at("result"), 3) << refused.dump();
    EXPECT_EQ(refused.at("arguments").at("refused").size(), 1u);
    EXPECT_EQ(snapshot({1001, 1002, 1003}), before);

    const std::size_t written = batches("tcp-1").size();
    const json unlocked = ctl_ok({"card", "unlock", "1003", "1001", "--push", "--devices", "tcp-1"});
    ASSERT_EQ(unlocked.at("losses").size(), 2u);
    for (const json& loss : unlocked.at("losses")) EXPECT_FALSE(loss.at("unlocked_at").is_null());
    EXPECT_EQ(unlocked.at("pushed"), json({"tcp-1"}));
    expect_enforces(tcp, 0, "tcp-1", {1002});
    ASSERT_EQ(batches("tcp-1").size(), written + 1);
    EXPECT_EQ(batches("tcp-1").back(), (Cards{1001, 1003}));
    EXPECT_EQ(ctl_ok({"card", "info", "1001"}).at("card").at("state"), "active");
    EXPECT_EQ(ctl_ok({"card", "info", "1002"}).at("card").at("state"), "lost");
}

// A batch for people already registered, their numbers assigned after the
// highest ever issued: rehearsed first (nothing issued), then written card
// after card, each card holding its number.
TEST_P(StaffScreens, aBatchForASelectionAssignsNumbers) {
    issue("E000", 1005, 1000);
    for (const char* staff : {"E001", "E002", "E003"}) ctl_ok({"person", "add", staff, "--name", staff});

    const json rehearsed = ctl_ok({"card", "issue", "--staff-nos", "E001,E002,E003", "--opening", "20", "--rehearse"});
    EXPECT_EQ(rehearsed.at("rehearsed"), true);
    EXPECT_EQ(rehearsed.at("rows"), json::parse(R"([
        {"row": 1, "staff_no": "E001", "name": "E001", "card_no": 1006, "assigned": true},
        {"row": 2, "staff_no": "E002", "name": "E002", "card_no": 1007, "assigned": true},
        {"row": 3, "staff_no": "E003", "name": "E003", "card_no": 1008, "assigned": true}])"));
    EXPECT_EQ(cardctl({"card", "info", "1006"}).answer.value("result", -1), 3) << "a rehearsal issues nothing";

    ctl_ok({"encoder", "sim-place", "--blank", "--count", "3"});
    const json batch = ctl_ok({"card", "issue", "--staff-nos", "E001,E002,E003", "--opening", "20"});
    EXPECT_EQ(batch.at("issued"), json({1006, 1007, 1008})) << batch.dump();
    EXPECT_TRUE(batch.at("failed").empty());
    EXPECT_EQ(batch.at("rows").at(2).at("card_no"), 1008);
    for (const std::int64_t card_no : {1006, 1007, 1008}) {
        place(card_no);
        const json card = read_card();
        EXPECT_EQ(card.at("on_card").at("card_no"), card_no);
        EXPECT_EQ(card.at("on_card").at("balance"), 2000);
        EXPECT_EQ(card.at("differences"), json::array()) << card.dump();
    }
    const json found = ctl_ok({"person", "search", "E00"});
    EXPECT_EQ(found.at("people").at(2).at("card").at("card_no"), 1007);
}

// A batch that would break a rule anywhere is refused whole before its
// first card: each refused row named, nothing issued, no card asked for.
TEST_P(StaffScreens, aBatchWithARefusedRowIssuesNothing) {
    issue("E001", 1001);
    for (const char* staff : {"E002", "E003", "E004"}) ctl_ok({"person", "add", staff, "--name", staff});
    const std::string blank = place_blank();
    const json before = snapshot({1001});

    const json rows = json::parse(R"([
        {"staff_no": "E002"},
        {"staff_no": "E001"},
        {"staff_no": "E009"},
        {"staff_no": "E003", "card_no": 2001},
        {"staff_no": "E004", "card_no": 2001},
        {"staff_no": "E002", "card_no": 2002},
        {"staff_no": "E004", "card_no": 1001},
        {"card_no": 2003}])");
    const std::vector<json> lines = ask_all({{"command", "card-issue-batch"}, {"arguments", {{"rows", rows}}}});
    ASSERT_EQ(lines.size(), 1u) << "no progress line, no card asked for: " << lines.front().dump();
    const json& answer = lines.back();
    EXPECT_EQ(answer.at("result"), 4) << answer.dump();
    EXPECT_TRUE(answer.at("text").get<std::string>().starts_with(
        "6 of 8 rows would be refused, so nothing was issued and no card was asked for: row 2: "))
        << answer.dump();
    const json& refused = answer.at("arguments").at("refused");
    ASSERT_EQ(refused.size(), 6u) << answer.dump();
    const auto row = [&](std::size_t i) { return refused.at(i).at("row").get<int>(); };
    EXPECT_EQ(row(0), 2);
    EXPECT_EQ(refused.at(0).at("result"), 4);
    EXPECT_NE(refused.at(0).at("text").get<std::string>().find("already holds card 1001"), std::string::npos);
    EXPECT_EQ(row(1), 3);
    EXPECT_EQ(refused.at(1).at("result"), 3);
    EXPECT_EQ(refused.at(1).at("text"), "no person with staff number E009");
    EXPECT_EQ(row(2), 5);
    EXPECT_EQ(refused.at(2).at("text"), "card number 2001 is also in row 4");
    EXPECT_EQ(row(3), 6);
    EXPECT_EQ(refused.at(3).at("text"), "staff number E002 is also in row 1: one card per person");
    EXPECT_EQ(row(4), 7);
    EXPECT_EQ(refused.at(4).at("text"), "staff number E004 is also in row 5: one card per person");
    EXPECT_EQ(row(5), 8);
    EXPECT_EQ(refused.at(5).at("result"), 6);
    EXPECT_TRUE(refused.at(5).at("staff_no").is_null());
    EXPECT_EQ(refused.at(5).at("card_no"), 2003);
    EXPECT_EQ(refused.at(0).at("card_no"), 1003) << "the number the row would have had";

    EXPECT_EQ(snapshot({1001}), before);
    EXPECT_EQ(read_card().at("kind"), "blank") << "the card placed was never written: " << blank;
    const json found = ctl_ok({"person", "search", "E00"});
    for (const json& person : found.at("people")) {
        if (person.at("staff_no") != "E001") {
            EXPECT_TRUE(person.at("card").is_null()) << person.dump();
        }
    }
}

// A batch that would run past the card format's maximum is refused whole;
// assign_from finds the free numbers below.
TEST_P(StaffScreens, aBatchPastTheMaximumIsRefusedWhole) {
    ctl_ok({"format", "set", "--sector", "1", "--max-card-no", "1010"});
    issue("E000", 1009);
    issue("E100", 1002);
    for (const char* staff : {"E001", "E002"}) ctl_ok({"person", "add", staff, "--name", staff});
    const json before = snapshot({1002, 1009});

    const json past = ask(
        {{"command", "card-issue-batch"}, {"arguments", {{"rows", {{{"staff_no", "E001"}}, {{"staff_no", "E002"}}}}}}});
    EXPECT_EQ(past.at("result"), 4) << past.dump();
    ASSERT_EQ(past.at("arguments").at("refused").size(), 1u) << past.dump();
    const json& row = past.at("arguments").at("refused").at(0);
    EXPECT_EQ(row.at("row"), 2);
    EXPECT_TRUE(row.at("card_no").is_null());
    EXPECT_NE(row.at("text").get<std::string>().find("no card number is free up to the card format's maximum 1010"),
              std::string::npos)
        << row.dump();
    EXPECT_EQ(snapshot({1002, 1009}), before);

    const json below = ask(
        {{"command", "card-issue-batch"},
         {"arguments",
          {{"rows", {{{"staff_no", "E001"}}, {{"staff_no", "E002"}}}}, {"assign_from", 1001}, {"rehearse", true}}}});
    ASSERT_EQ(below.at("result"), 0) << below.dump();
    EXPECT_EQ(below.at("arguments").at("rows").at(0).at("card_no"), 1001);
    EXPECT_EQ(below.at("arguments").at("rows").at(1).at("card_no"), 1003);
    EXPECT_EQ(snapshot({1002, 1009}), before);
}

// A CSV without card numbers: cardctl sends the rows as they are, cardd numbers them.
TEST_P(StaffScreens, aCsvWithoutCardNumbers) {
    issue("E000", 3000);
    const std::filesystem::path csv = dir_.path() / "people.csv";
    {
        std::ofstream out(csv);
        out << "staff_no,name,dept\nN001,新人一,Kitchen\nN002,New Two,Office\n";
    }
    ctl_ok({"encoder", "sim-place", "--blank", "--count", "2"});
    const json batch = ctl_ok({"card", "issue", "--csv", csv.string()});
    EXPECT_EQ(batch.at("issued"), json({3001, 3002})) << batch.dump();
    const json found = ctl_ok({"person", "search", "--dept", "Kitchen"});
    ASSERT_EQ(found.at("people").size(), 1u);
    EXPECT_EQ(found.at("people").at(0).at("name"), "新人一");
    EXPECT_EQ(found.at("people").at(0).at("card").at("card_no"), 3001);
}

CARDD_E2E_BACKENDS(StaffScreens);

}  // namespace
}  // namespace cardd::e2e
