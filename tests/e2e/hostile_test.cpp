// Malformed and hostile input on the control socket: every bad line gets an
// error answer and changes nothing, and no client (a huge line, a line never
// finished, many connections) stalls the others.

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

using cardd::test::LineClient;

// Values of the wrong JSON type for an argument that wants `wanted`
// ("int", "string", "bool", "devices", "list", "object").
std::vector<std::string> wrong_values(const std::string& wanted) {
    std::vector<std::string> all = {R"("1001")", "1.5",      "1e3",    "-0.0",        "true",
                                    "false",     "[]",       "[1001]", "{}",          R"({"card_no": 1001})",
                                    R"("")",     R"("all")", "0.1",    R"("\u0000")", "[[]]"};
    std::erase_if(all, [&](const std::string& v) {
        if (wanted == "string") return v.front() == '"';
        if (wanted == "bool") return v == "true" || v == "false";
        if (wanted == "devices") return v == R"("all")" || v == "[1001]";  // [1001] has a wrong item: kept below
        if (wanted == "list") return v == "[]" || v == "[1001]";
        if (wanted == "object") return v == "{}" || v.front() == '{';
        // A batch with a bad row is refused whole (result 4): every array is a wrong value too.
        if (wanted == "rows") return false;
        return false;
    });
    if (wanted == "devices") all.push_back("[1001]");
    return all;
}

struct Template {
    std::string command;
    std::vector<std::pair<std::string, std::string>> arguments;  // key, valid value (JSON text)
    std::vector<std::string> types;                              // the type each argument wants
};

std::string request(const std::string& command, const std::vector<std::pair<std::string, std::string>>& arguments,
                    const std::string& id = "1") {
    std::string text = R"({"command": ")" + command + R"(", "arguments": {)";
    for (std::size_t i = 0; i < arguments.size(); ++i) {
        text += (i ? ", " : "") + ("\"" + arguments[i].first + "\": ") + arguments[i].second;
    }
    return text + "}, \"id\": " + id + "}";
}

std::string nested(std::size_t depth, bool objects) {
    std::string text;
    text.reserve(depth * 6);
    for (std::size_t i = 0; i < depth; ++i) text += objects ? R"({"a":)" : "[";
    text += "1";
    for (std::size_t i = 0; i < depth; ++i) text += objects ? "}" : "]";
    return text;
}

