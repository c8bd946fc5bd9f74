// What the console's API paths do with a browser's request before and after
// cardd sees it: cardd is a scripted backend that records every request.

#include <gtest/gtest.h>

#include "tests/console/scripted_backend.hpp"
#include "tools/console/console_api.hpp"

namespace cardd::console {
namespace {

using nlohmann::json;
using testing::ScriptedBackend;

const std::string token(64, 'c');
const std::array<unsigned char, 32> fixed_key{1, 2, 3};

class ConsoleApiTest : public ::testing::Test {
protected:
    HttpResponse run(const HttpRequest& request) {
        boost::asio::io_context io;
        HttpResponse response;
        StreamStart start = [this]() -> boost::asio::awaitable<EventSink> {
            stream_started = true;
            co_return [this](std::string_view event, const json& data) -> boost::asio::awaitable<void> {
                events.emplace_back(std::string(event), data);
                co_return;
            };
        };
        boost::asio::co_spawn(
            io, [&]() -> boost::asio::awaitable<void> { response = co_await api.handle(request, start); },
            boost::asio::detached);
        io.run();
        return response;
    }

    /// A POST from the console's own page, logged in, with the right CSRF token.
    HttpRequest page_post(std::string path, json body) {
        HttpRequest request;
        request.method = "POST";
        request.target = std::move(path);
        request.body = body.dump();
        request.headers = {{"host", "127.0.0.1:8443"},
                           {"origin", "https://127.0.0.1:8443"},
                           {"content-type", "application/json"},
                           {"cookie", "__Host-cardd-session=" + token},
                           {"x-csrf-token", CsrfKey(fixed_key).token_for(token)}};
        return request;
    }

    static std::optional<std::string> cookie_set(const HttpResponse& response) {
        for (const auto& [name, value] : response.headers) {
            if (name == "Set-Cookie") return value;
        }
        return std::nullopt;
    }

