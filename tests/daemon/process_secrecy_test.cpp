// What cardd hides of itself from other processes: URL passwords in argv,
// and core dumps.

#include "daemon/process_secrecy.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cardd::daemon {
namespace {

std::vector<std::string> hidden(std::vector<std::string> words) {
    std::vector<char*> argv;
    for (std::string& word : words) argv.push_back(word.data());
    hide_url_passwords(static_cast<int>(argv.size()), argv.data());
    return words;
}

// The password, and only it, becomes x's of the same length, wherever the
// URL stands and whatever it holds ('@', '/'), read as the store reads it;
// what has no password is left as it is.
TEST(ProcessSecrecy, urlPasswordsInArgvBecomeXs) {
    const auto words = hidden({"cardd", "--database", "mariadb://cardd:s3cr@t!@db1:3306/cardd?socket=/run/m.sock",
                               "--database=mariadb://u:pw@h/d", "sqlite:/var/lib/cardd/cardd.sqlite",
                               "mariadb://nopass@h/d", "mariadb://u:p/w@h/d"});
    EXPECT_EQ(words[0], "cardd");
    EXPECT_EQ(words[2], "mariadb://cardd:xxxxxxx@db1:3306/cardd?socket=/run/m.sock");
    EXPECT_EQ(words[3], "--database=mariadb://u:xx@h/d");
    EXPECT_EQ(words[4], "sqlite:/var/lib/cardd/cardd.sqlite");
    EXPECT_EQ(words[5], "mariadb://nopass@h/d");
    EXPECT_EQ(words[6], "mariadb://u:xxx@h/d");
}

// After the call the process writes no core (limit 0) and, outside a
// sanitizer build, is not dumpable; checked in a child, so the test
// program keeps its own settings.
TEST(ProcessSecrecy, noCoreDumpIsWritten) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        forbid_core_dumps();
        rlimit core{};
        ::getrlimit(RLIMIT_CORE, &core);
        if (core.rlim_cur != 0 || core.rlim_max != 0) ::_exit(1);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
        if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) ::_exit(2);
#endif
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: a core limit is left; 2: the process is dumpable";
}

}  // namespace
}  // namespace cardd::daemon
