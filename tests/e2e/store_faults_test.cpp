// The database away while cardd works, through a real cardd that is never
// restarted: on MariaDB, mariadbd SIGKILLed and started again on its data
// directory; on SQLite, the disk under the database filled and freed. A
// card write the database loses between its intent and its apply stays
// pending and is settled by a read of the card once the database is back;
// requests while it is away fail saying why and change nothing; the
// terminals' retry queue keeps its content and brings the terminal level.

#include <future>
#include <optional>
#include <string>
#include <thread>

#include "tests/e2e/e2e_fixture.hpp"
#include "tests/support/mariadb_server.hpp"
#include "tests/support/tmpfs_mount.hpp"

namespace cardd::e2e {
namespace {

constexpr std::uintmax_t database_disk_bytes = 8u << 20;
// Each card command of the slowed encoder: a top-up's write takes a dozen
// after its intent, so the intent stays open for about two seconds, time
// enough to break the database.
constexpr int slow_command_ms = 150;

std::size_t occurrences(const std::string& text, const std::string& word) {
    std::size_t count = 0;
    for (auto at = text.find(word); at != std::string::npos; at = text.find(word, at + word.size())) ++count;
    return count;
}

class StoreFaults : public E2e {
protected:
    void before_first_start() override {
        if (on_mariadb()) return;
        // The database on a disk of its own: the data directory, where the
        // simulated encoder keeps its cards, stays writable, as a physical
        // card does not care for the host's disk.
        database_disk_.emplace(dir_.path() / "database", database_disk_bytes);
        sqlite_file_ = database_disk_->dir() / "cardd.sqlite";
    }

    void TearDown() override {
        // Back first, whatever failed, so the fixture can drop its database.
        mend_database();
        E2e::TearDown();
    }

    bool on_mariadb() const { return GetParam() == Backend::mariadb; }

    /// mariadbd killed (nothing flushed), or the database's disk full.
    void break_database() {
        if (on_mariadb())
            mariadb_server().kill();
        else
            database_disk_->fill();
        broken_ = true;
    }

    /// mariadbd started again on the same data directory, or room made.
    void mend_database() {
        if (!broken_) return;
        broken_ = false;
        if (on_mariadb())
            mariadb_server().start();
        else
            database_disk_->free_space();
    }

    /// A request refused because the database is away: result 1, saying why and what happens next.
    void expect_refused(const CtlRun& run, const std::string& what) {
        EXPECT_NE(run.exit_code, 0) << what << " succeeded\n" << run.describe();
        ASSERT_TRUE(run.answer.is_object()) << what << "\n" << run.describe();
        EXPECT_EQ(run.answer.value("result", -1), 1) << what << "\n" << run.describe();
        const std::string text = run.answer.value("text", std::string());
        if (on_mariadb()) {
            EXPECT_NE(text.find("is unreachable"), std::string::npos) << what << ": " << text;
            EXPECT_NE(text.find("cardd reconnects by itself"), std::string::npos) << what << ": " << text;
        } else {
            EXPECT_NE(text.find("is full"), std::string::npos) << what << ": " << text;
        }
    }

    void slow_encoder(int ms) {
        const json answer = ask({{"command", "encoder-sim-slow"}, {"arguments", {{"ms", ms}}}});
        ASSERT_EQ(answer.value("result", -1), 0) << answer.dump();
    }

    std::int64_t ledger_sum(const json& info) {
        std::int64_t sum = 0;
        for (const json& line : info.at("ledger")) sum += line.at("amount").get<std::int64_t>();
        return sum;
    }

