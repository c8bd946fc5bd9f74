// SqliteBackup, the core of `cardctl backup`: a copy made one page a step
// while another connection keeps writing is the store as it stood when the
// copy began, one self-contained file of mode 0600 that passes its check;
// an existing file, a relative path and a missing directory are refused, and
// a copy abandoned midway leaves no file behind.

#include <sys/stat.h>

#include <fstream>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "store/card_store.hpp"
#include "store/sqlite_backup.hpp"
#include "store/sqlite_connection.hpp"
#include "tests/store/store_copy_fixture.hpp"
#include "tests/store/store_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::test {
namespace {

class SqliteBackup : public ::testing::Test {
protected:
    void SetUp() override {
        live = must(store::CardStore::open(must(store::open_sqlite(source_)), fixed_clock));
        fill_every_table(*live);
        // Enough pages that a copy one page a step takes many steps.
        for (int i = 0; i < 300; ++i) {
            must(live->add_person(store::Actor{0}, {"P" + std::to_string(i), std::string(200, 'x'), "Bulk"}));
        }
    }

    std::string dump_of(const std::filesystem::path& path) {
        return dump_tables(*must(store::open_sqlite_read_only(path)));
    }

    TempDir dir_;
    std::filesystem::path source_ = dir_.path() / "cardd.sqlite";
    std::filesystem::path target_ = dir_.path() / "backup.sqlite";
    std::unique_ptr<store::CardStore> live;
};

// Top-ups between steps do not reach the copy, nor restart it: it is the store of its first step.
TEST_F(SqliteBackup, aCopyInStepsIsTheStoreAsItBegan) {
    const std::string at_start = dump_of(source_);
    auto backup = must(store::SqliteBackup::start(source_, target_));
    int steps = 0;
    while (!must(backup->step(1))) {
        must(live->top_up(store::Actor{1000}, 1001, 100));
        ++steps;
        ASSERT_LT(steps, 100000);
    }
    EXPECT_GT(steps, 10);
    must(backup->finish());
    EXPECT_EQ(dump_of(target_), at_start);
    EXPECT_NE(dump_of(source_), at_start);

    struct stat info {};
    ASSERT_EQ(::stat(target_.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0600u);
    // One file: no -wal or -journal beside it, and a rollback journal database (header byte 18 = 1).
    EXPECT_FALSE(std::filesystem::exists(target_.string() + "-wal"));
    EXPECT_FALSE(std::filesystem::exists(target_.string() + "-journal"));
    std::ifstream file(target_, std::ios::binary);
    char header[20] = {};
    file.read(header, sizeof header);
    EXPECT_EQ(header[18], 1);

    const store::CopyCheck check = must(store::check_sqlite_copy(target_));
    EXPECT_EQ(check.integrity, "ok");
    EXPECT_TRUE(check.violations.empty());
    EXPECT_EQ(check.size, std::filesystem::file_size(target_));
    EXPECT_TRUE(check.good());
    EXPECT_FALSE(std::filesystem::exists(target_.string() + "-shm"));
}

// An existing file is refused and left as it was.
TEST_F(SqliteBackup, anExistingFileIsNotOverwritten) {
    std::ofstream(target_) << "keep me";
    const auto started = store::SqliteBackup::start(source_, target_);
    ASSERT_FALSE(started.has_value());
    EXPECT_EQ(started.error().code, store::Errc::conflict);
    std::ifstream kept(target_);
    std::string text;
    std::getline(kept, text);
    EXPECT_EQ(text, "keep me");
}

// A relative path and a directory that does not exist are refused, saying which.
TEST_F(SqliteBackup, aRelativePathOrMissingDirectoryIsRefused) {
    const auto relative = store::SqliteBackup::start(source_, "backup.sqlite");
    ASSERT_FALSE(relative.has_value());
    EXPECT_EQ(relative.error().code, store::Errc::invalid_argument);
    EXPECT_NE(relative.error().message.find("absolute"), std::string::npos) << relative.error().message;
    const auto missing = store::SqliteBackup::start(source_, dir_.path() / "nowhere" / "backup.sqlite");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, store::Errc::not_found);
    EXPECT_NE(missing.error().message.find("does not exist"), std::string::npos) << missing.error().message;
}

// A copy given up midway (cardd stopped during it) removes its file.
TEST_F(SqliteBackup, anAbandonedCopyLeavesNoFile) {
    {
        auto backup = must(store::SqliteBackup::start(source_, target_));
        EXPECT_FALSE(must(backup->step(1)));
        EXPECT_TRUE(std::filesystem::exists(target_));
    }
    EXPECT_FALSE(std::filesystem::exists(target_));
    EXPECT_FALSE(std::filesystem::exists(target_.string() + "-journal"));
}

}  // namespace
}  // namespace cardd::test