/// 1,000 lines, each of which must be refused: random bytes, huge and
/// out-of-range numbers, deep nesting, wrong types, unknown commands, bad
/// field contents. Card 1001 and terminal tcp-1 exist; every line is built so
/// that no reading of it is a valid change.
std::vector<std::string> hostile_lines() {
    std::mt19937 random(20240611);
    std::vector<std::string> lines;

    // Wrong types: each argument of each command in turn.
    const std::vector<Template> templates = {
        {"card-topup", {{"card_no", "1001"}, {"amount", "100"}}, {"int", "int"}},
        {"card-loss", {{"card_no", "1001"}, {"push", "true"}, {"devices", R"("all")"}}, {"int", "bool", "devices"}},
        {"card-unlock",
         {{"card_no", "1001"}, {"push", "true"}, {"devices", R"(["tcp-1"])"}},
         {"int", "bool", "devices"}},
        {"card-replace", {{"card_no", "1001"}, {"new_card_no", "2001"}, {"cost", "0"}}, {"int", "int", "int"}},
        {"card-return", {{"card_no", "1001"}, {"wipe", "false"}, {"refund", "true"}}, {"int", "bool", "bool"}},
        {"card-refund-close", {{"card_no", "1001"}}, {"int"}},
        {"card-issue",
         {{"staff_no", R"("E001")"}, {"card_no", "3001"}, {"opening", "0"}, {"cost", "0"}},
         {"string", "int", "int", "int"}},
        {"person-add",
         {{"staff_no", R"("H001")"}, {"name", R"("Hostile")"}, {"dept", R"("X")"}},
         {"string", "string", "string"}},
        {"person-add",
         {{"staff_no", R"("H002")"}, {"name", R"("Hostile")"}, {"issue", R"({"card_no": 3002})"}},
         {"string", "string", "object"}},
        {"format-set", {{"sector", "2"}, {"card_no_digits", "6"}, {"max_card_no", "400000"}}, {"int", "int", "int"}},
        {"device-add-terminal",
         {{"name", R"("tcp-9")"}, {"tcp", R"("127.0.0.1:1502")"}, {"unit", "1"}},
         {"string", "string", "int"}},
        {"device-add-terminal",
         {{"name", R"("rtu-9")"}, {"rtu", R"("/dev/null")"}, {"baud", "19200"}, {"parity", R"("E")"}},
         {"string", "string", "int", "string"}},
        {"device-add-encoder", {{"name", R"("desk")"}, {"sim", "true"}}, {"string", "bool"}},
        {"device-remove", {{"name", R"("tcp-1")"}}, {"string"}},
        {"resync", {{"devices", R"(["tcp-1"])"}, {"cards", "[1001]"}}, {"list", "list"}},
        {"collect", {{"devices", R"("all")"}}, {"devices"}},
        {"card-issue-batch", {{"rows", R"([{"staff_no": "E001", "card_no": 3003}])"}}, {"rows"}},
    };
    for (const Template& t : templates) {
        for (std::size_t i = 0; i < t.arguments.size(); ++i) {
            for (const std::string& bad : wrong_values(t.types[i])) {
                auto arguments = t.arguments;
                arguments[i].second = bad;
                lines.push_back(request(t.command, arguments));
            }
        }
    }

    // Huge and out-of-range numbers, type-correct or not.
    const std::vector<std::string> numbers = {"9223372036854775807",
                                              "9223372036854775808",
                                              "18446744073709551615",
                                              "18446744073709552617",
                                              "-9223372036854775808",
                                              "-1",
                                              "0",
                                              "4294967297",
                                              "4294967296",
                                              "2147483648",
                                              "1e400",
                                              "-1e400",
                                              "123456789012345678901234567890",
                                              "500001",
                                              "16777216",
                                              "1.0000001"};
    for (const std::string& n : numbers) {
        // 5000.01 and 167772.16 yuan are fine amounts; every other one is refused.
        if (n != "500001" && n != "16777216") {
            lines.push_back(request("card-topup", {{"card_no", "1001"}, {"amount", n == "0" ? "-5" : n}}));
        }
        if (n != "0") lines.push_back(request("card-topup", {{"card_no", n}, {"amount", "100"}}));
        lines.push_back(request("card-loss", {{"card_no", n}, {"push", "true"}, {"devices", R"("all")"}}));
        lines.push_back(request("card-refund-close", {{"card_no", n}}));
        lines.push_back(request("format-set", {{"sector", n}}));
        lines.push_back(request("format-set", {{"sector", "2"}, {"max_card_no", n}}));
        lines.push_back(request("format-set", {{"sector", "2"}, {"card_no_digits", n}}));
        lines.push_back(
            request("device-add-terminal", {{"name", R"("tcp-9")"}, {"tcp", R"("127.0.0.1:1502")"}, {"unit", n}}));
        lines.push_back(request("device-add-terminal",
                                {{"name", R"("rtu-9")"}, {"rtu", R"("/dev/null")"}, {"baud", n}, {"unit", "1"}}));
        lines.push_back(request("card-issue", {{"staff_no", R"("E001")"}, {"card_no", n}}));
        lines.push_back(
            request("card-issue", {{"staff_no", R"("E001")"}, {"card_no", "3001"}, {"opening", n == "0" ? "-1" : n}}));
        lines.push_back(request("resync", {{"cards", "[" + n + "]"}, {"devices", R"(["tcp-1"])"}}));
        lines.push_back(request("losses", {{"from", n}, {"to", "x"}}));
    }

    // Refused contents: names, devices, states.
    const std::string long_staff(65, 'S');
    const std::string long_name(256, 'N');
    for (const auto& [staff, name] :
         std::vector<std::pair<std::string, std::string>>{{R"("")", R"("Blank staff")"},
                                                          {R"("H1")", R"("")"},
                                                          {R"("H2")", R"("   ")"},
                                                          {R"("H3")", R"("a\u0001b")"},
                                                          {R"("H4")", R"("line\nbreak")"},
                                                          {"\"" + long_staff + "\"", R"("Long")"},
                                                          {R"("H5")", "\"" + long_name + "\""},
                                                          {R"("E001")", R"("Taken")"},
                                                          {R"("H6\u0000")", R"("Nul")"},
                                                          {R"("H7")", R"("\ud800")"}}) {
        lines.push_back(request("person-add", {{"staff_no", staff}, {"name", name}}));
    }
    lines.push_back(
        request("person-add", {{"staff_no", R"("H8")"}, {"name", R"("X")"}, {"dept", "\"" + long_name + "\""}}));
    lines.push_back(
        request("person-add", {{"staff_no", R"("H9")"}, {"name", R"("X")"}, {"issue", R"({"card_no": 1001})"}}));
    lines.push_back(
        request("person-add", {{"staff_no", R"("H9")"}, {"name", R"("X")"}, {"issue", R"({"card_no": -3})"}}));
    lines.push_back(request("card-issue", {{"staff_no", R"("nobody")"}, {"card_no", "3001"}}));
    lines.push_back(request("card-issue", {{"staff_no", R"("E001")"}, {"card_no", "1001"}}));
    lines.push_back(request("card-unlock", {{"card_no", "1001"}}));
    lines.push_back(request("card-replace", {{"card_no", "1001"}, {"new_card_no", "2001"}}));
    lines.push_back(request("card-loss", {{"card_no", "1001"}, {"devices", R"("all")"}}));
    lines.push_back(request("card-loss", {{"card_no", "1001"}, {"push", "true"}}));
    lines.push_back(request("card-loss", {{"card_no", "1001"}, {"push", "true"}, {"devices", R"(["nowhere"])"}}));
    lines.push_back(request("card-loss", {{"card_no", "1001"}, {"push", "true"}, {"devices", R"("ALL")"}}));
    lines.push_back(request("card-loss", {{"card_no", "1001"}, {"push", "true"}, {"devices", "[]"}}));
    lines.push_back(request("card-loss", {{"card_no", "1001"}, {"surprise", "1"}}));
    lines.push_back(request("card-topup", {{"card_no", "1001"}, {"amount", "100"}, {"extra", "true"}}));
    lines.push_back(request("card-topup", {{"card_no", "1001"}}));
    lines.push_back(request("card-topup", {{"amount", "100"}}));
    lines.push_back(request("device-remove", {{"name", R"("nowhere")"}}));
    lines.push_back(request("device-add-terminal", {{"name", R"("tcp-1")"}, {"tcp", R"("127.0.0.1:1502")"}}));
    lines.push_back(request("device-add-terminal", {{"name", R"("tcp-9")"}, {"tcp", R"("127.0.0.1:99999")"}}));
    lines.push_back(request("device-add-terminal", {{"name", R"("tcp-9")"}, {"tcp", R"("127.0.0.1:-1")"}}));
    lines.push_back(request("device-add-terminal", {{"name", R"("tcp-9")"}, {"tcp", R"("no-port")"}}));
    lines.push_back(request("device-add-terminal", {{"name", R"("tcp-9")"}, {"tcp", R"(":1502")"}}));
    lines.push_back(request(
        "device-add-terminal",
        {{"name", R"("tcp-9")"}, {"tcp", R"("127.0.0.1:1502")"}, {"rtu", R"("/dev/null")"}, {"baud", "19200"}}));
    lines.push_back(
        request("device-add-terminal", {{"name", R"("tcp-9")"}, {"tcp", R"("127.0.0.1:1502")"}, {"unit", "0"}}));
    lines.push_back(
        request("device-add-terminal", {{"name", R"("tcp-9")"}, {"tcp", R"("127.0.0.1:1502")"}, {"unit", "248"}}));
    lines.push_back(
        request("device-add-terminal",
                {{"name", R"("rtu-9")"}, {"rtu", R"("/dev/null")"}, {"baud", "19200"}, {"parity", R"("X")"}}));
    lines.push_back(request("device-add-terminal", {{"name", R"("rtu-9")"}, {"rtu", R"("/dev/null")"}, {"baud", "0"}}));
    lines.push_back(request("device-add-terminal", {{"name", R"("")"}, {"tcp", R"("127.0.0.1:1502")"}}));
    lines.push_back(request("device-add-encoder", {{"name", R"("desk")"}, {"usb", R"("zz:yy")"}}));
    lines.push_back(request("device-add-encoder", {{"name", R"("desk")"}, {"usb", R"("072f:2200")"}, {"sim", "true"}}));
    lines.push_back(request("resync", {}));
    lines.push_back(request("resync", {{"failed", "true"}, {"devices", R"(["tcp-1"])"}}));
    lines.push_back(request("resync", {{"cards", "[1001]"}}));
    lines.push_back(request("resync", {{"devices", R"(["nowhere"])"}}));
    lines.push_back(request("resync", {{"cards", "[424242]"}, {"devices", R"(["tcp-1"])"}}));
    lines.push_back(request("format-set", {{"sector", "0"}}));
    lines.push_back(request("format-set", {{"sector", "16"}}));
    lines.push_back(request("format-set", {{"sector", "2"}}));  // active cards keep the sector
    lines.push_back(request("format-set", {{"sector", "1"}, {"card_no_digits", "7"}}));
    lines.push_back(request("format-set", {{"sector", "1"}, {"max_card_no", "1000"}}));
    lines.push_back(request("card-issue-batch", {{"rows", "[]"}, {"more", "1"}}));

    // Malformed requests around a valid shape.
    for (const std::string& line : std::vector<std::string>{
             "{}",
             "[]",
             "null",
             "true",
             "1001",
             R"("status")",
             R"({"command": null})",
             R"({"command": 7})",
             R"({"command": ["card-topup"]})",
             R"({"command": {"name": "card-topup"}})",
             R"({"command": "card-topup", "arguments": [1001, 100]})",
             R"({"command": "card-topup", "arguments": "card_no=1001&amount=100"})",
             R"({"command": "card-topup", "arguments": 1001})",
             R"({"arguments": {"card_no": 1001, "amount": 100}})",
             R"({"command": "card-topup", "arguments": {"card_no": 1001, "amount": 100})",
             R"({"command": "card-topup", "arguments": {"card_no": 1001, "amount": 100}}})",
             R"({"command": "card-topup", "arguments": {"card_no": 1001, "amount": 100,}})",
             R"({'command': 'card-topup', 'arguments': {'card_no': 1001, 'amount': 100}})",
             R"({"command": "card-topup" "arguments": {"card_no": 1001, "amount": 100}})",
             R"({"command": "card-topup", "arguments": {"card_no": 1001, "amount": 0x64}})",
             R"({"command": "card-topup", "arguments": {"card_no": 1001, "amount": 100e})",
             R"({"command": "card-topup", "arguments": {"card_no": 01001, "amount": 100}})",
             R"({"command": "card-topup", "arguments": {"card_no": 1001, "amount": NaN}})",
             R"({"command": "card-topup", "arguments": {"card_no": 1001, "amount": Infinity}})",
             R"({"command": "card-topup\u0000", "arguments": {"card_no": 1001, "amount": 100}})",
             "{\"command\": \"card-topup\xff\", \"arguments\": {\"card_no\": 1001, \"amount\": 100}}",
             "\xef\xbb\xbf{\"command\": \"card-topup\", \"arguments\": {\"card_no\": 1001, \"amount\": 100}",
             R"(/* comment */ {"command": "card-topup", "arguments": {"card_no": 1001, "amount": 100}})"}) {
        lines.push_back(line);
    }

    // Unknown commands.
    for (const std::string& name : std::vector<std::string>{"frobnicate",
                                                            "STATUS",
                                                            "Status",
                                                            "status ",
                                                            " status",
                                                            "card topup",
                                                            "card_topup",
                                                            "cardtopup",
                                                            "",
                                                            "../../etc/passwd",
                                                            "card-topup;drop table cards",
                                                            "\\u0000",
                                                            "card-loss\\n",
                                                            "person-delete",
                                                            "device-wipe",
                                                            "shutdown",
                                                            "reload",
                                                            "debug",
                                                            "sql",
                                                            "exec",
                                                            std::string(100000, 'x'),
                                                            "\\u00e9tat",
                                                            "状态"}) {
        lines.push_back(R"({"command": ")" + name + R"(", "arguments": {"card_no": 1001, "amount": 100}, "id": 2})");
    }

    // Random bytes, up to 1,000 lines with the deep ones below; a line is
    // never blank (blank lines are skipped without an answer) and never
    // holds a newline.
    std::uniform_int_distribution<int> byte(0, 255);
    std::uniform_int_distribution<int> length(1, 400);
    constexpr std::size_t deep_lines = 36;
    while (lines.size() < 1000 - deep_lines) {
        std::string line(static_cast<std::size_t>(length(random)), ' ');
        for (char& c : line) {
            do c = static_cast<char>(byte(random));
            while (c == '\n');
        }
        line[0] = '#';
        lines.push_back(line);
    }

    // Deep nesting, last, so that a crash there still leaves every other line
    // checked: as the whole line, in the arguments, in the id that is echoed.
    for (const std::size_t depth : {10u, 100u, 1000u, 10000u, 100000u, 400000u}) {
        lines.push_back(nested(depth, false));
        lines.push_back(nested(depth / 4 + 1, true));
        lines.push_back(R"({"command": "frobnicate", "id": )" + nested(depth, false) + "}");
        lines.push_back(R"({"command": "card-topup", "arguments": {"card_no": 1001, "amount": )" +
                        nested(depth, false) + "}}");
        lines.push_back(R"({"command": "card-topup", "arguments": )" + nested(depth / 4 + 1, true) + "}");
        lines.push_back(std::string(depth, '['));  // never closed
    }
    return lines;
}

