// The console's TLS pair: made once when none is configured, kept private,
// and the same fingerprint on every later start.

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "tests/support/temp_dir.hpp"
#include "tools/console/tls_identity.hpp"

namespace cardd::console {
namespace {

TEST(ConsoleTls, MakesASelfSignedPairOnceAndKeepsTheKeyPrivate) {
    test::TempDir dir;
    const auto state = dir.path() / "state";
    auto first = tls_identity({}, {}, state);
    ASSERT_TRUE(first) << first.error();
    EXPECT_TRUE(first->made_now);
    EXPECT_EQ(first->fingerprint.size(), 32u * 3 - 1);
    struct stat key {};
    ASSERT_EQ(::stat(first->private_key.c_str(), &key), 0);
    EXPECT_EQ(key.st_mode & 0777, 0600u);
    auto second = tls_identity({}, {}, state);
    ASSERT_TRUE(second) << second.error();
    EXPECT_FALSE(second->made_now);
    EXPECT_EQ(second->fingerprint, first->fingerprint);
}

TEST(ConsoleTls, HalfAPairIsRefusedNotReplaced) {
    test::TempDir dir;
    auto made = tls_identity({}, {}, dir.path());
    ASSERT_TRUE(made) << made.error();
    std::filesystem::remove(made->private_key);
    auto again = tls_identity({}, {}, dir.path());
    ASSERT_FALSE(again);
    EXPECT_NE(again.error().find("only one of"), std::string::npos);
}

TEST(ConsoleTls, AConfiguredFileThatIsNoCertificateIsRefused) {
    test::TempDir dir;
    const auto bogus = dir.path() / "bogus.pem";
    std::ofstream(bogus) << "not a certificate\n";
    auto refused = tls_identity(bogus, bogus, dir.path());
    ASSERT_FALSE(refused);
    EXPECT_NE(refused.error().find("no PEM certificate"), std::string::npos);
}

}  // namespace
}  // namespace cardd::console
