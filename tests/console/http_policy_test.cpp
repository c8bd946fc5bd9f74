// The console's HTTP rules: cookies, CSRF tokens, same-origin checks and the
// headers every response carries.

#include <gtest/gtest.h>

#include "tools/console/http_policy.hpp"

namespace cardd::console {
namespace {

const std::string token(64, 'a');

TEST(ConsoleCookies, ParsesPairsAndSkipsMalformedOnes) {
    const auto cookies = parse_cookies("a=1; __Host-cardd-session=abc ;junk; =x; b=\"q\"; a=2");
    EXPECT_EQ(cookies.at("a"), "1");  // the first of two wins
    EXPECT_EQ(cookies.at("__Host-cardd-session"), "abc");
    EXPECT_EQ(cookies.at("b"), "q");
    EXPECT_FALSE(cookies.contains("junk"));
    EXPECT_EQ(cookies.size(), 3u);
}

TEST(ConsoleCookies, SessionCookieIsHttpOnlySecureStrictAndHostOnly) {
    const std::string cookie = session_cookie(token);
    EXPECT_TRUE(cookie.starts_with("__Host-cardd-session=" + token + ";"));
    for (const char* attribute : {"; Path=/", "; Secure", "; HttpOnly", "; SameSite=Strict"}) {
        EXPECT_NE(cookie.find(attribute), std::string::npos) << attribute;
    }
    EXPECT_EQ(cookie.find("Domain"), std::string::npos);
    const std::string cleared = cleared_session_cookie();
    EXPECT_NE(cleared.find("Max-Age=0"), std::string::npos);
    EXPECT_TRUE(cleared.starts_with("__Host-cardd-session=;"));
}

TEST(ConsoleCookies, OnlyCarddShapedTokensAreSessions) {
    EXPECT_TRUE(looks_like_session_token(token));
    EXPECT_FALSE(looks_like_session_token(std::string(63, 'a')));
    EXPECT_FALSE(looks_like_session_token(std::string(64, 'A')));
    EXPECT_FALSE(looks_like_session_token(std::string(63, 'a') + ";"));
}

TEST(ConsoleCsrf, TokenBelongsToOneSessionAndOneKey) {
    const CsrfKey key;
    const std::string csrf = key.token_for(token);
    EXPECT_EQ(csrf.size(), 64u);
    EXPECT_TRUE(key.check(token, csrf));
    EXPECT_FALSE(key.check(std::string(64, 'b'), csrf));
    EXPECT_FALSE(key.check(token, ""));
    EXPECT_FALSE(key.check(token, csrf.substr(1)));
    std::string flipped = csrf;
    flipped[0] = flipped[0] == '0' ? '1' : '0';
    EXPECT_FALSE(key.check(token, flipped));
    const CsrfKey other;
    EXPECT_FALSE(other.check(token, csrf));
}

TEST(ConsoleOrigin, SameOriginOnly) {
    EXPECT_TRUE(same_origin("https://127.0.0.1:8443", std::nullopt, "127.0.0.1:8443"));
    EXPECT_FALSE(same_origin("https://evil.example", std::nullopt, "127.0.0.1:8443"));
    EXPECT_FALSE(same_origin("http://127.0.0.1:8443", std::nullopt, "127.0.0.1:8443"));
    EXPECT_FALSE(same_origin("null", std::nullopt, "127.0.0.1:8443"));
    EXPECT_FALSE(same_origin("https://127.0.0.1:8443", std::nullopt, ""));
    EXPECT_TRUE(same_origin(std::nullopt, "same-origin", "127.0.0.1:8443"));
    EXPECT_FALSE(same_origin(std::nullopt, "cross-site", "127.0.0.1:8443"));
    EXPECT_FALSE(same_origin(std::nullopt, std::nullopt, "127.0.0.1:8443"));
}

TEST(ConsoleHeaders, PolicyAllowsNoInlineScriptAndNoFraming) {
    std::string policy;
    bool hsts = false;
    for (const auto& [name, value] : security_headers()) {
        if (name == "Content-Security-Policy") policy = value;
        if (name == "Strict-Transport-Security") hsts = true;
    }
    ASSERT_FALSE(policy.empty());
    EXPECT_NE(policy.find("default-src 'none'"), std::string::npos);
    EXPECT_NE(policy.find("script-src 'self'"), std::string::npos);
    EXPECT_NE(policy.find("frame-ancestors 'none'"), std::string::npos);
    EXPECT_EQ(policy.find("unsafe-inline"), std::string::npos);
    EXPECT_EQ(policy.find("unsafe-eval"), std::string::npos);
    EXPECT_TRUE(hsts);
}

TEST(ConsoleHeaders, ContentTypes) {
    EXPECT_EQ(content_type_of("/static/console.js"), "text/javascript; charset=utf-8");
    EXPECT_EQ(content_type_of("index.html"), "text/html; charset=utf-8");
    EXPECT_EQ(content_type_of("/static/console.css"), "text/css; charset=utf-8");
    EXPECT_EQ(content_type_of("/static/x.bin"), "application/octet-stream");
}

}  // namespace
}  // namespace cardd::console
