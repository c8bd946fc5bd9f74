// The staff console's sessions on a clock the test moves: a token is 64 hex
// digits, unguessable and kept only as its SHA-256; using it restarts its
// idle time; it ends idle, at its lifetime however busy, at logout, and when
// its account's sessions are ended; an expired one is said to be so once.

#include <gtest/gtest.h>

#include <set>

#include "daemon/control/sessions.hpp"

namespace cardd::daemon {
namespace {

using namespace std::chrono_literals;
using State = Sessions::Lookup::State;

class SessionsTest : public ::testing::Test {
protected:
    std::chrono::steady_clock::time_point now{std::chrono::hours(1000)};
    Sessions sessions{SessionLimits{900s, 12h}, [this] { return now; }};
};

// A token is 64 lowercase hex digits, a new one each login; the session stands for its account.
TEST_F(SessionsTest, aLoginGivesAFreshTokenForItsAccount) {
    std::set<std::string> tokens;
    for (int i = 0; i < 100; ++i) {
        const std::string token = sessions.open("ops", 1'764'000'000);
        ASSERT_EQ(token.size(), 64u);
        EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos) << token;
        tokens.insert(token);
    }
    EXPECT_EQ(tokens.size(), 100u);
    const auto lookup = sessions.use(*tokens.begin());
    ASSERT_EQ(lookup.state, State::valid);
    EXPECT_EQ(lookup.session->account, "ops");
    EXPECT_EQ(lookup.session->created_unix, 1'764'000'000);
    EXPECT_EQ(sessions.use(std::string(64, 'a')).state, State::unknown);
    EXPECT_EQ(sessions.use("").state, State::unknown);
}

// Only the digest is kept: the token itself is nowhere among the keys.
TEST_F(SessionsTest, onlyTheDigestIsKept) {
    const std::string token = sessions.open("ops", 0);
    EXPECT_EQ(token_digest(token).size(), 32u);
    EXPECT_NE(token_digest(token), token_digest(token.substr(1) + "0"));
}

// Each use restarts the idle time; left idle for the limit, the session ends, said expired once.
TEST_F(SessionsTest, anIdleSessionExpires) {
    const std::string token = sessions.open("ops", 0);
    for (int i = 0; i < 10; ++i) {
        now += 899s;
        ASSERT_EQ(sessions.use(token).state, State::valid) << i;
    }
    now += 900s;
    const auto expired = sessions.use(token);
    EXPECT_EQ(expired.state, State::expired);
    EXPECT_EQ(expired.why, "idle");
    EXPECT_EQ(expired.session->account, "ops");
    EXPECT_EQ(sessions.use(token).state, State::unknown);
    EXPECT_EQ(sessions.size(), 0u);
}

// However busy, a session ends 12 hours after its login.
TEST_F(SessionsTest, aBusySessionEndsAtItsLifetime) {
    const std::string token = sessions.open("ops", 0);
    for (int i = 0; i < 12 * 60 - 1; ++i) {
        now += 60s;
        ASSERT_EQ(sessions.use(token).state, State::valid) << i;
    }
    now += 60s;
    const auto expired = sessions.use(token);
    EXPECT_EQ(expired.state, State::expired);
    EXPECT_EQ(expired.why, "lifetime");
}

// Logout ends one session; ending an account's ends all of its, and only its.
TEST_F(SessionsTest, sessionsAreEndedByTokenAndByAccount) {
    const std::string first = sessions.open("ops", 0);
    const std::string second = sessions.open("ops", 0);
    const std::string other = sessions.open("desk.1", 0);
    EXPECT_EQ(sessions.end(first), "ops");
    EXPECT_EQ(sessions.end(first), std::nullopt);
    EXPECT_EQ(sessions.use(first).state, State::unknown);
    EXPECT_EQ(sessions.use(second).state, State::valid);
    EXPECT_EQ(sessions.end_account("ops"), 1u);
    EXPECT_EQ(sessions.use(second).state, State::unknown);
    EXPECT_EQ(sessions.use(other).state, State::valid);
}

// Expired sessions nobody asks about again are cleared at the next login; a shorter idle limit applies at once.
TEST_F(SessionsTest, expiredSessionsAreSweptAndLimitsChange) {
    for (int i = 0; i < 50; ++i) sessions.open("ops", 0);
    now += 901s;
    const std::string fresh = sessions.open("ops", 0);
    EXPECT_EQ(sessions.size(), 1u);
    sessions.set_limits(SessionLimits{1s, 12h});
    now += 1s;
    EXPECT_EQ(sessions.use(fresh).state, State::expired);
}

}  // namespace
}  // namespace cardd::daemon
