// cardd on SQLite with its data directory on a small tmpfs of the test's
// own: filled to the last byte, then read-only. Requests that write are
// refused with a message saying the disk is full or the database read-only,
// reads go on, nothing is half-applied, and once the disk is writable again
// cardd serves writes without a restart.

#include <optional>
#include <string>

#include "tests/e2e/e2e_fixture.hpp"
#include "tests/support/tmpfs_mount.hpp"

namespace cardd::e2e {
namespace {

// Room for the schema, a few cards and the WAL of this test, no more.
constexpr std::uintmax_t disk_bytes = 8u << 20;

class DiskFaults : public E2e {
protected:
    void before_first_start() override { disk_.emplace(data_dir_, disk_bytes); }

    /// A write refused for the disk: result 1, the reason in words, no card touched.
    void expect_refused(const CtlRun& run, const std::string& words, const std::string& what) {
        EXPECT_NE(run.exit_code, 0) << what << " succeeded\n" << run.describe();
        ASSERT_TRUE(run.answer.is_object()) << what << "\n" << run.describe();
        EXPECT_EQ(run.answer.value("result", -1), 1) << what << "\n" << run.describe();
        const std::string text = run.answer.value("text", std::string());
        EXPECT_NE(text.find(words), std::string::npos) << what << ": " << text;
        EXPECT_NE(text.find("the change was not kept"), std::string::npos) << what << ": " << text;
    }

    /// Every kind of write the store takes: a person, a loss, a card write through the journal.
    void expect_writes_refused(const std::string& words) {
        expect_refused(cardctl({"person", "add", "E002", "--name", "Person E002"}), words, "person add");
        expect_refused(cardctl({"card", "loss", "1001"}), words, "card loss");
        expect_refused(cardctl({"card", "topup", "1001", "5", "--wait", "2"}), words, "card topup");
    }

    /// Reads work, and the store and the card are as they were.
    void expect_unchanged(const json& before, const std::string& when) {
        EXPECT_EQ(snapshot({1001}), before) << when;
        EXPECT_EQ(ctl_ok({"pending"}).at("pending"), json::array()) << when;
        const json read = read_card();
        EXPECT_EQ(read.at("on_card").at("balance"), 5000) << when << ": " << read.dump();
        EXPECT_EQ(read.at("differences"), json::array()) << when << ": " << read.dump();
    }

    /// Writes go through again, the same cardd process serving them.
    void expect_writes_served(pid_t pid) {
        ctl_ok({"person", "add", "E002", "--name", "Person E002"});
        const json topped = ctl_ok({"card", "topup", "1001", "5"});
        EXPECT_EQ(topped.at("card").at("balance"), 5500);
        const json read = read_card();
        EXPECT_EQ(read.at("on_card").at("balance"), 5500) << read.dump();
        EXPECT_EQ(read.at("differences"), json::array()) << read.dump();
        EXPECT_EQ(cardd().pid(), pid) << "cardd was restarted";
        EXPECT_TRUE(cardd().running());
    }

    std::optional<cardd::test::TmpfsMount> disk_;
};

// The data directory full: every write refused as a full disk, reads and
// the card untouched; once a file is deleted, writes are served again.
TEST_P(DiskFaults, aFullDiskRefusesWritesKeepsReadsAndServesWritesOnceThereIsRoom) {
    issue("E001", 1001, 5000);
    const json before = snapshot({1001});
    const pid_t pid = cardd().pid();

    EXPECT_GT(disk_->fill(), 0u);
    expect_writes_refused("is full");
    expect_unchanged(before, "with the disk full");

    disk_->free_space();
    expect_writes_served(pid);
}

// The data directory read-only. The kernel does not make a file system
// read-only while a file on it is open for writing, as cardd's database is,
// so cardd is stopped for the remount and started on the read-only disk:
// it serves reads, refuses writes as a read-only database, and once the
// disk is remounted read-write it serves writes again without a restart.
TEST_P(DiskFaults, aReadOnlyDiskRefusesWritesKeepsReadsAndServesWritesOnceWritable) {
    issue("E001", 1001, 5000);
    const json before = snapshot({1001});
    ASSERT_EQ(stop_cardd(), 0);

    disk_->remount_read_only();
    start_cardd();
    const pid_t pid = cardd().pid();
    // A restarted reader is empty; the card file is only read.
    place(1001);
    expect_writes_refused("is read-only");
    expect_unchanged(before, "with the disk read-only");

    disk_->remount_writable();
    expect_writes_served(pid);
}

}  // namespace

// The data directory holds the SQLite file only on that backend.
INSTANTIATE_TEST_SUITE_P(Backends, DiskFaults, ::testing::Values(Backend::sqlite), backend_name);

}  // namespace cardd::e2e
