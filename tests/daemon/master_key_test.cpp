// The master key file: created once with mode 0600 and read back as it is;
// refused, and left as it is, when its mode, size or kind is wrong.

#include "daemon/master_key.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/hex.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::daemon {
namespace {

namespace fs = std::filesystem;
using protocol::card::MasterKey;

constexpr MasterKey known_key{0xC4, 0x1D, 0x7E, 0x93, 0x0B, 0xA8, 0x56, 0xF2,
                              0x3E, 0x61, 0xD9, 0x24, 0x8F, 0xB7, 0x15, 0x6A};

// Sets the process umask for one test and puts the old one back.
class ScopedUmask {
public:
    explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
    ~ScopedUmask() { ::umask(old_); }
    ScopedUmask(const ScopedUmask&) = delete;
    ScopedUmask& operator=(const ScopedUmask&) = delete;

private:
    mode_t old_;
};

void write_file(const fs::path& path, const std::vector<std::uint8_t>& bytes, mode_t mode) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
        ASSERT_TRUE(out.good()) << path;
    }
    // chmod, unlike the mode given at creation, ignores the umask.
    ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

std::vector<std::uint8_t> known_bytes() { return {known_key.begin(), known_key.end()}; }

std::vector<std::uint8_t> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

mode_t mode_of(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::lstat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
}

std::string hex(const MasterKey& key, bool upper) {
    return protocol::hex_bytes(key, {}, upper ? protocol::HexCase::upper : protocol::HexCase::lower);
}

TEST(MasterKey, anAbsentFileIsCreatedWithMode0600EvenUnderUmask0) {
    const test::TempDir dir;
    const fs::path path = dir.path() / "master.key";
    // With umask 0 the mode given to open() would be used as is; the file
    // must still end up 0600, not whatever a looser default would give.
    const ScopedUmask open_mask(0);

    const auto first = load_or_create_master_key(path);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_TRUE(first->created);
    ASSERT_TRUE(fs::is_regular_file(fs::symlink_status(path)));
    EXPECT_EQ(fs::file_size(path), 16u);
    EXPECT_EQ(mode_of(path), 0600);
    const auto on_disk = read_file(path);
    EXPECT_EQ(on_disk, std::vector<std::uint8_t>(first->key.begin(), first->key.end()));

    const auto second = load_or_create_master_key(path);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_FALSE(second->created);
    EXPECT_EQ(second->key, first->key);
    EXPECT_EQ(read_file(path), on_disk);

    // Each new file gets its own random key.
    const auto other = load_or_create_master_key(dir.path() / "other.key");
    ASSERT_TRUE(other.has_value()) << other.error().message;
    EXPECT_TRUE(other->created);
    EXPECT_NE(other->key, first->key);
}

TEST(MasterKey, anExistingFileIsReadAsItIs) {
    const test::TempDir dir;
    for (const mode_t mode : {0600, 0400}) {
        const fs::path path = dir.path() / ("master-" + std::to_string(mode) + ".key");
        write_file(path, known_bytes(), mode);
        const auto loaded = load_or_create_master_key(path);
        ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
        EXPECT_FALSE(loaded->created);
        EXPECT_EQ(loaded->key, known_key);
        EXPECT_EQ(mode_of(path), mode);
    }
}

TEST(MasterKey, aModeLooserThan0600IsRefusedWithoutQuotingTheKey) {
    const test::TempDir dir;
    const fs::path path = dir.path() / "master.key";
    const std::string raw(known_key.begin(), known_key.end());
    for (const mode_t mode : {0640, 0644, 0604, 0620, 0602, 0660}) {
        write_file(path, known_bytes(), mode);
        const auto loaded = load_or_create_master_key(path);
        ASSERT_FALSE(loaded.has_value()) << "mode " << std::oct << mode;
        const std::string& message = loaded.error().message;
        EXPECT_EQ(loaded.error().code, Errc::invalid) << message;
        char expected_mode[8];
        std::snprintf(expected_mode, sizeof expected_mode, "%04o", static_cast<unsigned>(mode));
        EXPECT_NE(message.find(expected_mode), std::string::npos) << message;
        EXPECT_NE(message.find("chmod 600"), std::string::npos) << message;
        EXPECT_EQ(message.find(raw), std::string::npos) << "the message holds the raw key";
        EXPECT_EQ(message.find(hex(known_key, true)), std::string::npos) << message;
        EXPECT_EQ(message.find(hex(known_key, false)), std::string::npos) << message;
        // Refused, not repaired: the file is left for the administrator.
        EXPECT_EQ(mode_of(path), mode);
        EXPECT_EQ(read_file(path), known_bytes());
    }
}

