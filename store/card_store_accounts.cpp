// The staff console's accounts: their names, roles, password hashes and
// lockout (docs/accounts.md). The daemon hashes and checks passwords; the
// store keeps the encoded hash and settles each login in one transaction, so
// two logins at once cannot both slip under the lockout.

#include "store/card_store.hpp"
#include "store/card_store_internal.hpp"

namespace cardd::store {

using namespace detail;

namespace {

constexpr std::size_t max_name_bytes = 64;

bool name_char(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
}

// A name goes on command lines, in log lines and in the console's pages: the
// narrow set keeps it from passing for a flag, a field or markup anywhere.
Result<void> validate_account_name(std::string_view name) {
    if (name.empty() || name.size() > max_name_bytes) {
        return fail(Errc::invalid_argument, "an account name is 1 to 64 characters");
    }
    for (char c : name) {
        if (!name_char(c)) {
            return fail(Errc::invalid_argument,
                        "an account name may hold only letters A-Z and a-z, digits, '.', "
                        "'_' and '-': '" +
                            std::string(name) + "' does not");
        }
    }
    if (!((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z') ||
          (name[0] >= '0' && name[0] <= '9'))) {
        return fail(Errc::invalid_argument, "an account name starts with a letter or a digit");
    }
    return {};
}

// A bug that handed the store a password instead of its hash is refused here,
// never written.
Result<void> validate_hash(std::string_view hash) {
    if (!hash.starts_with("$argon2id$") || hash.size() > 255) {
        return fail(Errc::invalid_argument, "store: a password hash must be Argon2id's encoded string");
    }
    return {};
}

constexpr std::string_view account_columns =
    "id, name, role, password_hash, disabled, failed_logins, locked_until, created_at, password_changed_at, "
    "last_login_at ";

Account account_from_row(const Row& row) {
    Account account;
    account.id = as_int(row[0]);
    account.name = as_text(row[1]);
    const auto role = account_role_from(as_text(row[2]));
    if (!role) throw std::runtime_error("store: unknown account role '" + as_text(row[2]) + "' in the database");
    account.role = *role;
    account.password_hash = as_text(row[3]);
    account.disabled = as_int(row[4]) != 0;
    account.failed_logins = as_int(row[5]);
    account.locked_until = as_opt_int(row[6]);
    account.created_at = as_int(row[7]);
    account.password_changed_at = as_int(row[8]);
    account.last_login_at = as_opt_int(row[9]);
    return account;
}

}  // namespace

std::string_view to_string(AccountRole role) noexcept {
    switch (role) {
        case AccountRole::viewer: return "viewer";
        case AccountRole::issuer: return "issuer";
        case AccountRole::admin: return "admin";
    }
    return "?";
}

std::optional<AccountRole> account_role_from(std::string_view text) noexcept {
    for (AccountRole role : {AccountRole::viewer, AccountRole::issuer, AccountRole::admin}) {
        if (to_string(role) == text) return role;
    }
    return std::nullopt;
}

Result<Account> CardStore::account(std::string_view name) {
    CARDD_TRY(row, query_one(*db_, "SELECT " + std::string(account_columns) + "FROM accounts WHERE name = ?",
                             {std::string(name)}));
    if (!row) return fail(Errc::not_found, "no account named '" + std::string(name) + "'");
    return account_from_row(*row);
}

Result<std::vector<Account>> CardStore::accounts() {
    CARDD_TRY(rows, query(*db_, "SELECT " + std::string(account_columns) + "FROM accounts ORDER BY name"));
    std::vector<Account> accounts;
    accounts.reserve(rows.size());
    for (const Row& row : rows) accounts.push_back(account_from_row(row));
    return accounts;
}

Result<Account> CardStore::add_account(const Actor& actor, const AccountInput& input) {
    CARDD_TRY_VOID(validate_account_name(input.name));
    CARDD_TRY_VOID(validate_hash(input.password_hash));
    return transaction([&]() -> Result<Account> {
        // "Alice" and "alice" would be two people to the store and one to
        // anyone reading a log, so a name is taken whatever its case.
        CARDD_TRY(
            taken,
            query_one(*db_, "SELECT name FROM accounts WHERE LOWER(name) = LOWER(?)" + std::string(for_update(*db_)),
                      {input.name}));
        if (taken) return fail(Errc::conflict, "an account named '" + as_text((*taken)[0]) + "' already exists");
        const UnixTime now = clock_();
        CARDD_TRY_VOID(execute(*db_,
                               "INSERT INTO accounts (name, role, password_hash, disabled, failed_logins, created_at, "
                               "password_changed_at) VALUES (?, ?, ?, 0, 0, ?, ?)",
                               {input.name, std::string(to_string(input.role)), input.password_hash, now, now}));
        CARDD_TRY_VOID(
            audit(actor, "account.add", "name=" + input.name + " role=" + std::string(to_string(input.role))));
        return account(input.name);
    });
}

Result<Account> CardStore::set_account_password(const Actor& actor, std::string_view name,
                                                std::string_view password_hash) {
    CARDD_TRY_VOID(validate_hash(password_hash));
    return transaction([&]() -> Result<Account> {
        CARDD_TRY(changed, execute(*db_,
                                   "UPDATE accounts SET password_hash = ?, password_changed_at = ?, failed_logins = 0, "
                                   "locked_until = NULL WHERE name = ?",
                                   {std::string(password_hash), clock_(), std::string(name)}));
        if (changed == 0) return fail(Errc::not_found, "no account named '" + std::string(name) + "'");
        CARDD_TRY_VOID(audit(actor, "account.passwd", "name=" + std::string(name)));
        return account(name);
    });
}

Result<Account> CardStore::set_account_disabled(const Actor& actor, std::string_view name, bool disabled) {
    return transaction([&]() -> Result<Account> {
        CARDD_TRY(changed, execute(*db_, "UPDATE accounts SET disabled = ? WHERE name = ?",
                                   {std::int64_t{disabled}, std::string(name)}));
        if (changed == 0) return fail(Errc::not_found, "no account named '" + std::string(name) + "'");
        CARDD_TRY_VOID(audit(actor, disabled ? "account.disable" : "account.enable", "name=" + std::string(name)));
        return account(name);
    });
}

Result<void> CardStore::remove_account(const Actor& actor, std::string_view name) {
    return transaction([&]() -> Result<void> {
        CARDD_TRY(removed, execute(*db_, "DELETE FROM accounts WHERE name = ?", {std::string(name)}));
        if (removed == 0) return fail(Errc::not_found, "no account named '" + std::string(name) + "'");
        return audit(actor, "account.remove", "name=" + std::string(name));
    });
}

Result<LoginOutcome> CardStore::settle_login(const Actor& actor, std::string_view name, std::string_view checked_hash,
                                             bool right, const LockoutPolicy& policy) {
    return transaction([&]() -> Result<LoginOutcome> {
        CARDD_TRY(
            row, query_one(*db_,
                           "SELECT " + std::string(account_columns) + "FROM accounts WHERE name = ?" + for_update(*db_),
                           {std::string(name)}));
        if (!row) return fail(Errc::not_found, "no account named '" + std::string(name) + "'");
        LoginOutcome outcome;
        outcome.account = account_from_row(*row);
        Account& account = outcome.account;
        const UnixTime now = clock_();
        // Checked again here, not only before the hash: logins that passed
        // that check together must not get past a lock one of them set.
        if (account.locked_at(now)) {
            outcome.result = LoginOutcome::Result::locked;
            return outcome;
        }
        if (account.password_hash != checked_hash) {
            outcome.result = LoginOutcome::Result::wrong_password;
            return outcome;
        }
        if (!right) {
            // The count stays past the lock: after it ends, one more wrong
            // password locks the account again at once.
            ++account.failed_logins;
            outcome.result = LoginOutcome::Result::wrong_password;
            if (account.failed_logins >= policy.failures) {
                account.locked_until = now + policy.lock_s;
                outcome.locked_now = true;
            }
            CARDD_TRY_VOID(execute(
                *db_, "UPDATE accounts SET failed_logins = ?, locked_until = ? WHERE id = ?",
                {account.failed_logins, account.locked_until ? Value{*account.locked_until} : Value{}, account.id}));
            if (outcome.locked_now) {
                CARDD_TRY_VOID(audit(actor, "account.locked",
                                     "name=" + account.name +
                                         " failed_logins=" + std::to_string(account.failed_logins) +
                                         " locked_until=" + std::to_string(*account.locked_until)));
            }
            return outcome;
        }
        if (account.disabled) {
            outcome.result = LoginOutcome::Result::disabled;
            return outcome;
        }
        account.failed_logins = 0;
        account.locked_until.reset();
        account.last_login_at = now;
        CARDD_TRY_VOID(
            execute(*db_, "UPDATE accounts SET failed_logins = 0, locked_until = NULL, last_login_at = ? WHERE id = ?",
                    {now, account.id}));
        CARDD_TRY_VOID(audit(Actor{actor.uid, account.name}, "account.login", "name=" + account.name));
        outcome.result = LoginOutcome::Result::ok;
        return outcome;
    });
}

}  // namespace cardd::store
