#include "store/sqlite_connection.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <unordered_map>

namespace cardd::store {
namespace {

struct DbCloser {
    void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
    void operator()(sqlite3_stmt* stmt) const noexcept { sqlite3_finalize(stmt); }
};
using DbPtr = std::unique_ptr<sqlite3, DbCloser>;
using StmtPtr = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

// A cached statement in use: reset and unbound when the caller is done, so
// the next use starts clean and a finished read holds no lock on the file.
struct StmtReset {
    void operator()(sqlite3_stmt* stmt) const noexcept {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }
};
using StmtUse = std::unique_ptr<sqlite3_stmt, StmtReset>;

// Statements are compiled once per handle and kept: the store asks the same
// few dozen questions over and over, and compiling one costs more than
// running it. Texts built with a variable number of placeholders would grow
// the map without end, so past a bound it starts again.
constexpr std::size_t max_cached_statements = 256;

Result<DbPtr> open_file(const std::filesystem::path& path, bool read_only = false);

class SqliteConnection final : public SqlConnection {
public:
    SqliteConnection(std::filesystem::path path, DbPtr db, bool read_only)
        : path_(std::move(path)), db_(std::move(db)), read_only_(read_only) {}

    Dialect dialect() const noexcept override { return Dialect::sqlite; }

    Result<std::uint64_t> execute(std::string_view sql, std::span<const Value> params) override {
        writable_again();
        auto stmt = prepare(sql, params);
        if (!stmt) return std::unexpected(stmt.error());
        int rc;
        while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {}
        if (rc != SQLITE_DONE) return error_from(rc);
        return static_cast<std::uint64_t>(sqlite3_changes(db_.get()));
    }

    Result<std::vector<Row>> query(std::string_view sql, std::span<const Value> params) override {
        auto stmt = prepare(sql, params);
        if (!stmt) return std::unexpected(stmt.error());
        std::vector<Row> rows;
        const int columns = sqlite3_column_count(stmt->get());
        int rc;
        while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
            Row row;
            row.reserve(static_cast<std::size_t>(columns));
            for (int i = 0; i < columns; ++i) row.push_back(column(stmt->get(), i));
            rows.push_back(std::move(row));
        }
        if (rc != SQLITE_DONE) return error_from(rc);
        return rows;
    }

    std::int64_t last_insert_id() override { return db_ ? sqlite3_last_insert_rowid(db_.get()) : 0; }

    Result<void> begin() override {
        writable_again();
        return run("BEGIN IMMEDIATE");
    }
    Result<void> commit() override { return run("COMMIT"); }
    Result<void> rollback() override { return run("ROLLBACK"); }

    Result<void> run(const char* sql) {
        if (auto open = handle(); !open) return std::unexpected(std::move(open.error()));
        const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr);
        if (rc == SQLITE_OK) return {};
        return error_from(rc);
    }

private:
    // SQLite opens a database it cannot write read-only, and a handle stays
    // as it was opened: once the file system is writable again, only a new
    // handle writes. Tried before each write outside a transaction, so a
    // disk remounted read-write serves writes again without a restart.
    void writable_again() {
        if (read_only_ || !db_ || sqlite3_db_readonly(db_.get(), "main") != 1 || !sqlite3_get_autocommit(db_.get()))
            return;
        // Closed first: a handle opened beside it in this process would
        // share its read-only view of the WAL index and stay read-only too.
        statements_.clear();
        db_.reset();
        if (auto fresh = open_file(path_)) db_ = std::move(*fresh);
    }

    // The handle, opened again if making it writable failed to.
    Result<void> handle() {
        if (db_) return {};
        auto fresh = open_file(path_, read_only_);
        if (!fresh) return std::unexpected(std::move(fresh.error()));
        db_ = std::move(*fresh);
        return {};
    }