class Hostile : public E2e {
protected:
    void SetUp() override {
        E2e::SetUp();
        sim_ = &seed_store();
    }

    json store_state() { return snapshot({1001, 1002}); }

    /// `status` on a fresh connection must be answered within `limit`.
    void expect_prompt_status(std::chrono::milliseconds limit) {
        const auto start = std::chrono::steady_clock::now();
        const json answer = ask({{"command", "status"}}, limit);
        EXPECT_EQ(answer.at("result"), 0);
        EXPECT_LT(std::chrono::steady_clock::now() - start, limit);
    }

    Sim* sim_ = nullptr;
};

// 1,000 malformed or hostile lines each get an error answer, and the store and the terminal are as before.
TEST_P(Hostile, thousandHostileLinesChangeNothing) {
    const std::vector<std::string> lines = hostile_lines();
    ASSERT_EQ(lines.size(), 1000u);
    const json before = store_state();
    const Cards list_before = sim_->list();

    std::map<int, int> results;
    std::optional<LineClient> client;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (!client) client.emplace(socket());
        ASSERT_TRUE(client->send(lines[i] + "\n")) << "line " << i;
        const auto answer = client->read_line(20s);
        ASSERT_TRUE(answer.has_value()) << "no answer to line " << i << ": " << lines[i].substr(0, 300)
                                        << "\ncardd running: " << cardd().running();
        const json parsed = json::parse(*answer, nullptr, false);
        ASSERT_FALSE(parsed.is_discarded()) << "answer is not JSON: " << answer->substr(0, 300);
        const int result = parsed.at("result");
        ++results[result];
        EXPECT_NE(result, 0) << "line " << i << " was accepted: " << lines[i].substr(0, 300) << "\n→ "
                             << answer->substr(0, 300);
        EXPECT_NE(result, 1) << "line " << i << " failed inside cardd: " << lines[i].substr(0, 300) << "\n→ "
                             << answer->substr(0, 300);
    }
    std::string tally;
    for (const auto& [result, count] : results)
        tally += "result " + std::to_string(result) + ": " + std::to_string(count) + "; ";
    RecordProperty("answers", tally);
    EXPECT_TRUE(cardd().running());
    expect_prompt_status(2s);
    EXPECT_EQ(store_state(), before);
    EXPECT_EQ(sim_->list(), list_before);
}

