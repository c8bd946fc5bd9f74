// The simulated reader's card directory on its own, on real files: what it
// loads, that a store replaces one card's file and no other, the modes it
// leaves whatever the umask, and the temporaries a crash leaves behind.
#include "daemon/encoder/sim/shelf_directory.hpp"

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

ino_t inode_of(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_ino;
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

class ShelfDirectoryTest : public ::testing::Test {
protected:
    test::TempDir dir_;
    fs::path path_ = dir_.path() / "encoder-desk.cards.d";
    fs::path old_ = dir_.path() / "encoder-desk.cards";
    ShelfDirectory shelf_{path_, old_};
};

TEST_F(ShelfDirectoryTest, noDirectoryYetLoadsAsNothing) {
    const auto loaded = shelf_.load();
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_TRUE(loaded->empty());
    EXPECT_FALSE(fs::exists(path_));
}

TEST_F(ShelfDirectoryTest, storeReplacesTheCardFileWhole) {
    ASSERT_TRUE(shelf_.store("04A20001", "first, and longer than the second\n").has_value());
    const auto stored = shelf_.store("04A20001", "second\n");
    ASSERT_TRUE(stored.has_value()) << stored.error().message;
    EXPECT_EQ(contents(path_ / "04A20001"), "second\n");
    const auto loaded = shelf_.load();
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(*loaded, (std::map<std::string, std::string>{{"04A20001", "second\n"}}));
    EXPECT_FALSE(fs::exists(temporary_of(path_ / "04A20001")));
}

// A change writes its own card's file (a new inode, by the rename) and
// leaves every other card's file alone, however many there are.
TEST_F(ShelfDirectoryTest, storeWritesOneFileNotTheOthers) {
    for (const char* name : {"04A20001", "04A20002", "04A20003"}) ASSERT_TRUE(shelf_.store(name, "card\n"));
    const ino_t first = inode_of(path_ / "04A20001");
    const ino_t second = inode_of(path_ / "04A20002");
    const ino_t third = inode_of(path_ / "04A20003");
    ASSERT_TRUE(shelf_.store("04A20002", "changed\n").has_value());
    EXPECT_EQ(inode_of(path_ / "04A20001"), first);
    EXPECT_NE(inode_of(path_ / "04A20002"), second);
    EXPECT_EQ(inode_of(path_ / "04A20003"), third);
    EXPECT_EQ(contents(path_ / "04A20001"), "card\n");
}

TEST_F(ShelfDirectoryTest, removeUnlinksOneFile) {
    ASSERT_TRUE(shelf_.store("04A20001", "card\n"));
    ASSERT_TRUE(shelf_.store("04A20002", "card\n"));
    ASSERT_TRUE(shelf_.remove("04A20001").has_value());
    EXPECT_FALSE(fs::exists(path_ / "04A20001"));
    EXPECT_TRUE(fs::exists(path_ / "04A20002"));
    EXPECT_TRUE(shelf_.remove("04A20001").has_value());  // gone already: no error
}

TEST_F(ShelfDirectoryTest, directoryAndFilesOwnerOnlyUnderUmaskZero) {
    const Umask none(0);
    ASSERT_TRUE(shelf_.store("04A20001", "cards\n").has_value());
    EXPECT_EQ(mode_of(path_), 0700);
    EXPECT_EQ(mode_of(path_ / "04A20001"), 0600);
}

// A umask that takes bits from the owner would leave a directory the
// process cannot write; the mode is set exactly.
TEST_F(ShelfDirectoryTest, directoryModeIsExactUnderANarrowUmask) {
    const Umask narrow(0277);
    ASSERT_TRUE(shelf_.store("04A20001", "cards\n").has_value());
    EXPECT_EQ(mode_of(path_), 0700);
    EXPECT_EQ(mode_of(path_ / "04A20001"), 0600);
}

TEST_F(ShelfDirectoryTest, loadNarrowsADirectoryOthersCouldRead) {
    fs::create_directories(path_);
    ASSERT_EQ(::chmod(path_.c_str(), 0755), 0);
    ASSERT_TRUE(shelf_.load().has_value());
    EXPECT_EQ(mode_of(path_), 0700);
}

// A temporary left by a crash keeps its mode through O_TRUNC; the store
// must not hand that mode on to the file it becomes.
TEST_F(ShelfDirectoryTest, leftoverTemporaryDoesNotLendItsMode) {
    const Umask none(0);
    fs::create_directories(path_);
    write_file(temporary_of(path_ / "04A20001"), "half a file", 0666);
    ASSERT_TRUE(shelf_.store("04A20001", "cards\n").has_value());
    EXPECT_EQ(mode_of(path_ / "04A20001"), 0600);
    EXPECT_EQ(contents(path_ / "04A20001"), "cards\n");
}

// A store cut short before its rename leaves NAME.new beside NAME: load
// reads NAME as it was, never the temporary, and removes it.
TEST_F(ShelfDirectoryTest, staleTemporaryIsIgnoredAndRemoved) {
    ASSERT_TRUE(shelf_.store("04A20001", "acknowledged\n"));
    write_file(temporary_of(path_ / "04A20001"), "half a fi", 0600);
    write_file(temporary_of(path_ / "04A20002"), "a card never stored", 0600);
    const auto loaded = shelf_.load();
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(*loaded, (std::map<std::string, std::string>{{"04A20001", "acknowledged\n"}}));
    EXPECT_FALSE(fs::exists(temporary_of(path_ / "04A20001")));
    EXPECT_FALSE(fs::exists(temporary_of(path_ / "04A20002")));
}

// A directory where the card file should be makes the rename fail after the
// temporary is written, so the temporary can be looked at.
TEST_F(ShelfDirectoryTest, temporaryIsOwnerOnlyUnderUmaskZero) {
    const Umask none(0);
    fs::create_directories(path_ / "04A20001" / "in the way");
    const auto stored = shelf_.store("04A20001", "cards\n");
    ASSERT_FALSE(stored.has_value());
    EXPECT_EQ(stored.error().code, Errc::storage);
    ASSERT_TRUE(fs::exists(temporary_of(path_ / "04A20001")));
    EXPECT_EQ(mode_of(temporary_of(path_ / "04A20001")), 0600);
    EXPECT_EQ(contents(temporary_of(path_ / "04A20001")), "cards\n");
}

TEST_F(ShelfDirectoryTest, missingDataDirectoryIsAStorageError) {
    const ShelfDirectory nowhere(dir_.path() / "gone" / "encoder-desk.cards.d");
    const auto stored = nowhere.store("04A20001", "cards\n");
    ASSERT_FALSE(stored.has_value());
    EXPECT_EQ(stored.error().code, Errc::storage);
    EXPECT_NE(stored.error().message.find("gone"), std::string::npos) << stored.error().message;
}

TEST_F(ShelfDirectoryTest, failedStoreLeavesTheFileAsItWas) {
    ASSERT_TRUE(shelf_.store("04A20001", "old cards\n").has_value());
    // The temporary's name taken by a directory: the new text has nowhere to go.
    fs::create_directories(temporary_of(path_ / "04A20001") / "in the way");
    ASSERT_FALSE(shelf_.store("04A20001", "new cards\n").has_value());
    EXPECT_EQ(contents(path_ / "04A20001"), "old cards\n");
}

TEST_F(ShelfDirectoryTest, unreadableCardFileIsAStorageError) {
    fs::create_directories(path_ / "04A20001");  // opens, but does not read
    const auto loaded = shelf_.load();
    ASSERT_FALSE(loaded.has_value());
    EXPECT_EQ(loaded.error().code, Errc::storage);
    EXPECT_NE(loaded.error().message.find((path_ / "04A20001").string()), std::string::npos) << loaded.error().message;
}

TEST_F(ShelfDirectoryTest, oldFileIsReadAndRemovedWithItsTemporary) {
    write_file(old_, "old cards\n", 0600);
    write_file(temporary_of(old_), "half", 0600);
    const auto text = shelf_.load_old_file();
    ASSERT_TRUE(text.has_value()) << text.error().message;
    EXPECT_EQ(text->value_or("(none)"), "old cards\n");
    ASSERT_TRUE(shelf_.remove_old_file().has_value());
    EXPECT_FALSE(fs::exists(old_));
    EXPECT_FALSE(fs::exists(temporary_of(old_)));
    const auto again = shelf_.load_old_file();
    ASSERT_TRUE(again.has_value());
    EXPECT_FALSE(again->has_value());
}

}  // namespace
}  // namespace cardd::encoder::sim
