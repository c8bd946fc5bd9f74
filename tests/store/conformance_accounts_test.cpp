// The staff console's accounts, on both backends: names and hashes refused
// before anything is written, a name taken whatever its case, the lockout
// settled in the store (counted, enforced with the right password, cleared
// by a success or a new password), and the account and via of every audit
// line, through a card write's journal too.

#include "tests/store/store_fixture.hpp"

namespace cardd::test {
namespace {

using store::Account;
using store::AccountRole;
using store::Actor;
using store::Errc;
using store::LockoutPolicy;
using Outcome = store::LoginOutcome::Result;

const std::string hash_a = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdGFzYWx0YXNhbHQ$aGFzaGFoYXNoYWhhc2hhaGFzaGE";
const std::string hash_b = "$argon2id$v=19$m=65536,t=3,p=4$c2FsdGJzYWx0YnNhbHQ$aGFzaGJoYXNoYmhhc2hiaGFzaGI";

class Accounts : public StoreTest {
protected:
    const Actor root{0};
    const Actor console{54330};
    const LockoutPolicy policy{5, 900};

    Account add(const std::string& name, AccountRole role = AccountRole::issuer) {
        return must(store->add_account(root, {name, role, hash_a}));
    }
    Outcome login(const std::string& name, bool right, const std::string& hash = hash_a) {
        return must(store->settle_login(console, name, hash, right, policy)).result;
    }
};
INSTANTIATE_FOR_BOTH_BACKENDS(Accounts);

// An account is kept as given, listed by name, and never with another hash than its own.
TEST_P(Accounts, anAccountIsKeptAsGiven) {
    add("zoe", AccountRole::viewer);
    const Account added = add("Ada.Lovelace-2", AccountRole::admin);
    EXPECT_EQ(added.name, "Ada.Lovelace-2");
    EXPECT_EQ(added.role, AccountRole::admin);
    EXPECT_EQ(added.password_hash, hash_a);
    EXPECT_FALSE(added.disabled);
    EXPECT_EQ(added.failed_logins, 0);
    EXPECT_FALSE(added.locked_until.has_value());
    EXPECT_EQ(added.created_at, now);
    EXPECT_EQ(added.password_changed_at, now);
    EXPECT_FALSE(added.last_login_at.has_value());
    const auto all = must(store->accounts());
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].name, "Ada.Lovelace-2");
    EXPECT_EQ(all[1].name, "zoe");
    EXPECT_EQ(all[1].role, AccountRole::viewer);
    EXPECT_EQ(must(store->check_invariants()), std::vector<std::string>{});
}

// Bad names, a hash that is not Argon2id's, a name taken in any case: refused, nothing changed.
TEST_P(Accounts, badAccountsAreRefusedAndChangeNothing) {
    add("alice");
    const std::string before = snapshot();
    const auto refused = [&](const std::string& name, const std::string& hash, Errc code) {
        auto result = store->add_account(root, {name, AccountRole::viewer, hash});
        ASSERT_FALSE(result.has_value()) << name;
        EXPECT_EQ(result.error().code, code) << name << ": " << result.error().message;
        EXPECT_FALSE(result.error().message.empty());
    };
    refused("", hash_a, Errc::invalid_argument);
    refused(std::string(65, 'a'), hash_a, Errc::invalid_argument);
    for (const char* name : {"bob smith", "bob;drop", "bob\n", "-bob", ".bob", "bób", "bob=1", "b\"ob"}) {
        refused(name, hash_a, Errc::invalid_argument);
    }
    refused("bob", "correct horse battery", Errc::invalid_argument);
    refused("bob", "$argon2i$v=19$m=65536,t=3,p=4$c2FsdA$aGFzaA", Errc::invalid_argument);
    refused("alice", hash_a, Errc::conflict);
    refused("ALICE", hash_a, Errc::conflict);
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(must(store->add_account(root, {std::string(64, 'a'), AccountRole::viewer, hash_a})).name.size(), 64u);
}

