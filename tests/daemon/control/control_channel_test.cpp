// The control channel's pure parts: request parsing, answer rendering and
// the argument readers.

#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "daemon/control/answer.hpp"
#include "daemon/control/arguments.hpp"
#include "daemon/control/control_server.hpp"
#include "daemon/control/request_line.hpp"
#include "daemon/control/roles.hpp"
#include "daemon/control/secret.hpp"

namespace cardd::daemon {
namespace {

using nlohmann::json;

// The kernel names the peer of a Unix socket; anything else (a pipe) has
// no peer to name, and such a caller gets no uid at all rather than 0.
TEST(ControlChannel, aPeerIsWhatTheKernelSaysOrNothing) {
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, pair), 0);
    const auto peer = peer_of(pair[0]);
    ASSERT_TRUE(peer.has_value());
    EXPECT_EQ(peer->uid, ::getuid());
    EXPECT_EQ(peer->gid, ::getgid());
    EXPECT_EQ(peer->pid, ::getpid());
    ::close(pair[0]);
    ::close(pair[1]);
    int pipe_ends[2];
    ASSERT_EQ(::pipe(pipe_ends), 0);
    EXPECT_FALSE(peer_of(pipe_ends[0]).has_value());
    ::close(pipe_ends[0]);
    ::close(pipe_ends[1]);
}

// A line nested deeper than the limit is refused before parsing; brackets in strings do not count.
TEST(ControlChannel, deeplyNestedLinesAreRefused) {
    const std::string deep =
        R"({"command": "status", "id": )" + std::string(100000, '[') + std::string(100000, ']') + "}";
    const ParsedLine refused = parse_request_line(deep);
    ASSERT_TRUE(refused.error.has_value());
    EXPECT_EQ(refused.error->result, ResultCode::invalid);
    const std::string brackets_in_text = R"({"command": "status", "id": ")" + std::string(1000, '[') + R"("})";
    const ParsedLine text = parse_request_line(brackets_in_text);
    EXPECT_TRUE(text.request.has_value()) << (text.error ? text.error->text : "");
}

// A well-formed line yields the command, its arguments and the id to echo.
TEST(ControlChannel, parsesAWellFormedRequest) {
    const ParsedLine parsed =
        parse_request_line(R"({"command": "card-topup", "arguments": {"card_no": 7}, "id": "x1"})");
    ASSERT_TRUE(parsed.request.has_value());
    EXPECT_FALSE(parsed.error.has_value());
    EXPECT_EQ(parsed.request->command, "card-topup");
    EXPECT_EQ(parsed.request->arguments, json({{"card_no", 7}}));
    EXPECT_EQ(parsed.id, json("x1"));
}

// A key given twice is refused, whichever value would have won, at the top and inside the arguments.
TEST(ControlChannel, duplicatedKeysAreRefused) {
    const ParsedLine twice = parse_request_line(R"({"command":"status","command":"card-topup","id":3})");
    ASSERT_TRUE(twice.error.has_value());
    EXPECT_FALSE(twice.request.has_value());
    EXPECT_EQ(twice.error->result, ResultCode::invalid);
    EXPECT_EQ(twice.error->text, "the request gives the key \"command\" twice; each key may appear once in an object");
    const ParsedLine inside =
        parse_request_line(R"({"command":"card-topup","arguments":{"card_no":7,"amount":1,"amount":999999}})");
    ASSERT_TRUE(inside.error.has_value());
    EXPECT_NE(inside.error->text.find("\"amount\""), std::string::npos);
}

// A console request carries its session beside the command; a session that is not a string is refused.
TEST(ControlChannel, readsTheSession) {
    const ParsedLine parsed = parse_request_line(R"({"command": "status", "session": "ab12", "id": 1})");
    ASSERT_TRUE(parsed.request.has_value());
    EXPECT_EQ(parsed.request->session, "ab12");
    EXPECT_FALSE(parse_request_line(R"({"command": "status"})").request->session.has_value());
    EXPECT_FALSE(parse_request_line(R"({"command": "status", "session": null})").request->session.has_value());
    const ParsedLine bad = parse_request_line(R"({"command": "status", "session": 5, "id": 2})");
    ASSERT_TRUE(bad.error.has_value());
    EXPECT_EQ(bad.error->result, ResultCode::invalid);
    EXPECT_EQ(bad.error->text, "\"session\" must be a string");
    EXPECT_EQ(bad.id, json(2));
}

