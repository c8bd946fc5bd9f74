// cardctl backup against a real cardd: a copy taken while another client
// keeps topping up is a store whose every balance is its ledger sum and
// whose invariants hold, in a file of mode 0600; an existing file, a
// relative path and a missing directory are refused with a clear message; a
// viewer and an issuer are refused; on MariaDB the answer is "not supported"
// and names the tools that back MariaDB up.

#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "store/card_store.hpp"
#include "store/sqlite_connection.hpp"
#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

using cardd::test::Credentials;

class Backup : public E2e {
protected:
    void SetUp() override {
        E2e::SetUp();
        seed_store();  // 1001 with 50.00, 1002 lost and pushed
        place(1001);
        ctl_ok({"card", "topup", "1001", "12.50"});
    }

    /// The backup opened read only as a store.
    static std::unique_ptr<store::CardStore> open_copy(const std::filesystem::path& path) {
        auto connection = store::open_sqlite_read_only(path);
        if (!connection) throw std::runtime_error(connection.error().message);
        auto opened = store::CardStore::open(std::move(*connection));
        if (!opened) throw std::runtime_error(opened.error().message);
        return std::move(*opened);
    }

    /// cardctl that must be refused with `result`, its message holding `words`.
    void expect_refused(const std::vector<std::string>& args, int result, const std::string& words,
                        std::optional<Credentials> who = std::nullopt) {
        const CtlRun run = cardctl(args, who);
        EXPECT_EQ(run.exit_code, 1) << run.describe();
        ASSERT_TRUE(run.answer.is_object()) << run.describe();
        EXPECT_EQ(run.answer.at("result"), result) << run.describe();
        EXPECT_NE(run.answer.value("text", "").find(words), std::string::npos) << run.describe();
    }
};
CARDD_E2E_BACKENDS(Backup);

// The copy, taken while top-ups go on, is a consistent store: every balance
// is its ledger sum, the invariants hold, the file is 0600.
TEST_P(Backup, aBackupDuringTopUpsIsAConsistentStore) {
    if (GetParam() == Backend::mariadb) {
        expect_refused({"backup", (dir_.path() / "copy.sqlite").string()}, 2, "mariadb-dump");
        EXPECT_FALSE(std::filesystem::exists(dir_.path() / "copy.sqlite"));
        return;
    }
    std::atomic<bool> stop{false};
    std::atomic<int> done{0};
    std::atomic<int> failed{0};
    std::thread topping([&] {
        while (!stop) {
            const json answer = ask({{"command", "card-topup"}, {"arguments", {{"card_no", 1001}, {"amount", 100}}}});
            (answer.at("result") == 0 ? done : failed)++;
        }
    });
    ASSERT_TRUE(eventually([&] { return done >= 3; }, 30s)) << "no top-up went through";
    const std::filesystem::path copy = dir_.path() / "copy.sqlite";
    const CtlRun backup = cardctl({"backup", copy.string()});
    const int done_after_backup_began = done;
    ASSERT_TRUE(eventually([&] { return done >= done_after_backup_began + 3; }, 30s));
    stop = true;
    topping.join();
    EXPECT_EQ(failed, 0);
    ASSERT_EQ(backup.exit_code, 0) << backup.describe();
    const json& answer = backup.answer.at("arguments");
    EXPECT_EQ(answer.at("path"), copy.string());
    EXPECT_EQ(answer.at("size"), std::filesystem::file_size(copy));
    EXPECT_GT(answer.at("pages").get<int>(), 0);
    EXPECT_EQ(answer.at("schema_version"), ctl_ok({"status"}).at("schema_version"));
    EXPECT_EQ(answer.at("integrity"), "ok");
    EXPECT_EQ(answer.at("invariants"), json::array());
    EXPECT_EQ(answer.at("verified"), true);

    struct stat info {};
    ASSERT_EQ(::stat(copy.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 07777, 0600u);

    auto copied = open_copy(copy);
    auto violations = copied->check_invariants();
    ASSERT_TRUE(violations.has_value()) << violations.error().message;
    EXPECT_EQ(*violations, std::vector<std::string>{});
    auto cards = copied->cards();
    ASSERT_TRUE(cards.has_value()) << cards.error().message;
    ASSERT_EQ(cards->size(), 2u);
    for (const store::Card& card : *cards) {
        auto ledger = copied->ledger(card.card_no);
        ASSERT_TRUE(ledger.has_value());
        store::Cents sum = 0;
        for (const store::LedgerEntry& entry : *ledger) sum += entry.amount;
        EXPECT_EQ(card.balance, sum) << card.card_no;
    }
    // 1001 holds 62.50 and some of the 1.00 top-ups: fewer than the live store holds now.
    auto in_copy = copied->balance(1001);
    ASSERT_TRUE(in_copy.has_value());
    EXPECT_EQ((*in_copy - 6250) % 100, 0);
    EXPECT_GE(*in_copy, 6250 + 300);
    EXPECT_LT(*in_copy, ctl_ok({"card", "info", "1001"}).at("card").at("balance").get<std::int64_t>());
    EXPECT_EQ(copied->card(1002).value().state, store::CardState::lost);
    EXPECT_NE(cardd_log().find("CARDD_STORE_BACKUP"), std::string::npos);
}

// An existing file is refused and left as it was; a relative path and a
// missing directory are refused, each saying why. (On MariaDB a relative
// path is refused the same, and the rest as not supported.)
TEST_P(Backup, aBadTargetIsRefused) {
    const bool mariadb = GetParam() == Backend::mariadb;
    const std::filesystem::path existing = dir_.path() / "existing.sqlite";
    std::ofstream(existing) << "an older backup";
    expect_refused({"backup", existing.string()}, mariadb ? 2 : 4, mariadb ? "mariadb-dump" : "already exists");
    std::ifstream kept(existing);
    std::string text;
    std::getline(kept, text);
    EXPECT_EQ(text, "an older backup");

    expect_refused({"backup", "relative.sqlite"}, 6, "absolute path");
    expect_refused({"backup", (dir_.path() / "no-such-dir" / "copy.sqlite").string()}, mariadb ? 2 : 3,
                   mariadb ? "mariadb-dump" : "does not exist");
    EXPECT_FALSE(std::filesystem::exists(dir_.path() / "no-such-dir"));
}

// Only an administrator takes a backup: a viewer and an issuer are refused, and no file is made.
TEST_P(Backup, aViewerOrIssuerIsRefused) {
    const std::filesystem::path copy = dir_.path() / "copy.sqlite";
    for (const Credentials& who : {Credentials{54321, group_id("nogroup"), {group_id("users")}},
                                   Credentials{54322, group_id("daemon"), {group_id("users")}}}) {
        const CtlRun run = cardctl({"backup", copy.string()}, who);
        EXPECT_EQ(run.exit_code, 1) << run.describe();
        ASSERT_TRUE(run.answer.is_object()) << run.describe();
        EXPECT_EQ(run.answer.at("result"), 5) << run.describe();
        EXPECT_FALSE(std::filesystem::exists(copy));
    }
}

}  // namespace
}  // namespace cardd::e2e