// Malformed requests get exact, documented error answers on the raw socket, and the connection stays usable.
TEST_P(Hostile, malformedRequestsGetExactErrorAnswers) {
    LineClient client(socket());
    EXPECT_EQ(client.ask("not json"), R"({"id":null,"result":6,"text":"the request is not valid JSON"})");
    EXPECT_EQ(client.ask("[1,2]"), R"({"id":null,"result":6,"text":"the request must be a JSON object"})");
    EXPECT_EQ(client.ask(R"({"id":4})"), R"({"id":4,"result":6,"text":"the request has no \"command\" string"})");
    EXPECT_EQ(client.ask(R"({"command":"status","arguments":[1],"id":"a"})"),
              R"({"id":"a","result":6,"text":"\"arguments\" must be a JSON object"})");
    EXPECT_EQ(client.ask(R"({"command":"frobnicate","id":7})"),
              R"({"id":7,"result":2,"text":"unknown command 'frobnicate'"})");
    EXPECT_EQ(client.ask(R"({"command":"card-topup","arguments":{"card_no":"1001","amount":100},"id":5})"),
              R"({"id":5,"result":6,"text":"argument 'card_no' must be an integer"})");
    EXPECT_EQ(client.ask(R"({"command":"card-topup","arguments":{"card_no":1001,"amount":100,"x":1},"id":6})"),
              R"({"id":6,"result":6,"text":"unknown argument 'x'"})");
    const json ok = json::parse(client.ask(R"({"command":"status","id":[1,{"a":null}]})"));
    EXPECT_EQ(ok.at("result"), 0);
    EXPECT_EQ(ok.at("id"), json::parse(R"([1,{"a":null}])"));
}