// Passwords are wiped in place wherever they are in the arguments; the rest is left.
TEST(ControlChannel, passwordsAreWipedFromArguments) {
    json arguments = {{"name", "ops"}, {"password", "correct horse"}, {"nested", {{"password", "x"}, {"n", 1}}}};
    wipe_passwords(arguments);
    EXPECT_EQ(arguments["name"], "ops");
    EXPECT_EQ(arguments["password"], std::string(13, '\0'));
    EXPECT_EQ(arguments["nested"]["password"], std::string(1, '\0'));
    EXPECT_EQ(arguments["nested"]["n"], 1);
    Secret secret("a long password, longer than a small string");
    Secret moved(std::move(secret));
    EXPECT_TRUE(secret.empty());
    EXPECT_EQ(moved.view(), "a long password, longer than a small string");
}

// Every malformed shape is answered with result 6 and, where it could be read, the id.
TEST(ControlChannel, malformedLinesGetInvalid) {
    for (const char* line : {"not json", "[1,2]", "42", R"({"id": 5})", R"({"command": 5, "id": 5})",
                             R"({"command": "status", "arguments": [1], "id": 5})", "{\"command\": \"status\""}) {
        const ParsedLine parsed = parse_request_line(line);
        ASSERT_TRUE(parsed.error.has_value()) << line;
        EXPECT_EQ(parsed.error->result, ResultCode::invalid) << line;
        EXPECT_FALSE(parsed.request.has_value());
    }
    EXPECT_EQ(parse_request_line(R"({"id": 5})").id, json(5));
}

// Answers are one line of JSON in the documented shape.
TEST(ControlChannel, answersRenderExactly) {
    EXPECT_EQ(render_answer(Answer::ok("done", {{"n", 1}}), json(3)),
              R"({"arguments":{"n":1},"id":3,"result":0,"text":"done"})");
    EXPECT_EQ(render_answer(Answer::failure(ResultCode::conflict, "card 5 is lost"), nullptr),
              R"({"id":null,"result":4,"text":"card 5 is lost"})");
}

// Store errors map to the documented result codes.
TEST(ControlChannel, storeErrorsMapToResultCodes) {
    EXPECT_EQ(from_error({store::Errc::invalid_argument, "x"}).result, ResultCode::invalid);
    EXPECT_EQ(from_error({store::Errc::not_found, "x"}).result, ResultCode::not_found);
    EXPECT_EQ(from_error({store::Errc::conflict, "x"}).result, ResultCode::conflict);
    EXPECT_EQ(from_error({store::Errc::storage, "x"}).result, ResultCode::error);
}

// push and devices go together; "all" and name lists are read; anything else is refused.
TEST(Arguments, pushTargetsAreReadStrictly) {
    EXPECT_EQ(args::push_target(json::object()).scope, store::PushTarget::Scope::none);
    EXPECT_EQ(args::push_target({{"push", true}, {"devices", "all"}}).scope, store::PushTarget::Scope::all);
    const auto named = args::push_target({{"push", true}, {"devices", {"T1", "T2"}}});
    EXPECT_EQ(named.scope, store::PushTarget::Scope::named);
    EXPECT_EQ(named.terminals, (std::vector<std::string>{"T1", "T2"}));
    EXPECT_THROW(args::push_target({{"push", true}}), BadArgument);
    EXPECT_THROW(args::push_target({{"devices", "all"}}), BadArgument);
    EXPECT_THROW(args::push_target({{"push", "yes"}, {"devices", "all"}}), BadArgument);
    EXPECT_THROW(args::push_target({{"push", true}, {"devices", json::array()}}), BadArgument);
    EXPECT_THROW(args::push_target({{"push", true}, {"devices", {1, 2}}}), BadArgument);
    EXPECT_THROW(args::only({{"card_no", 1}, {"amuont", 5}}, {"card_no", "amount"}), BadArgument);
    EXPECT_THROW(args::required_int({{"card_no", "7"}}, "card_no"), BadArgument);
    EXPECT_THROW(args::required_int({{"card_no", 7.5}}, "card_no"), BadArgument);
    EXPECT_EQ(args::required_int({{"card_no", 7}}, "card_no"), 7);
}

}  // namespace
}  // namespace cardd::daemon