    ScriptedBackend backend;
    ConsoleApi api{backend, CsrfKey(fixed_key)};
    bool stream_started = false;
    std::vector<std::pair<std::string, json>> events;
};

TEST_F(ConsoleApiTest, ServesThePageAndItsFiles) {
    HttpRequest request{"GET", "/", "", {}};
    HttpResponse page = run(request);
    EXPECT_EQ(page.status, 200);
    EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
    EXPECT_NE(page.body.find("/static/console.js"), std::string::npos);
    // No inline script: every script is a file.
    EXPECT_EQ(page.body.find("<script>"), std::string::npos);
    request.target = "/static/console.js";
    EXPECT_EQ(run(request).content_type, "text/javascript; charset=utf-8");
    request.target = "/static/../../etc/passwd";
    EXPECT_EQ(run(request).status, 404);
    request.method = "POST";
    request.target = "/";
    EXPECT_EQ(run(request).status, 405);
    EXPECT_TRUE(backend.requests.empty());
}

TEST_F(ConsoleApiTest, LoginSetsTheCookieAndGivesTheCsrfTokenNotTheSession) {
    backend.will_answer(
        {{"result", 0},
         {"text", "logged in"},
         {"arguments", {{"session", token}, {"account", "li"}, {"role", "issuer"}, {"idle_timeout_s", 900}}}});
    HttpRequest request = page_post("/api/login", {{"name", "li"}, {"password", "correct horse"}});
    request.headers.erase("cookie");
    request.headers.erase("x-csrf-token");
    const HttpResponse response = run(request);
    ASSERT_EQ(response.status, 200);
    ASSERT_EQ(backend.requests.size(), 1u);
    EXPECT_EQ(backend.requests[0]["command"], "account-login");
    EXPECT_EQ(backend.requests[0]["arguments"]["name"], "li");
    EXPECT_FALSE(backend.requests[0].contains("session"));
    EXPECT_EQ(cookie_set(response), session_cookie(token));
    const json body = json::parse(response.body);
    EXPECT_EQ(body["role"], "issuer");
    EXPECT_EQ(body["csrf"], CsrfKey(fixed_key).token_for(token));
    EXPECT_EQ(response.body.find(token), std::string::npos);
}

TEST_F(ConsoleApiTest, AFailedLoginSetsNoCookie) {
    backend.will_answer({{"result", 5}, {"text", "wrong account name or password"}});
    HttpRequest request = page_post("/api/login", {{"name", "li"}, {"password", "wrong"}});
    const HttpResponse response = run(request);
    EXPECT_EQ(response.status, 200);
    EXPECT_EQ(json::parse(response.body)["result"], 5);
    EXPECT_FALSE(cookie_set(response));
}

TEST_F(ConsoleApiTest, ACallCarriesTheCookiesSessionToCardd) {
    backend.will_answer({{"result", 0}, {"text", "card 1001 topped up"}, {"arguments", {{"balance", 2050}}}});
    const HttpResponse response =
        run(page_post("/api/call", {{"command", "card-topup"}, {"arguments", {{"card_no", 1001}, {"amount", 2050}}}}));
    ASSERT_EQ(response.status, 200);
    ASSERT_EQ(backend.requests.size(), 1u);
    EXPECT_EQ(
        backend.requests[0],
        (json{{"command", "card-topup"}, {"session", token}, {"arguments", {{"card_no", 1001}, {"amount", 2050}}}}));
    const json body = json::parse(response.body);
    EXPECT_EQ(body["result"], 0);
    EXPECT_EQ(body["arguments"]["balance"], 2050);
}

TEST_F(ConsoleApiTest, ACallWithoutTheCsrfTokenNeverReachesCardd) {
    HttpRequest request = page_post("/api/call", {{"command", "card-topup"}});
    request.headers.erase("x-csrf-token");
    EXPECT_EQ(run(request).status, 403);
    request.headers["x-csrf-token"] = CsrfKey().token_for(token);  // another console's
    EXPECT_EQ(run(request).status, 403);
    EXPECT_TRUE(backend.requests.empty());
}

// A body naming a key twice is refused, not rebuilt with the last value for cardd; a login's too.
TEST_F(ConsoleApiTest, ABodyWithADuplicatedKeyNeverReachesCardd) {
    HttpRequest request = page_post("/api/call", {});
    request.body = R"({"command":"card-topup","arguments":{"card_no":1001,"amount":1,"amount":200000}})";
    const HttpResponse response = run(request);
    EXPECT_EQ(response.status, 400);
    EXPECT_NE(response.body.find("\\\"amount\\\" twice"), std::string::npos) << response.body;
    request.target = "/api/login";
    request.body = R"({"name":"ops","name":"admin","password":"x"})";
    EXPECT_EQ(run(request).status, 400);
    EXPECT_TRUE(backend.requests.empty());
}

TEST_F(ConsoleApiTest, ACallFromAnotherSiteOrAFormNeverReachesCardd) {
    HttpRequest request = page_post("/api/call", {{"command", "card-topup"}});
    request.headers["origin"] = "https://evil.example";
    EXPECT_EQ(run(request).status, 403);
    request = page_post("/api/call", {{"command", "card-topup"}});
    request.headers["content-type"] = "application/x-www-form-urlencoded";
    EXPECT_EQ(run(request).status, 415);
    request = page_post("/api/call", {{"command", "card-topup"}});
    request.headers.erase("cookie");
    const HttpResponse response = run(request);
    EXPECT_EQ(response.status, 401);
    EXPECT_TRUE(backend.requests.empty());
}

TEST_F(ConsoleApiTest, AnEndedSessionLogsTheBrowserOut) {
    backend.will_answer(
        {{"result", 5}, {"text", "the session expired; log in again"}, {"arguments", {{"session", "expired"}}}});
    const HttpResponse response = run(page_post("/api/call", {{"command", "status"}}));
    EXPECT_EQ(response.status, 401);
    EXPECT_EQ(cookie_set(response), cleared_session_cookie());
}

TEST_F(ConsoleApiTest, LoginAndLogoutHaveTheirOwnPathsOnly) {
    EXPECT_EQ(run(page_post("/api/call", {{"command", "account-login"}})).status, 400);
    EXPECT_EQ(run(page_post("/api/call", {{"command", "account-logout"}})).status, 400);
    EXPECT_EQ(run(page_post("/api/call", {{"command", 7}})).status, 400);
    EXPECT_EQ(run(page_post("/api/call", {{"command", "status"}, {"arguments", "x"}})).status, 400);
    EXPECT_TRUE(backend.requests.empty());
}

TEST_F(ConsoleApiTest, LogoutEndsTheSessionInCarddAndClearsTheCookie) {
    backend.will_answer({{"result", 0}, {"text", "logged out"}});
    const HttpResponse response = run(page_post("/api/logout", json::object()));
    ASSERT_EQ(backend.requests.size(), 1u);
    EXPECT_EQ(backend.requests[0], (json{{"command", "account-logout"}, {"session", token}}));
    EXPECT_EQ(cookie_set(response), cleared_session_cookie());
}

TEST_F(ConsoleApiTest, AStreamSendsProgressThenTheAnswer) {
    backend.will_answer(
        {{"result", 0}, {"text", "card 1001 issued"}},
        {{{"text", "place the card on encoder desk"}}, {{"done", 1}, {"total", 1}, {"text", "issued"}}});
    const HttpResponse response =
        run(page_post("/api/stream", {{"command", "card-issue"}, {"arguments", {{"card_no", 1001}}}}));
    EXPECT_TRUE(response.streamed);
    EXPECT_TRUE(stream_started);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0].first, "progress");
    EXPECT_EQ(events[0].second["text"], "place the card on encoder desk");
    EXPECT_EQ(events[2].first, "answer");
    EXPECT_EQ(events[2].second["result"], 0);
}

TEST_F(ConsoleApiTest, CarddAwayIsABadGatewayNotACrash) {
    backend.will_fail("cardd is not answering on /run/cardd/cardd.sock");
    EXPECT_EQ(run(page_post("/api/call", {{"command", "status"}})).status, 502);
}

TEST_F(ConsoleApiTest, SessionNeedsACookieAndAsksCardd) {
    HttpRequest request{"GET", "/api/session", "", {}};
    EXPECT_EQ(run(request).status, 401);
    EXPECT_TRUE(backend.requests.empty());
    backend.will_answer({{"result", 0}, {"text", "ok"}, {"arguments", {{"account", "li"}, {"role", "viewer"}}}});
    request.headers["cookie"] = "__Host-cardd-session=" + token;
    const HttpResponse response = run(request);
    ASSERT_EQ(response.status, 200);
    EXPECT_EQ(backend.requests.at(0), (json{{"command", "account-session"}, {"session", token}}));
    EXPECT_EQ(json::parse(response.body)["csrf"], CsrfKey(fixed_key).token_for(token));
}

}  // namespace
}  // namespace cardd::console
