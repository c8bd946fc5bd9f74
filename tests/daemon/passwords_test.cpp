// The console accounts' passwords: the policy (10 characters, 1024 bytes,
// UTF-8) with its sentences; Argon2id's encoded string at RFC 9106's second
// option, a fresh salt each time, checked right and wrong; and the pool,
// which hashes off the calling thread and spends a check's cost on a name
// with no account.

#include "daemon/async/asio.hpp"
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include <chrono>

#include "daemon/passwords.hpp"

namespace cardd::daemon {
namespace {

// A cost small enough for many hashes in a test.
constexpr Argon2Cost cheap{1, 256, 1};

// The policy counts characters, not bytes, caps bytes, and wants UTF-8; each refusal says why.
TEST(PasswordPolicy, lengthBytesAndUtf8) {
    EXPECT_EQ(password_refusal("0123456789"), std::nullopt);
    EXPECT_EQ(password_refusal("食堂的卡中心密码很长"), std::nullopt);  // 10 characters, 30 bytes
    EXPECT_EQ(password_refusal("short"), "the password has 5 characters: it needs at least 10");
    EXPECT_EQ(password_refusal("食堂的卡中心密码"), "the password has 8 characters: it needs at least 10");
    EXPECT_EQ(password_refusal(""), "the password has 0 characters: it needs at least 10");
    EXPECT_EQ(password_refusal(std::string(1024, 'x')), std::nullopt);
    EXPECT_EQ(password_refusal(std::string(1025, 'x')), "the password is longer than 1024 bytes");
    for (const std::string& bad :
         {std::string("0123456789\xff"), std::string("0123456789\xc3"), std::string("0123456789\xc0\xaf"),
          std::string("0123456789\xed\xa0\x80"), std::string("0123456789\xf4\x90\x80\x80")}) {
        EXPECT_EQ(password_refusal(bad), "the password is not valid UTF-8");
    }
}

// The default cost is RFC 9106's second recommended option, written in the encoded string.
TEST(Argon2id, theDefaultIsRfc9106sSecondOption) {
    const auto encoded = hash_password("correct horse battery", Argon2Cost{});
    ASSERT_TRUE(encoded.has_value()) << encoded.error().message;
    EXPECT_EQ(encoded->rfind("$argon2id$v=19$m=65536,t=3,p=4$", 0), 0u) << *encoded;
    EXPECT_EQ(password_matches(*encoded, "correct horse battery"), true);
}

// Each hash has its own salt; the right password matches, any other does not.
TEST(Argon2id, aFreshSaltAndAnExactMatch) {
    const std::string first = *hash_password("correct horse battery", cheap);
    const std::string second = *hash_password("correct horse battery", cheap);
    EXPECT_NE(first, second);
    EXPECT_EQ(password_matches(first, "correct horse battery"), true);
    EXPECT_EQ(password_matches(second, "correct horse battery"), true);
    EXPECT_EQ(password_matches(first, "correct horse batterY"), false);
    EXPECT_EQ(password_matches(first, ""), false);
    EXPECT_FALSE(password_matches("$argon2id$garbage", "x").has_value());
}

template <class T>
T run(boost::asio::awaitable<T> work) {
    boost::asio::io_context io;
    auto done = boost::asio::co_spawn(io, std::move(work), boost::asio::use_future);
    io.run();
    return done.get();
}

// Through the pool: a hash and its checks, and the stand-in spent on a name with no account.
TEST(Passwords, hashAndCheckOnThePool) {
    Passwords passwords(cheap, 2);
    const auto encoded = run(passwords.hash(Secret("correct horse battery")));
    ASSERT_TRUE(encoded.has_value());
    EXPECT_EQ(run(passwords.matches(*encoded, Secret("correct horse battery"))), true);
    EXPECT_EQ(run(passwords.matches(*encoded, Secret("wrong horse battery"))), false);
    EXPECT_TRUE(run(passwords.spend(Secret("anything at all"))));
    EXPECT_TRUE(run(passwords.spend(Secret("anything else"))));
}

// While the pool hashes, the io thread goes on serving: a timer fires before the hash is back.
TEST(Passwords, theIoThreadIsNotHeld) {
    Passwords passwords(Argon2Cost{}, 1);
    boost::asio::io_context io;
    bool timer_fired_first = false;
    bool hashed = false;
    boost::asio::steady_timer timer(io, std::chrono::milliseconds(1));
    timer.async_wait([&](const boost::system::error_code&) { timer_fired_first = !hashed; });
    boost::asio::co_spawn(
        io,
        [&]() -> boost::asio::awaitable<void> {
            auto encoded = co_await passwords.hash(Secret("correct horse battery"));
            hashed = encoded.has_value();
        },
        boost::asio::detached);
    io.run();
    EXPECT_TRUE(hashed);
    EXPECT_TRUE(timer_fired_first);
}

}  // namespace
}  // namespace cardd::daemon