// A key given twice is refused whichever value would win; names with controls,
// bidirectional overrides or broken UTF-8 are refused with their position.
// The store is as before.
TEST_P(Hostile, duplicatedKeysAndHostileNamesChangeNothing) {
    const json before = store_state();
    LineClient client(socket());
    EXPECT_EQ(client.ask(R"({"command":"status","command":"card-topup","arguments":{"card_no":1001,"amount":100}})"),
              R"({"id":null,"result":6,"text":"the request gives the key \"command\" twice; each key may appear once )"
              R"(in an object"})");
    const json inside = json::parse(
        client.ask(R"({"command":"card-topup","arguments":{"card_no":1001,"amount":1,"amount":500000},"id":2})"));
    EXPECT_EQ(inside.at("result"), 6);
    // As JSON escapes, which the parser turns into the code points themselves.
    for (const std::string name : {"Li\\u007fWang", "Li\\u0085Wang", "Li\\u009b[2JWang", "Li\\u202egnaW",
                                   "Li\\u2066Wang", "Li\\u001b[31mWang"}) {
        const json answer = json::parse(
            client.ask(R"({"command":"person-add","arguments":{"staff_no":"H1","name":")" + name + R"("},"id":3})"));
        EXPECT_EQ(answer.at("result"), 6) << name;
        EXPECT_NE(answer.at("text").get<std::string>().find("at character 3 (byte 2)"), std::string::npos)
            << answer.dump();
        const json device = json::parse(client.ask(R"({"command":"device-add-terminal","arguments":{"name":"t)" + name +
                                                   R"(","tcp":"127.0.0.1:5020"},"id":4})"));
        EXPECT_EQ(device.at("result"), 6) << device.dump();
    }
    EXPECT_EQ(store_state(), before);
}

