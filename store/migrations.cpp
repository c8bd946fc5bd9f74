#include "store/migrations.hpp"

#include <algorithm>
#include <ctime>
#include <string>
#include <vector>

namespace cardd::store {
namespace {

// The schema is written once; these tokens are all that differ between the
// dialects. @ID@ is an auto-increment primary key (SQLite needs the exact
// spelling INTEGER PRIMARY KEY for a rowid alias), @TABLE@ the MariaDB table
// options (InnoDB for transactions, utf8mb4 for names, binary collation so
// that staff numbers compare exactly as SQLite compares them).
std::string dialect_sql(std::string sql, Dialect dialect) {
    const auto replace = [&sql](std::string_view token, std::string_view with) {
        for (auto pos = sql.find(token); pos != std::string::npos; pos = sql.find(token, pos + with.size())) {
            sql.replace(pos, token.size(), with);
        }
    };
    const bool sqlite = dialect == Dialect::sqlite;
    replace("@ID@", sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT" : "BIGINT PRIMARY KEY AUTO_INCREMENT");
    replace("@TABLE@", sqlite ? "" : " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
    return sql;
}

struct Migration {
    int version;
    std::vector<std::string_view> statements;
};

// Append only: a released migration is never edited, a change is a new one.
const std::vector<Migration>& migrations() {
    static const std::vector<Migration> list = {
        {1,
         {
             R"(CREATE TABLE card_format (
                  id BIGINT PRIMARY KEY,
                  card_type VARCHAR(64) NOT NULL,
                  format VARCHAR(64) NOT NULL,
                  sector BIGINT NOT NULL,
                  card_no_digits BIGINT NOT NULL,
                  max_card_no BIGINT NOT NULL)@TABLE@)",
             R"(INSERT INTO card_format VALUES (1, 'IC card', 'standard consumption IC card', 1, 6, 500000))",
             R"(CREATE TABLE counters (
                  name VARCHAR(64) PRIMARY KEY,
                  value BIGINT NOT NULL)@TABLE@)",
             R"(INSERT INTO counters VALUES ('blacklist_version', 0))",
             R"(CREATE TABLE people (
                  id @ID@,
                  staff_no VARCHAR(64) NOT NULL UNIQUE,
                  name VARCHAR(255) NOT NULL,
                  department VARCHAR(255) NOT NULL,
                  created_at BIGINT NOT NULL)@TABLE@)",
             // holder is person_id while the card is active or lost and NULL
             // after, so the unique key allows one live card per person.
             R"(CREATE TABLE cards (
                  serial @ID@,
                  card_no BIGINT NOT NULL UNIQUE,
                  person_id BIGINT NOT NULL,
                  holder BIGINT NULL UNIQUE,
                  uid VARCHAR(32) NULL,
                  state VARCHAR(16) NOT NULL,
                  issued_at BIGINT NOT NULL,
                  closed_at BIGINT NULL,
                  replaces BIGINT NULL,
                  replaced_by BIGINT NULL,
                  FOREIGN KEY (person_id) REFERENCES people(id),
                  CHECK (state IN ('active', 'lost', 'replaced', 'returned')))@TABLE@)",
             R"(CREATE TABLE ledger (
                  id @ID@,
                  card_no BIGINT NOT NULL,
                  kind VARCHAR(16) NOT NULL,
                  amount BIGINT NOT NULL,
                  cash BIGINT NOT NULL,
                  at BIGINT NOT NULL,
                  FOREIGN KEY (card_no) REFERENCES cards(card_no))@TABLE@)",
             R"(CREATE INDEX ledger_by_card ON ledger (card_no))",
             R"(CREATE TABLE devices (
                  id @ID@,
                  name VARCHAR(128) NOT NULL UNIQUE,
                  kind VARCHAR(16) NOT NULL,
                  transport VARCHAR(8) NOT NULL,
                  host VARCHAR(255) NULL,
                  port BIGINT NULL,
                  serial_device VARCHAR(255) NULL,
                  baud BIGINT NULL,
                  parity VARCHAR(1) NULL,
                  unit_id BIGINT NULL,
                  usb_vendor BIGINT NULL,
                  usb_product BIGINT NULL,
                  terminal_serial BIGINT NULL,
                  confirmed_version BIGINT NOT NULL DEFAULT 0,
                  planned_version BIGINT NOT NULL DEFAULT 0,
                  records_next_seq BIGINT NOT NULL DEFAULT 0,
                  sync_attempts BIGINT NOT NULL DEFAULT 0,
                  sync_error VARCHAR(1024) NULL,
                  sync_failed_since BIGINT NULL,
                  sync_next_at BIGINT NULL,
                  created_at BIGINT NOT NULL)@TABLE@)",
             R"(CREATE TABLE losses (
                  id @ID@,
                  card_no BIGINT NOT NULL,
                  reported_at BIGINT NOT NULL,
                  reported_by BIGINT NOT NULL,
                  push VARCHAR(8) NOT NULL,
                  unlocked_at BIGINT NULL,
                  unlocked_by BIGINT NULL,
                  unlock_push VARCHAR(8) NULL,
                  FOREIGN KEY (card_no) REFERENCES cards(card_no))@TABLE@)",
             R"(CREATE INDEX losses_by_time ON losses (reported_at))",
             // The terminals named for a loss or its unlock, by name: the
             // record of what was asked stays true after a device is removed.
             R"(CREATE TABLE loss_terminals (
                  loss_id BIGINT NOT NULL,
                  role VARCHAR(8) NOT NULL,
                  terminal_name VARCHAR(128) NOT NULL,
                  PRIMARY KEY (loss_id, role, terminal_name),
                  FOREIGN KEY (loss_id) REFERENCES losses(id))@TABLE@)",
             R"(CREATE TABLE blacklist_all (
                  card_no BIGINT PRIMARY KEY)@TABLE@)",
             R"(CREATE TABLE terminal_blacklist (
                  terminal_id BIGINT NOT NULL,
                  card_no BIGINT NOT NULL,
                  PRIMARY KEY (terminal_id, card_no),
                  FOREIGN KEY (terminal_id) REFERENCES devices(id) ON DELETE CASCADE)@TABLE@)",
             R"(CREATE TABLE blacklist_batches (
                  id @ID@,
                  terminal_id BIGINT NOT NULL,
                  base_version BIGINT NOT NULL,
                  new_version BIGINT NOT NULL,
                  op VARCHAR(8) NOT NULL,
                  cards MEDIUMTEXT NOT NULL,
                  created_at BIGINT NOT NULL,
                  state VARCHAR(12) NOT NULL,
                  UNIQUE (terminal_id, new_version),
                  FOREIGN KEY (terminal_id) REFERENCES devices(id) ON DELETE CASCADE)@TABLE@)",
             R"(CREATE TABLE transactions (
                  terminal_serial BIGINT NOT NULL,
                  seq BIGINT NOT NULL,
                  terminal_id BIGINT NULL,
                  card_no BIGINT NOT NULL,
                  amount BIGINT NOT NULL,
                  balance_after BIGINT NOT NULL,
                  at BIGINT NOT NULL,
                  counter BIGINT NOT NULL,
                  kind BIGINT NOT NULL,
                  collected_at BIGINT NOT NULL,
                  PRIMARY KEY (terminal_serial, seq))@TABLE@)",
             R"(CREATE INDEX transactions_by_card ON transactions (card_no))",
             R"(CREATE TABLE audit_log (
                  id @ID@,
                  at BIGINT NOT NULL,
                  uid BIGINT NOT NULL,
                  action VARCHAR(64) NOT NULL,
                  detail MEDIUMTEXT NOT NULL)@TABLE@)",
         }},
        {2,
         {
             // The journal of card writes: an intent is committed before the
             // card is written and closed in the transaction that applies its
             // store change, so a card write interrupted by a crash is found
             // and resolved from the card (docs/card-writes.md).
             R"(CREATE TABLE card_writes (
                  id @ID@,
                  kind VARCHAR(16) NOT NULL,
                  state VARCHAR(8) NOT NULL,
                  actor BIGINT NOT NULL,
                  uid VARCHAR(32) NOT NULL,
                  card_no BIGINT NOT NULL,
                  old_card_no BIGINT NULL,
                  staff_no VARCHAR(64) NOT NULL,
                  name VARCHAR(255) NOT NULL,
                  department VARCHAR(255) NOT NULL,
                  serial BIGINT NOT NULL,
                  amount BIGINT NOT NULL,
                  opening BIGINT NOT NULL,
                  cost BIGINT NOT NULL,
                  refund BIGINT NOT NULL,
                  write_off BIGINT NOT NULL,
                  before_keys VARCHAR(16) NOT NULL,
                  before_blocks VARCHAR(128) NOT NULL,
                  before_balance BIGINT NULL,
                  before_counter BIGINT NULL,
                  after_keys VARCHAR(16) NOT NULL,
                  after_blocks VARCHAR(128) NOT NULL,
                  after_balance BIGINT NULL,
                  after_counter BIGINT NULL,
                  created_at BIGINT NOT NULL,
                  closed_at BIGINT NULL,
                  resolution MEDIUMTEXT NOT NULL,
                  CHECK (state IN ('open', 'applied', 'dropped')))@TABLE@)",
             R"(CREATE INDEX card_writes_by_state ON card_writes (state))",
             // Serials are reserved when a new card's intent opens, since
             // they are written on the card before the card row exists.
             R"(INSERT INTO counters (name, value) SELECT 'card_serial', COALESCE(MAX(serial), 0) FROM cards)",
             // An administrator's write-off names who decided it.
             R"(ALTER TABLE ledger ADD COLUMN by_uid BIGINT NULL)",
         }},
        {3,
         {
             // When records were last collected from a terminal, whether or
             // not there were any: a terminal with nothing to collect has
             // still been collected (cardctl status, the collection lag metric).
             R"(ALTER TABLE devices ADD COLUMN last_collected_at BIGINT NULL)",
         }},
        {4,
         {
             // The staff console's accounts (docs/accounts.md). cardd keeps
             // them and decides every login; the console holds no password.
             // password_hash is Argon2id's encoded string, parameters and
             // salt included, so a change of parameters needs no new column.
             R"(CREATE TABLE accounts (
                  id @ID@,
                  name VARCHAR(64) NOT NULL UNIQUE,
                  role VARCHAR(8) NOT NULL,
                  password_hash VARCHAR(255) NOT NULL,
                  disabled BIGINT NOT NULL DEFAULT 0,
                  failed_logins BIGINT NOT NULL DEFAULT 0,
                  locked_until BIGINT NULL,
                  created_at BIGINT NOT NULL,
                  password_changed_at BIGINT NOT NULL,
                  last_login_at BIGINT NULL,
                  CHECK (role IN ('admin', 'issuer', 'viewer')),
                  CHECK (disabled IN (0, 1)))@TABLE@)",
             // Who acted through the console: the account beside the uid
             // (the console's own), and the way the request came.
             R"(ALTER TABLE audit_log ADD COLUMN account VARCHAR(64) NULL)",
             R"(ALTER TABLE audit_log ADD COLUMN via VARCHAR(8) NOT NULL DEFAULT 'socket')",
             // A card write is applied later, maybe by another request: its
             // intent keeps the account that asked for it, for the audit line.
             R"(ALTER TABLE card_writes ADD COLUMN actor_account VARCHAR(64) NULL)",
         }},
        {5,
         {
             // Why a card was reported lost: 遗失 (lost), 损坏 (damaged),
             // 到期 (expired) or another reason. Losses reported before
             // there was a reason were losses of the card itself.
             R"(ALTER TABLE losses ADD COLUMN reason VARCHAR(16) NOT NULL DEFAULT 'lost')",
             // People are listed by department for the staff console to pick from.
             R"(CREATE INDEX people_by_department ON people (department))",
         }},
        {6,
         {
             // A terminal's blacklist is the list everywhere with its own
             // exceptions, not a copy of its own: a site with 50,000 lost
             // cards and 1,000 terminals kept 50 million rows. listed = 1: a
             // card this terminal refuses that is not listed everywhere;
             // listed = 0: a card listed everywhere that it does not refuse.
             R"(CREATE TABLE terminal_exceptions (
                  terminal_id BIGINT NOT NULL,
                  card_no BIGINT NOT NULL,
                  listed BIGINT NOT NULL,
                  PRIMARY KEY (terminal_id, card_no),
                  FOREIGN KEY (terminal_id) REFERENCES devices(id) ON DELETE CASCADE,
                  CHECK (listed IN (0, 1)))@TABLE@)",
             R"(CREATE INDEX terminal_exceptions_by_card ON terminal_exceptions (card_no))",
             R"(INSERT INTO terminal_exceptions (terminal_id, card_no, listed)
                  SELECT t.terminal_id, t.card_no, 1 FROM terminal_blacklist t
                  WHERE NOT EXISTS (SELECT 1 FROM blacklist_all a WHERE a.card_no = t.card_no))",
             R"(INSERT INTO terminal_exceptions (terminal_id, card_no, listed)
                  SELECT d.id, a.card_no, 0 FROM devices d, blacklist_all a
                  WHERE d.kind = 'terminal' AND NOT EXISTS
                    (SELECT 1 FROM terminal_blacklist t WHERE t.terminal_id = d.id AND t.card_no = a.card_no))",
             R"(DROP TABLE terminal_blacklist)",
             // Readers keep the list everywhere while this stays the same.
             R"(INSERT INTO counters (name, value) VALUES ('blacklist_all_generation', 1))",
         }},
        {7,
         {
             // A push reads a terminal's pending batches and confirms them:
             // without this, both walk every batch the terminal ever had, so
             // each loss cost more than the one before it.
             R"(CREATE INDEX blacklist_batches_by_state ON blacklist_batches (terminal_id, state, new_version))",
         }},
        {8,
         {
             // A card's balance in its row, written in the transaction of
             // each ledger entry (the invariants check it is the ledger's
             // sum): reading a card summed its whole ledger, so every top-up
             // cost more than the one before. And every money change now
             // writes the card's row, so two changes of one card conflict
             // instead of both committing unseen by each other.
             R"(ALTER TABLE cards ADD COLUMN balance BIGINT NOT NULL DEFAULT 0)",
             R"(UPDATE cards SET balance =
                  (SELECT COALESCE(SUM(l.amount), 0) FROM ledger l WHERE l.card_no = cards.card_no))",
         }},
        {9,
         {
             // Several instances on one store (docs/scale.md). An instance
             // alive renews its row; the fair share of terminals is counted
             // from the rows not yet expired. Times are milliseconds in the
             // database's clock, never an instance's.
             R"(CREATE TABLE instances (
                  name VARCHAR(255) PRIMARY KEY,
                  expires_at BIGINT NOT NULL)@TABLE@)",
             // A terminal is driven by the owner of its lease; owner NULL is
             // free. The generation only grows, by one at each claim, and
             // every write about the terminal names it: a write that names
             // an old one is refused (fencing). fenced_writes is what such
             // a write changes, so that on Galera it conflicts with a claim
             // of the same lease at certification instead of both committing.
             R"(CREATE TABLE terminal_leases (
                  terminal_id BIGINT PRIMARY KEY,
                  owner VARCHAR(255) NULL,
                  generation BIGINT NOT NULL,
                  expires_at BIGINT NOT NULL,
                  fenced_writes BIGINT NOT NULL DEFAULT 0,
                  FOREIGN KEY (terminal_id) REFERENCES devices(id) ON DELETE CASCADE)@TABLE@)",
             R"(CREATE INDEX terminal_leases_by_owner ON terminal_leases (owner, expires_at))",
             R"(INSERT INTO terminal_leases (terminal_id, owner, generation, expires_at)
                  SELECT id, NULL, 0, 0 FROM devices WHERE kind = 'terminal')",
         }},
    };
    return list;
}

