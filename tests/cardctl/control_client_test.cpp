#include "tools/cardctl/control_client.hpp"

#include <gtest/gtest.h>

#include "fake_daemon.hpp"

namespace cardd::cardctl {
namespace {

using testing::FakeDaemon;
using namespace std::chrono_literals;

const Json topup = Json::parse(R"({"command": "card-topup", "arguments": {"card_no": 1001, "amount": 5000}})");

std::expected<Answer, ClientError> call(FakeDaemon& daemon, std::vector<Json>* progress = nullptr,
                                        std::chrono::milliseconds timeout = 5s) {
    auto client = ControlClient::connect(daemon.path(), timeout);
    if (!client) return std::unexpected(client.error());
    return client->call(topup, [&](const Json& p) {
        if (progress) progress->push_back(p);
    });
}

// The request goes out as one line with id 1, and the answer for id 1 comes back parsed and raw.
TEST(ControlClient, sendsOneLineAndReturnsTheAnswer) {
    FakeDaemon daemon({{R"({"result": 0, "text": "card 1001 topped up by 50.00", "id": 1})"
                        "\n"}});
    const auto answer = call(daemon);
    ASSERT_TRUE(answer) << answer.error().text;
    EXPECT_EQ(answer->message["result"], 0);
    EXPECT_EQ(answer->line, R"({"result": 0, "text": "card 1001 topped up by 50.00", "id": 1})");
    EXPECT_EQ(daemon.request_line(), R"({"command":"card-topup","arguments":{"card_no":1001,"amount":5000},"id":1})");
}

// Progress lines and the final answer arriving in one read are all taken, in order.
TEST(ControlClient, progressThenFinalInOneRead) {
    FakeDaemon daemon({{R"({"progress": {"done": 1, "total": 2, "text": "row 1"}, "id": 1})"
                        "\n"
                        R"({"progress": {"done": 2, "total": 2, "text": "row 2"}, "id": 1})"
                        "\n"
                        R"({"result": 0, "text": "2 of 2 cards issued", "id": 1})"
                        "\n"}});
    std::vector<Json> progress;
    const auto answer = call(daemon, &progress);
    ASSERT_TRUE(answer) << answer.error().text;
    ASSERT_EQ(progress.size(), 2u);
    EXPECT_EQ(progress[0].dump(), R"({"done":1,"total":2,"text":"row 1"})");
    EXPECT_EQ(progress[1].dump(), R"({"done":2,"total":2,"text":"row 2"})");
    EXPECT_EQ(answer->message["text"], "2 of 2 cards issued");
}

// A line split across several reads (even inside a multi-byte character) is put back together.
TEST(ControlClient, partialLinesReassembled) {
    const std::string line = R"({"result": 0, "text": "张三", "id": 1})"
                             "\n";
    const std::size_t cut = line.find("张") + 1;  // in the middle of 张
    FakeDaemon daemon({{line.substr(0, 5)}, {line.substr(5, cut - 5), 30ms}, {line.substr(cut), 30ms}});
    const auto answer = call(daemon);
    ASSERT_TRUE(answer) << answer.error().text;
    EXPECT_EQ(answer->message["text"], "张三");
}

// Lines for another id are skipped; a CRLF ending and blank lines are tolerated.
TEST(ControlClient, linesForOtherIdsSkipped) {
    FakeDaemon daemon({{R"({"result": 4, "text": "not ours", "id": 99})"
                        "\n"
                        R"({"progress": {"done": 1, "total": 9}, "id": "x"})"
                        "\n\n"
                        R"({"result": 0, "text": "ours", "id": 1})"
                        "\r\n"}});
    std::vector<Json> progress;
    const auto answer = call(daemon, &progress);
    ASSERT_TRUE(answer) << answer.error().text;
    EXPECT_EQ(answer->message["text"], "ours");
    EXPECT_TRUE(progress.empty());
}

// An error answer with a null id (the daemon could not read the request) is taken as the answer.
TEST(ControlClient, nullIdErrorIsOurs) {
    FakeDaemon daemon({{R"({"result": 6, "text": "line too long", "id": null})"
                        "\n"}});
    const auto answer = call(daemon);
    ASSERT_TRUE(answer) << answer.error().text;
    EXPECT_EQ(answer->message["result"], 6);
}

// The daemon closing before the final answer is a protocol error, even after progress.
TEST(ControlClient, closedBeforeAnswerIsProtocolError) {
    FakeDaemon daemon({{R"({"progress": {"done": 1, "total": 2}, "id": 1})"
                        "\n"
                        R"({"result": 0, "id")"}});
    std::vector<Json> progress;
    const auto answer = call(daemon, &progress);
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().kind, ClientError::Kind::protocol);
    EXPECT_EQ(answer.error().text, "cardd closed the connection before answering");
    EXPECT_EQ(progress.size(), 1u);
}

// Lines that are not JSON objects, or answers whose result is not an integer, are protocol errors.
TEST(ControlClient, malformedLinesAreProtocolErrors) {
    const std::vector<std::pair<std::string, std::string>> cases{
        {"hello\n", "cardd sent a line that is not JSON: hello"},
        {"[1, 2]\n", "cardd sent a line that is not a JSON object: [1, 2]"},
        {R"({"result": "0", "id": 1})"
         "\n",
         R"(cardd sent an answer whose result is not an integer: {"result": "0", "id": 1})"},
        {R"({"id": 1})"
         "\n",
         R"(cardd sent a line that is neither progress nor an answer: {"id": 1})"},
    };
    for (const auto& [line, text] : cases) {
        FakeDaemon daemon({{line}});
        const auto answer = call(daemon);
        ASSERT_FALSE(answer) << line;
        EXPECT_EQ(answer.error().kind, ClientError::Kind::protocol) << line;
        EXPECT_EQ(answer.error().text, text);
    }
}

// A line over 16 MiB is refused without waiting for its end.
TEST(ControlClient, lineOver16MiBRefused) {
    FakeDaemon daemon({{std::string(answer_line_limit + 1, 'x')}}, true);
    {
        const auto answer = call(daemon);
        ASSERT_FALSE(answer);
        EXPECT_EQ(answer.error().kind, ClientError::Kind::protocol);
        EXPECT_EQ(answer.error().text, "cardd sent a line longer than 16777216 bytes");
    }
    daemon.stop();
}

// The limit counts a complete line too, and a line exactly at the limit passes.
TEST(ControlClient, lineLimitIsExact) {
    const std::string at_limit = R"({"result": 0, "text": ")" + std::string(100, 'y') + R"(", "id": 1})";
    for (const std::size_t limit : {at_limit.size(), at_limit.size() - 1}) {
        FakeDaemon daemon({{at_limit + "\n"}});
        auto client = ControlClient::connect(daemon.path(), 5s);
        ASSERT_TRUE(client);
        client->set_answer_line_limit(limit);
        const auto answer = client->call(topup);
        EXPECT_EQ(answer.has_value(), limit == at_limit.size()) << limit;
    }
}

// A daemon that says nothing is given up on after the timeout, as a timeout.
TEST(ControlClient, silenceTimesOut) {
    FakeDaemon daemon({}, true);
    const auto started = std::chrono::steady_clock::now();
    const auto answer = call(daemon, nullptr, 200ms);
    const auto waited = std::chrono::steady_clock::now() - started;
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().kind, ClientError::Kind::timeout);
    EXPECT_EQ(answer.error().text,
              "no answer from cardd within 200 ms; the operation may still finish, so check its outcome before "
              "repeating it");
    EXPECT_GE(waited, 200ms);
    EXPECT_LT(waited, 3s);
}