// Five wrong passwords in a row lock the account; locked, even the right one is refused, and nothing is counted.
TEST_P(Accounts, wrongPasswordsLockTheAccount) {
    add("bob");
    for (int i = 1; i <= 4; ++i) {
        const auto outcome = must(store->settle_login(console, "bob", hash_a, false, policy));
        EXPECT_EQ(outcome.result, Outcome::wrong_password);
        EXPECT_EQ(outcome.account.failed_logins, i);
        EXPECT_FALSE(outcome.locked_now);
    }
    const auto fifth = must(store->settle_login(console, "bob", hash_a, false, policy));
    EXPECT_EQ(fifth.result, Outcome::wrong_password);
    EXPECT_TRUE(fifth.locked_now);
    EXPECT_EQ(fifth.account.locked_until, now + 900);

    const std::string locked = snapshot();
    const auto right = must(store->settle_login(console, "bob", hash_a, true, policy));
    EXPECT_EQ(right.result, Outcome::locked);
    EXPECT_EQ(right.account.locked_until, now + 900);
    EXPECT_EQ(login("bob", false), Outcome::locked);
    EXPECT_EQ(snapshot(), locked);

    // Once the lock is over the right password works and clears the count;
    // had it been wrong again, the account would lock again at once.
    now += 901;
    const auto after = must(store->settle_login(console, "bob", hash_a, true, policy));
    EXPECT_EQ(after.result, Outcome::ok);
    EXPECT_EQ(after.account.failed_logins, 0);
    EXPECT_FALSE(after.account.locked_until.has_value());
    EXPECT_EQ(after.account.last_login_at, now);
    EXPECT_EQ(must(store->account("bob")).last_login_at, now);
}

// After a lock has run out, the count still stands: one more wrong password locks the account again.
TEST_P(Accounts, aWrongPasswordAfterTheLockLocksAgain) {
    add("bob");
    for (int i = 0; i < 5; ++i) login("bob", false);
    now += 901;
    const auto again = must(store->settle_login(console, "bob", hash_a, false, policy));
    EXPECT_TRUE(again.locked_now);
    EXPECT_EQ(again.account.failed_logins, 6);
    EXPECT_EQ(again.account.locked_until, now + 900);
}

// A success resets the count, so only failures in a row lock.
TEST_P(Accounts, aSuccessResetsTheCount) {
    add("bob");
    for (int i = 0; i < 4; ++i) login("bob", false);
    EXPECT_EQ(login("bob", true), Outcome::ok);
    for (int i = 0; i < 4; ++i) EXPECT_EQ(login("bob", false), Outcome::wrong_password);
    EXPECT_FALSE(must(store->account("bob")).locked_until.has_value());
}

// A new password unlocks the account and clears its count.
TEST_P(Accounts, aNewPasswordUnlocks) {
    add("bob");
    for (int i = 0; i < 5; ++i) login("bob", false);
    now += 10;
    const Account changed = must(store->set_account_password(root, "bob", hash_b));
    EXPECT_EQ(changed.password_hash, hash_b);
    EXPECT_EQ(changed.failed_logins, 0);
    EXPECT_FALSE(changed.locked_until.has_value());
    EXPECT_EQ(changed.password_changed_at, now);
    EXPECT_EQ(login("bob", true, hash_b), Outcome::ok);
}

// A password checked against the old hash, changed meanwhile, is not a login and is not counted.
TEST_P(Accounts, aHashChangedDuringTheCheckIsNoLogin) {
    add("bob");
    must(store->set_account_password(root, "bob", hash_b));
    EXPECT_EQ(login("bob", true, hash_a), Outcome::wrong_password);
    EXPECT_EQ(login("bob", false, hash_a), Outcome::wrong_password);
    EXPECT_EQ(must(store->account("bob")).failed_logins, 0);
}

// A disabled account is refused with the right password; enabled again, it logs in.
TEST_P(Accounts, aDisabledAccountCannotLogIn) {
    add("bob");
    EXPECT_TRUE(must(store->set_account_disabled(root, "bob", true)).disabled);
    EXPECT_EQ(login("bob", true), Outcome::disabled);
    EXPECT_EQ(login("bob", false), Outcome::wrong_password);
    EXPECT_FALSE(must(store->set_account_disabled(root, "bob", false)).disabled);
    EXPECT_EQ(login("bob", true), Outcome::ok);
}

// An account that is not there: every change says so and changes nothing.
TEST_P(Accounts, unknownAccountsAreNotFound) {
    add("bob");
    const std::string before = snapshot();
    EXPECT_EQ(store->account("eve").error().code, Errc::not_found);
    EXPECT_EQ(store->set_account_password(root, "eve", hash_b).error().code, Errc::not_found);
    EXPECT_EQ(store->set_account_disabled(root, "eve", true).error().code, Errc::not_found);
    EXPECT_EQ(store->remove_account(root, "eve").error().code, Errc::not_found);
    EXPECT_EQ(store->settle_login(console, "eve", hash_a, true, policy).error().code, Errc::not_found);
    EXPECT_EQ(store->set_account_password(root, "bob", "plain").error().code, Errc::invalid_argument);
    EXPECT_EQ(snapshot(), before);
    must(store->remove_account(root, "bob"));
    EXPECT_EQ(store->account("bob").error().code, Errc::not_found);
    EXPECT_TRUE(must(store->accounts()).empty());
}