TEST(MasterKey, aFileOfAnotherSizeIsRefusedAndKept) {
    const test::TempDir dir;
    for (const std::size_t size : {std::size_t{0}, std::size_t{15}, std::size_t{17}}) {
        const fs::path path = dir.path() / ("master-" + std::to_string(size) + ".key");
        std::vector<std::uint8_t> bytes = known_bytes();
        bytes.resize(size, 0x42);
        write_file(path, bytes, 0600);
        const auto loaded = load_or_create_master_key(path);
        ASSERT_FALSE(loaded.has_value()) << size << " bytes";
        EXPECT_EQ(loaded.error().code, Errc::invalid) << loaded.error().message;
        EXPECT_NE(loaded.error().message.find(std::to_string(size) + " bytes"), std::string::npos)
            << loaded.error().message;
        // An empty file is not taken for an absent one: no new key replaces it.
        EXPECT_EQ(read_file(path), bytes);
    }
}

TEST(MasterKey, aDirectoryAtThePathIsRefused) {
    const test::TempDir dir;
    const fs::path path = dir.path() / "master.key";
    ASSERT_TRUE(fs::create_directory(path));
    const auto loaded = load_or_create_master_key(path);
    ASSERT_FALSE(loaded.has_value());
    EXPECT_TRUE(fs::is_directory(fs::symlink_status(path)));
    EXPECT_TRUE(fs::is_empty(path));
}

TEST(MasterKey, aSymlinkAtThePathIsRefused) {
    const test::TempDir dir;
    // A good key file behind the link: the link itself is what is refused.
    const fs::path target = dir.path() / "elsewhere.key";
    write_file(target, known_bytes(), 0600);
    const fs::path path = dir.path() / "master.key";
    fs::create_symlink(target, path);
    const auto loaded = load_or_create_master_key(path);
    ASSERT_FALSE(loaded.has_value());
    EXPECT_EQ(loaded.error().message.find(hex(known_key, true)), std::string::npos) << loaded.error().message;

    // A dangling link must not make a new key appear where it points.
    const fs::path nowhere = dir.path() / "nowhere.key";
    const fs::path dangling = dir.path() / "dangling.key";
    fs::create_symlink(nowhere, dangling);
    const auto created = load_or_create_master_key(dangling);
    ASSERT_FALSE(created.has_value());
    EXPECT_FALSE(fs::exists(fs::symlink_status(nowhere)));
    EXPECT_TRUE(fs::is_symlink(fs::symlink_status(dangling)));
}

TEST(MasterKey, twoLoadsOfAFreshPathAtOnceAgreeOnOneKey) {
    const test::TempDir dir;
    // The window is narrow; many rounds make both orders and the overlap likely.
    for (int round = 0; round < 300; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        const fs::path path = dir.path() / ("master-" + std::to_string(round) + ".key");
        std::latch start(2);
        std::array<Result<MasterKeyFile>, 2> results;
        auto load = [&](std::size_t i) {
            start.arrive_and_wait();
            results[i] = load_or_create_master_key(path);
        };
        std::thread first(load, 0);
        std::thread second(load, 1);
        first.join();
        second.join();

        ASSERT_TRUE(results[0].has_value()) << results[0].error().message;
        ASSERT_TRUE(results[1].has_value()) << results[1].error().message;
        EXPECT_EQ(results[0]->key, results[1]->key);
        // One of them wrote the file, the other read it.
        EXPECT_NE(results[0]->created, results[1]->created);
        EXPECT_EQ(read_file(path), std::vector<std::uint8_t>(results[0]->key.begin(), results[0]->key.end()));
        EXPECT_EQ(mode_of(path), 0600);
    }
    // Nothing but the key files is left in the directory.
    int files = 0;
    for (const auto& entry : fs::directory_iterator(dir.path())) {
        EXPECT_EQ(entry.path().extension(), ".key") << entry.path();
        ++files;
    }
    EXPECT_EQ(files, 300);
}

}  // namespace
}  // namespace cardd::daemon
