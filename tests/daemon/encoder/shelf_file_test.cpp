// The simulated reader's card file on its own, on real files: what it loads,
// that a store replaces it whole, and the mode it leaves whatever the umask.
#include "daemon/encoder/sim/shelf_file.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <gtest/gtest.h>

#include "tests/support/temp_dir.hpp"

namespace cardd::encoder::sim {
namespace {

namespace fs = std::filesystem;

/// Sets the umask for one test and puts the old one back.
class Umask {
public:
    explicit Umask(mode_t mask) : old_(::umask(mask)) {}
    ~Umask() { ::umask(old_); }
    Umask(const Umask&) = delete;
    Umask& operator=(const Umask&) = delete;

private:
    mode_t old_;
};

mode_t mode_of(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
}

std::string contents(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file(const fs::path& path, const std::string& text, mode_t mode) {
    std::ofstream(path) << text;
    ASSERT_EQ(::chmod(path.c_str(), mode), 0);
}

fs::path temporary_of(const fs::path& path) { return path.string() + ".new"; }

class ShelfFileTest : public ::testing::Test {
protected:
    test::TempDir dir_;
    fs::path path_ = dir_.path() / "encoder-desk.cards";
    ShelfFile file_{path_};
};

TEST_F(ShelfFileTest, noFileYetLoadsAsNothing) {
    const auto loaded = file_.load();
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_FALSE(loaded->has_value());
}

TEST_F(ShelfFileTest, storeReplacesTheFileWhole) {
    ASSERT_TRUE(file_.store("first, and longer than the second\n").has_value());
    const auto stored = file_.store("second\n");
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
    EXPECT_EQ(contents(path_), "second\n");
    const auto loaded = file_.load();
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(loaded->value_or("(none)"), "second\n");
    EXPECT_FALSE(fs::exists(temporary_of(path_)));
}

TEST_F(ShelfFileTest, ownerOnlyUnderUmaskZero) {
    const Umask none(0);
    ASSERT_TRUE(file_.store("cards\n").has_value());
    EXPECT_EQ(mode_of(path_), 0600);
}

// A temporary left by a crash keeps its mode through O_TRUNC; the store
// must not hand that mode on to the file it becomes.
TEST_F(ShelfFileTest, leftoverTemporaryDoesNotLendItsMode) {
    const Umask none(0);
    write_file(temporary_of(path_), "half a file", 0666);
    ASSERT_TRUE(file_.store("cards\n").has_value());
    EXPECT_EQ(mode_of(path_), 0600);
    EXPECT_EQ(contents(path_), "cards\n");
}

// A directory where the file should be makes the rename fail after the
// temporary is written, so the temporary can be looked at.
TEST_F(ShelfFileTest, temporaryIsOwnerOnlyUnderUmaskZero) {
    const Umask none(0);
    fs::create_directories(path_ / "in the way");
    const auto stored = file_.store("cards\n");
    ASSERT_FALSE(stored.has_value());
    EXPECT_EQ(stored.error().code, Errc::storage);
    ASSERT_TRUE(fs::exists(temporary_of(path_)));
    EXPECT_EQ(mode_of(temporary_of(path_)), 0600);
    EXPECT_EQ(contents(temporary_of(path_)), "cards\n");
}

TEST_F(ShelfFileTest, missingDirectoryIsAStorageError) {
    const ShelfFile nowhere(dir_.path() / "gone" / "encoder-desk.cards");
    const auto stored = nowhere.store("cards\n");
    ASSERT_FALSE(stored.has_value());
    EXPECT_EQ(stored.error().code, Errc::storage);
    EXPECT_NE(stored.error().message.find("gone"), std::string::npos) << stored.error().message;
}

TEST_F(ShelfFileTest, failedStoreLeavesTheFileAsItWas) {
    ASSERT_TRUE(file_.store("old cards\n").has_value());
    // The temporary's name taken by a directory: the new text has nowhere to go.
    fs::create_directories(temporary_of(path_) / "in the way");
    ASSERT_FALSE(file_.store("new cards\n").has_value());
    EXPECT_EQ(contents(path_), "old cards\n");
}

TEST_F(ShelfFileTest, unreadableFileIsAStorageError) {
    fs::create_directories(path_);  // opens, but does not read
    const auto loaded = file_.load();
    ASSERT_FALSE(loaded.has_value());
    EXPECT_EQ(loaded.error().code, Errc::storage);
    EXPECT_NE(loaded.error().message.find(path_.string()), std::string::npos) << loaded.error().message;
}

}  // namespace
}  // namespace cardd::encoder::sim