// Every change is audited with who made it: a uid on the socket, or the console's uid and its account.
TEST_P(Accounts, theAuditLogNamesTheAccountAndTheWay) {
    add("ops", AccountRole::admin);
    EXPECT_EQ(login("ops", true), Outcome::ok);
    const Actor ops{54330, "ops"};
    add_person("E1");
    must(store->add_person(ops, {"E2", "Through the console", "Office"}));
    must(store->set_account_disabled(ops, "ops", true));
    for (int i = 0; i < 5; ++i) login("ops", false);
    const auto log = must(store->audit_log(10));
    ASSERT_GE(log.size(), 6u);
    // Newest first: the lock, the disable, the person through the console, the clerk's person, the login, the add.
    EXPECT_EQ(log[0].action, "account.locked");
    EXPECT_EQ(log[0].via, "socket");
    EXPECT_EQ(log[1].action, "account.disable");
    EXPECT_EQ(log[1].account, "ops");
    EXPECT_EQ(log[1].via, "console");
    EXPECT_EQ(log[1].uid, 54330);
    EXPECT_EQ(log[2].action, "person.add");
    EXPECT_EQ(log[2].account, "ops");
    EXPECT_EQ(log[2].via, "console");
    EXPECT_EQ(log[3].action, "person.add");
    EXPECT_EQ(log[3].account, std::nullopt);
    EXPECT_EQ(log[3].via, "socket");
    EXPECT_EQ(log[3].uid, 1000);
    EXPECT_EQ(log[4].action, "account.login");
    EXPECT_EQ(log[4].account, "ops");
    EXPECT_EQ(log[4].via, "console");
    EXPECT_EQ(log[5].action, "account.add");
    EXPECT_EQ(log[5].via, "socket");
    EXPECT_EQ(log[5].uid, 0);
    EXPECT_EQ(must(store->check_invariants()), std::vector<std::string>{});
}

// A card write asked for through the console keeps its account in the journal, for the audit line of its apply.
TEST_P(Accounts, aCardWriteKeepsItsAccount) {
    add_person("E1");
    issue("E1", 1001, 1000);
    must(store->set_card_uid(clerk, 1001, "0A0B0C01"));
    store::WriteIntent topup;
    topup.kind = store::WriteKind::topup;
    topup.card_no = 1001;
    topup.actor = Actor{54330, "desk.1"};
    topup.uid = "0A0B0C01";
    topup.amount = 500;
    topup.before = store::CardContent{"card", "aa", 1000, 1};
    const auto opened = must(store->open_write(topup, [](const store::WriteIntent&) {
        return store::CardContent{"card", "bb", 1500, 2};
    }));
    auto other = reopen();
    EXPECT_EQ(must(other->write_intent(opened.id)).actor.account, "desk.1");
    must(other->apply_write(opened.id, "written"));
    const auto log = must(other->audit_log(1));
    ASSERT_EQ(log.size(), 1u);
    EXPECT_EQ(log[0].action, "card.topup");
    EXPECT_EQ(log[0].account, "desk.1");
    EXPECT_EQ(log[0].via, "console");
    EXPECT_EQ(log[0].uid, 54330);
}

// The audit log read by account, uid, action (a whole name or a kind), and time.
TEST_P(Accounts, theAuditLogIsChosenByAccountActionAndTime) {
    add("ops", AccountRole::admin);
    const Actor ops{54330, "ops"};
    const store::UnixTime first = now;
    must(store->add_person(ops, {"E2", "Through the console", "Office"}));
    now += 100;
    add_person("E1");
    now += 100;
    must(store->set_account_disabled(ops, "ops", true));

    store::AuditQuery by_account;
    by_account.account = "ops";
    auto lines = must(store->audit_log(by_account));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0].action, "account.disable");
    EXPECT_EQ(lines[1].action, "person.add");

    store::AuditQuery kind;
    kind.action = "person.";
    lines = must(store->audit_log(kind));
    ASSERT_EQ(lines.size(), 2u);
    for (const auto& line : lines) EXPECT_EQ(line.action, "person.add");
    kind.action = "person";  // not a kind without the dot, and no such action
    EXPECT_TRUE(must(store->audit_log(kind)).empty());

    store::AuditQuery by_time;
    by_time.from = first + 50;
    by_time.to = first + 150;
    lines = must(store->audit_log(by_time));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].action, "person.add");
    EXPECT_FALSE(lines[0].account);

    store::AuditQuery by_uid;
    by_uid.uid = 54330;
    by_uid.limit = 1;
    lines = must(store->audit_log(by_uid));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0].action, "account.disable");

    // A name with SQL in it is a name: nothing matches, nothing breaks.
    store::AuditQuery hostile;
    hostile.account = "ops' OR '1'='1";
    EXPECT_TRUE(must(store->audit_log(hostile)).empty());
}

}  // namespace
}  // namespace cardd::test