Result<bool> table_exists(SqlConnection& db, std::string_view table) {
    const Value name{std::string(table)};
    auto rows =
        db.dialect() == Dialect::sqlite
            ? db.query("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", {&name, 1})
            : db.query("SELECT 1 FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name = ?",
                       {&name, 1});
    if (!rows) return std::unexpected(rows.error());
    return !rows->empty();
}

/// Every version recorded, ascending.
Result<std::vector<int>> recorded_versions(SqlConnection& db) {
    auto rows = db.query("SELECT version FROM schema_version ORDER BY version");
    if (!rows) return std::unexpected(rows.error());
    std::vector<int> versions;
    for (const Row& row : *rows) versions.push_back(static_cast<int>(as_int(row[0])));
    return versions;
}

}  // namespace

int latest_schema_version() noexcept { return migrations().back().version; }

std::span<const std::string_view> schema_tables() noexcept {
    // A new table in a migration goes here too (a test compares this list with the schema).
    static constexpr std::string_view tables[] = {"schema_version",
                                                  "card_format",
                                                  "counters",
                                                  "people",
                                                  "cards",
                                                  "ledger",
                                                  "devices",
                                                  "losses",
                                                  "loss_terminals",
                                                  "blacklist_all",
                                                  "terminal_exceptions",
                                                  "blacklist_batches",
                                                  "transactions",
                                                  "audit_log",
                                                  "card_writes",
                                                  "accounts",
                                                  "instances",
                                                  "terminal_leases"};
    return tables;
}