// A 10 MB line, a line never finished and 200 connections at once: others are still answered promptly, nothing changes.
TEST_P(Hostile, hugeSlowAndManyClientsDoNotStallOthers) {
    const json before = store_state();

    LineClient slow(socket());
    ASSERT_TRUE(slow.send(R"({"command": "card-topup", "arguments": {"card_no": 1001, "amo)"));

    std::vector<LineClient> crowd;
    for (int i = 0; i < 200; ++i) {
        crowd.emplace_back(socket());
        ASSERT_TRUE(crowd.back().send(i % 2 ? R"({"command": "status", "id": )" + std::to_string(i) + "}\n"
                                            : std::string(R"({"command": "person-list", "id": )")));
    }
    expect_prompt_status(1s);

    LineClient huge(socket());
    const std::string ten_mb(10 << 20, 'x');
    huge.send(ten_mb);  // cardd stops reading after 1 MiB, answers and hangs up: the send may fail
    const auto answer = huge.read_line(10s);
    ASSERT_TRUE(answer.has_value());
    EXPECT_EQ(*answer, R"({"id":null,"result":6,"text":"request line longer than 1048576 bytes"})");
    EXPECT_TRUE(huge.closed_by_peer(5s));
    expect_prompt_status(1s);

    for (std::size_t i = 1; i < crowd.size(); i += 2) {
        const auto line = crowd[i].read_line(10s);
        ASSERT_TRUE(line.has_value()) << "connection " << i;
        EXPECT_EQ(json::parse(*line).at("id"), i);
    }
    // The slow client is still waiting for its line to end; finishing it is refused as a whole line.
    ASSERT_TRUE(slow.send("unt\": \"100\"}, \"id\": 1}\n"));
    EXPECT_EQ(json::parse(slow.read_line(5s).value_or("{}")).value("result", -1), 6);
    EXPECT_TRUE(cardd().running());
    EXPECT_EQ(store_state(), before);
}

CARDD_E2E_BACKENDS(Hostile);

}  // namespace
}  // namespace cardd::e2e