// Progress resets the timeout: a long operation that keeps reporting is not cut off.
TEST(ControlClient, progressKeepsTheConnectionAlive) {
    std::vector<FakeDaemon::Step> steps;
    for (int i = 1; i <= 4; ++i) {
        steps.push_back({R"({"progress": {"done": )" + std::to_string(i) +
                             R"(, "total": 4}, "id": 1})"
                             "\n",
                         120ms});
    }
    steps.push_back({R"({"result": 0, "id": 1})"
                     "\n",
                     120ms});
    FakeDaemon daemon(steps);
    std::vector<Json> progress;
    const auto answer = call(daemon, &progress, 300ms);
    ASSERT_TRUE(answer) << answer.error().text;
    EXPECT_EQ(progress.size(), 4u);
}

// No daemon at the path is a connect error naming the path and suggesting cardd is not running.
TEST(ControlClient, noDaemonIsConnectError) {
    const auto client = ControlClient::connect("/nonexistent/cardd.sock", 1s);
    ASSERT_FALSE(client);
    EXPECT_EQ(client.error().kind, ClientError::Kind::connect);
    EXPECT_EQ(client.error().text,
              "cannot connect to /nonexistent/cardd.sock: No such file or directory; is cardd running?");
    const auto too_long = ControlClient::connect("/" + std::string(200, 'a'), 1s);
    ASSERT_FALSE(too_long);
    EXPECT_EQ(too_long.error().kind, ClientError::Kind::connect);
}

// Two requests on one connection get ids 1 and 2.
TEST(ControlClient, idsIncreasePerRequest) {
    FakeDaemon daemon({{R"({"result": 0, "id": 1})"
                        "\n"
                        R"({"result": 0, "text": "second", "id": 2})"
                        "\n"}});
    auto client = ControlClient::connect(daemon.path(), 5s);
    ASSERT_TRUE(client);
    ASSERT_TRUE(client->call(topup));
    const auto second = client->call(topup);
    ASSERT_TRUE(second) << second.error().text;
    EXPECT_EQ(second->message["text"], "second");
}

}  // namespace
}  // namespace cardd::cardctl