    Result<StmtUse> prepare(std::string_view sql, std::span<const Value> params) {
        if (auto open = handle(); !open) return std::unexpected(std::move(open.error()));
        auto cached = statements_.find(std::string(sql));
        if (cached == statements_.end()) {
            sqlite3_stmt* compiled = nullptr;
            const int flags = SQLITE_PREPARE_PERSISTENT;
            const int rc =
                sqlite3_prepare_v3(db_.get(), sql.data(), static_cast<int>(sql.size()), flags, &compiled, nullptr);
            StmtPtr owned(compiled);
            if (rc != SQLITE_OK) return error_from(rc);
            if (statements_.size() >= max_cached_statements) statements_.clear();
            cached = statements_.emplace(std::string(sql), std::move(owned)).first;
        }
        sqlite3_stmt* raw = cached->second.get();
        StmtUse stmt(raw);
        for (std::size_t i = 0; i < params.size(); ++i) {
            const int index = static_cast<int>(i + 1);
            int bound = SQLITE_OK;
            if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
                bound = sqlite3_bind_int64(raw, index, *n);
            } else if (const auto* s = std::get_if<std::string>(&params[i])) {
                bound = sqlite3_bind_text64(raw, index, s->data(), s->size(), SQLITE_TRANSIENT, SQLITE_UTF8);
            } else {
                bound = sqlite3_bind_null(raw, index);
            }
            if (bound != SQLITE_OK) return error_from(bound);
        }
        return stmt;
    }

    static Value column(sqlite3_stmt* stmt, int i) {
        switch (sqlite3_column_type(stmt, i)) {
            case SQLITE_INTEGER: return static_cast<std::int64_t>(sqlite3_column_int64(stmt, i));
            case SQLITE_NULL: return std::monostate{};
            default: {
                const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt, i));
                const int size = sqlite3_column_bytes(stmt, i);
                return std::string(text ? text : "", static_cast<std::size_t>(size));
            }
        }
    }

    // A full or read-only disk is told as such, with what still works and
    // how it comes back: the change's transaction rolled back. No advice to
    // repeat it: the caller knows whether that is right (a card write that
    // failed here is pending, and settles without a repeat).
    std::unexpected<Error> error_from(int rc) const {
        const int primary = rc & 0xff;
        const int os_error = sqlite3_system_errno(db_.get());
        const std::string said = sqlite3_errmsg(db_.get());
        if (primary == SQLITE_CONSTRAINT) return fail(Errc::conflict, "sqlite: " + said);
        if (primary == SQLITE_FULL || (primary == SQLITE_IOERR && (os_error == ENOSPC || os_error == EDQUOT))) {
            return fail(Errc::storage, "sqlite: the disk holding the database " + path_.string() + " is full (" + said +
                                           "); the change was not kept, reads still work, and cardd writes "
                                           "again by itself once space is freed there");
        }
        if (primary == SQLITE_READONLY || (primary == SQLITE_IOERR && os_error == EROFS)) {
            return fail(Errc::storage, "sqlite: the database " + path_.string() + " is read-only (" + said +
                                           "); the change was not kept, reads still work, and cardd writes again "
                                           "without a restart once its file system is writable");
        }
        return fail(Errc::storage, "sqlite: " + said);
    }

    std::filesystem::path path_;
    DbPtr db_;
    // Declared after db_, so they are finalized before the handle closes.
    std::unordered_map<std::string, StmtPtr> statements_;
    bool read_only_;  ///< opened to be read only (a backup being checked): never opened writable
};

// The store holds people's names and money: a new file is made 0600 here,
// whatever the umask, before SQLite opens it. SQLite gives the -wal and
// -shm files it creates the mode of the database file, so they are 0600 too.
Result<void> create_private(const std::filesystem::path& path) {
    if (path == ":memory:" || path.string().starts_with("file:")) return {};
    const int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        if (errno == EEXIST) return {};
        return fail(Errc::storage, "sqlite: cannot create " + path.string() + ": " + std::strerror(errno));
    }
    // The umask may only have narrowed the mode; set it exactly all the same.
    const bool set = ::fchmod(fd, 0600) == 0;
    const int error = errno;
    ::close(fd);
    if (!set)
        return fail(Errc::storage, "sqlite: cannot set the mode of " + path.string() + ": " + std::strerror(error));
    return {};
}

// The one place a database handle is made, at open and when it is made
// again: WAL, durability, foreign keys. Read only: the file as it is, its
// journal mode untouched.
Result<DbPtr> open_file(const std::filesystem::path& path, bool read_only) {
    if (!read_only) {
        if (auto created = create_private(path); !created) return std::unexpected(std::move(created.error()));
    }
    sqlite3* raw = nullptr;
    const int flags = read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, flags | SQLITE_OPEN_FULLMUTEX, nullptr);
    DbPtr db(raw);
    if (rc != SQLITE_OK) {
        return fail(Errc::storage,
                    "sqlite: cannot open " + path.string() + ": " + (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, 5000);
    // The -wal and -shm files stay when cardd closes the database: SQLite
    // reads a WAL database from a read-only disk only when they are there,
    // so a cardd started on a disk that went read-only still serves reads.
    if (read_only) return db;
    int persist = 1;
    sqlite3_file_control(raw, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    // WAL lets readers run beside the single writer; FULL sync because a
    // committed top-up must survive a power cut, not only a crash of cardd.
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
        char* message = nullptr;
        if (sqlite3_exec(raw, pragma, nullptr, nullptr, &message) != SQLITE_OK) {
            std::string text = message ? message : sqlite3_errmsg(raw);
            sqlite3_free(message);
            return fail(Errc::storage, "sqlite: cannot open " + path.string() + ": " + pragma + ": " + text);
        }
    }
    return db;
}

}  // namespace

Result<std::unique_ptr<SqlConnection>> open_sqlite(const std::filesystem::path& path) {
    auto db = open_file(path);
    if (!db) return std::unexpected(std::move(db.error()));
    return std::make_unique<SqliteConnection>(path, std::move(*db), false);
}

Result<std::unique_ptr<SqlConnection>> open_sqlite_read_only(const std::filesystem::path& path) {
    auto db = open_file(path, true);
    if (!db) return std::unexpected(std::move(db.error()));
    return std::make_unique<SqliteConnection>(path, std::move(*db), true);
}

}  // namespace cardd::store