    std::optional<cardd::test::TmpfsMount> database_disk_;
    bool broken_ = false;
};

// A top-up whose card is written while the database goes away: the intent
// was committed, the card takes the write, the apply fails and the answer
// says the write stays pending. Once the database is back, the same cardd
// lists it, a read of the card settles it, and card and store agree.
TEST_P(StoreFaults, aCardWriteTheDatabaseLosesStaysPendingUntilTheCardIsRead) {
    issue("E001", 1001, 3000);
    const std::string uid = ctl_ok({"card", "info", "1001"}).at("card").at("uid");
    const pid_t pid = cardd().pid();
    slow_encoder(slow_command_ms);

    const std::size_t opened_before = occurrences(cardd_log(), "CARDD_CARD_INTENT_OPENED");
    auto topup = std::async(std::launch::async, [this] {
        return cardctl({"card", "topup", "1001", "5", "--wait", "5"});
    });
    const bool opened =
        eventually([&] { return occurrences(cardd_log(), "CARDD_CARD_INTENT_OPENED") > opened_before; }, 30s);
    if (opened) break_database();
    const CtlRun run = topup.get();
    ASSERT_TRUE(opened) << "the top-up opened no intent\n" << run.describe();
    expect_refused(run, "the top-up whose apply failed");
    const std::string why = run.answer.value("text", std::string());
    EXPECT_NE(why.find("was written"), std::string::npos) << why;
    EXPECT_NE(why.find("stays pending"), std::string::npos) << why;

    // While it is away, a request fails saying so.
    expect_refused(cardctl({"person", "add", "E002", "--name", "Person E002"}), "person add");
    if (on_mariadb()) expect_refused(cardctl({"card", "info", "1001"}), "card info");

    mend_database();
    const json pending = ctl_ok({"pending"}).at("pending");
    ASSERT_EQ(pending.size(), 1u) << pending.dump();
    EXPECT_EQ(pending[0].at("kind"), "topup");
    EXPECT_EQ(pending[0].at("card_no"), 1001);
    EXPECT_EQ(pending[0].at("amount"), 500);
    EXPECT_EQ(pending[0].at("balance_after"), 3500);

    slow_encoder(0);
    ctl_ok({"encoder", "sim-place", "--uid", uid});
    const json read = read_card();
    EXPECT_EQ(read.at("on_card").at("balance"), 3500) << read.dump();
    EXPECT_EQ(read.at("differences"), json::array()) << read.dump();
    const json info = ctl_ok({"card", "info", "1001"});
    EXPECT_EQ(info.at("card").at("balance"), 3500);
    EXPECT_EQ(ledger_sum(info), 3500);
    EXPECT_TRUE(info.at("pending").is_null()) << info.dump();
    EXPECT_EQ(ctl_ok({"pending"}).at("pending"), json::array());
    EXPECT_EQ(ctl_ok({"person", "list"}).at("people").size(), 1u) << "a refused person add was kept";

    const std::string log = cardd_log();
    EXPECT_NE(log.find("outcome=applied card=whole"), std::string::npos) << "the read did not settle the write";
    if (on_mariadb()) {
        EXPECT_EQ(occurrences(log, "CARDD_STORE_UNREACHABLE"), 1u) << "the outage is logged once";
        EXPECT_EQ(occurrences(log, "CARDD_STORE_RECONNECTED"), 1u);
    }
    EXPECT_EQ(cardd().pid(), pid) << "cardd was restarted";
}

// Requests while the database is away, of each kind (a person, a loss, an
// unlock, a top-up through the journal, a terminal), all fail saying why;
// once it is back, the store is exactly as it was and the next write works.
TEST_P(StoreFaults, requestsWhileTheDatabaseIsAwayFailSayingSoAndChangeNothing) {
    seed_store();
    const json before = snapshot({1001, 1002});
    const pid_t pid = cardd().pid();
    place(1001);

    break_database();
    expect_refused(cardctl({"person", "add", "E003", "--name", "Person E003"}), "person add");
    expect_refused(cardctl({"card", "loss", "1001"}), "card loss");
    expect_refused(cardctl({"card", "unlock", "1002"}), "card unlock");
    expect_refused(cardctl({"card", "topup", "1001", "5", "--wait", "2"}), "card topup");
    expect_refused(cardctl({"device", "add-terminal", "tcp-2", "--tcp", "127.0.0.1:1"}), "device add-terminal");
    if (on_mariadb()) {
        expect_refused(cardctl({"person", "list"}), "person list");
        expect_refused(cardctl({"pending"}), "pending");
    }

    mend_database();
    EXPECT_EQ(snapshot({1001, 1002}), before);
    EXPECT_EQ(read_card().at("on_card").at("balance"), 5000) << "the card was written";
    EXPECT_EQ(ctl_ok({"card", "topup", "1001", "5"}).at("card").at("balance"), 5500);
    EXPECT_EQ(cardd().pid(), pid) << "cardd was restarted";
}

// A loss pushed to a terminal that is down waits in the retry queue; the
// database goes away and comes back while cardd keeps retrying; the queue
// still holds the terminal and what it misses, and once the terminal is
// reachable it is brought level.
TEST_P(StoreFaults, theRetryQueueKeepsItsContentAcrossTheOutageAndBringsTheTerminalLevel) {
    Sim& terminal = tcp_sim("a");
    add_tcp_terminal("tcp-1", terminal);
    issue("E001", 1001, 1000);
    const pid_t pid = cardd().pid();
    terminal.kill();
    cardctl({"card", "loss", "1001", "--push", "--devices", "all"});
    const json queued = ctl_ok({"failed"}).at("failed");
    ASSERT_EQ(queued.size(), 1u) << queued.dump();
    EXPECT_EQ(queued[0].at("device"), "tcp-1");
    EXPECT_EQ(queued[0].at("missing_cards"), json::array({1001}));

    break_database();
    if (on_mariadb()) expect_refused(cardctl({"failed"}), "failed");
    // Retries fall due every second or two (retry_cap_s 2): some meet the outage.
    std::this_thread::sleep_for(3s);
    mend_database();

    const json kept = ctl_ok({"failed"}).at("failed");
    ASSERT_EQ(kept.size(), 1u) << kept.dump();
    EXPECT_EQ(kept[0].at("device"), "tcp-1");
    EXPECT_EQ(kept[0].at("missing_cards"), json::array({1001}));

    terminal.start();
    EXPECT_TRUE(eventually([&] { return ctl_ok({"failed"}).at("failed").empty(); }, 20s)) << ctl_ok({"failed"}).dump();
    expect_enforces(terminal, 0, "tcp-1", {1001});
    EXPECT_EQ(cardd().pid(), pid) << "cardd was restarted";
}

}  // namespace

CARDD_E2E_BACKENDS(StoreFaults);

}  // namespace cardd::e2e