Result<int> recorded_schema_version(SqlConnection& db) {
    auto exists = table_exists(db, "schema_version");
    if (!exists) return std::unexpected(exists.error());
    if (!*exists) return 0;
    auto rows = db.query("SELECT MAX(version) FROM schema_version");
    if (!rows) return std::unexpected(rows.error());
    if (rows->empty() || is_null(rows->front()[0])) return 0;
    return static_cast<int>(as_int(rows->front()[0]));
}

Result<int> migrate(SqlConnection& db) {
    auto exists = table_exists(db, "schema_version");
    if (!exists) return std::unexpected(exists.error());
    if (!*exists) {
        auto created = db.execute(
            dialect_sql("CREATE TABLE schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)@TABLE@",
                        db.dialect()));
        if (!created) return std::unexpected(created.error());
    }
    auto current = recorded_schema_version(db);
    if (!current) return std::unexpected(current.error());
    if (*current > latest_schema_version()) {
        return fail(Errc::schema_too_new, "the database has schema version " + std::to_string(*current) +
                                              " but this cardd knows only up to " +
                                              std::to_string(latest_schema_version()) +
                                              "; run a newer cardd or restore a matching backup");
    }
    // Each migration not recorded yet, not only those above the highest
    // recorded: versions are numbered where they were written, and a
    // database may have been migrated by a build that lacked one below its
    // highest (the list may have a gap), which must be applied all the same.
    auto applied = recorded_versions(db);
    if (!applied) return std::unexpected(applied.error());
    for (const Migration& migration : migrations()) {
        if (std::ranges::binary_search(*applied, migration.version)) continue;
        // MariaDB commits DDL implicitly, so there a failed migration can leave
        // part of its tables; the version row is written last, and a retry of
        // a half-applied migration fails loudly rather than silently.
        if (auto began = db.begin(); !began) return std::unexpected(began.error());
        for (std::string_view statement : migration.statements) {
            if (auto done = db.execute(dialect_sql(std::string(statement), db.dialect())); !done) {
                (void)db.rollback();
                return fail(done.error().code, "migration to schema version " + std::to_string(migration.version) +
                                                   " failed: " + done.error().message);
            }
        }
        const Value params[] = {std::int64_t{migration.version}, static_cast<std::int64_t>(std::time(nullptr))};
        if (auto recorded = db.execute("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)", params);
            !recorded) {
            (void)db.rollback();
            return std::unexpected(recorded.error());
        }
        if (auto committed = db.commit(); !committed) return std::unexpected(committed.error());
    }
    return latest_schema_version();
}

}  // namespace cardd::store
