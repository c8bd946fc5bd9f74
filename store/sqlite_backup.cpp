#include "store/sqlite_backup.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "store/card_store.hpp"
#include "store/sqlite_connection.hpp"

namespace cardd::store {

struct SqliteBackup::Handles {
    struct Close {
        void operator()(sqlite3* db) const noexcept { sqlite3_close_v2(db); }
    };
    std::unique_ptr<sqlite3, Close> source;
    std::unique_ptr<sqlite3, Close> target;
    sqlite3_backup* backup = nullptr;  ///< finished before the connections close

    ~Handles() {
        if (backup != nullptr) sqlite3_backup_finish(backup);
    }
};

namespace {

std::unexpected<Error> sqlite_failure(sqlite3* db, const std::string& what) {
    return fail(Errc::storage, what + ": " + (db != nullptr ? sqlite3_errmsg(db) : "out of memory"));
}

Result<void> exec(sqlite3* db, const char* sql, const std::string& what) {
    if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) return sqlite_failure(db, what);
    return {};
}

// The target made here, 0600 whatever the umask, so that no other user reads
// a copy of people's data; O_EXCL so that no file is ever overwritten.
Result<void> create_target(const std::filesystem::path& target) {
    if (!target.is_absolute()) {
        return fail(Errc::invalid_argument,
                    "the backup file must be an absolute path (cardd writes it, and its "
                    "working directory is not yours): '" +
                        target.string() + "'");
    }
    const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        const int error = errno;
        if (error == EEXIST) {
            return fail(Errc::conflict, target.string() +
                                            " already exists; cardd never overwrites a file: "
                                            "choose a new name or remove it first");
        }
        if (error == ENOENT) {
            return fail(Errc::not_found, "the directory " + target.parent_path().string() + " does not exist");
        }
        return fail(Errc::storage, "cannot create " + target.string() + ": " + std::strerror(error));
    }
    const bool exact = ::fchmod(fd, 0600) == 0;
    ::close(fd);
    if (!exact) {
        std::error_code ignored;
        std::filesystem::remove(target, ignored);
        return fail(Errc::storage, "cannot make " + target.string() + " mode 0600");
    }
    return {};
}

}  // namespace

SqliteBackup::SqliteBackup(std::filesystem::path target, std::unique_ptr<Handles> handles)
    : target_(std::move(target)), handles_(std::move(handles)) {}

SqliteBackup::~SqliteBackup() {
    if (finished_) return;
    handles_.reset();
    std::error_code ignored;
    std::filesystem::remove(target_, ignored);
    std::filesystem::remove(target_.string() + "-journal", ignored);
}

Result<std::unique_ptr<SqliteBackup>> SqliteBackup::start(const std::filesystem::path& source,
                                                          const std::filesystem::path& target) {
    if (auto made = create_target(target); !made) return std::unexpected(std::move(made.error()));
    // Owned from here: a failure below closes the handles, then removes the target again.
    std::unique_ptr<SqliteBackup> backup(new SqliteBackup(target, nullptr));
    auto handles = std::make_unique<Handles>();

    sqlite3* raw = nullptr;
    const int opened = sqlite3_open_v2(source.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    handles->source.reset(raw);
    if (opened != SQLITE_OK) {
        return sqlite_failure(raw, "cannot open the store " + source.string());
    }
    sqlite3_busy_timeout(raw, 5000);
    // A read transaction held for the whole copy: the copy is the store as it
    // stood when it began. WAL lets cardd go on writing beside it, and SQLite
    // does not restart the copy for those writes, since this connection does
    // not see them.
    if (auto began = exec(raw, "BEGIN", "cannot read the store"); !began) return std::unexpected(began.error());
    if (auto read = exec(raw, "SELECT COUNT(*) FROM sqlite_master", "cannot read the store"); !read) {
        return std::unexpected(read.error());
    }

    raw = nullptr;
    const int created = sqlite3_open_v2(target.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    handles->target.reset(raw);
    if (created != SQLITE_OK) return sqlite_failure(raw, "cannot open " + target.string());
    handles->backup = sqlite3_backup_init(handles->target.get(), "main", handles->source.get(), "main");
    if (handles->backup == nullptr) return sqlite_failure(handles->target.get(), "cannot start the backup");
    backup->handles_ = std::move(handles);
    return backup;
}

Result<bool> SqliteBackup::step(int pages) {
    const int rc = sqlite3_backup_step(handles_->backup, pages);
    if (rc == SQLITE_DONE) return true;
    // Busy or locked: the target's lock taken by someone else; tried again at the next step.
    if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) return false;
    return sqlite_failure(handles_->target.get(), "the backup to " + target_.string() + " failed");
}

int SqliteBackup::page_count() const noexcept { return sqlite3_backup_pagecount(handles_->backup); }

int SqliteBackup::remaining() const noexcept { return sqlite3_backup_remaining(handles_->backup); }

Result<void> SqliteBackup::finish() {
    sqlite3_backup* backup = std::exchange(handles_->backup, nullptr);
    if (sqlite3_backup_finish(backup) != SQLITE_OK) {
        return sqlite_failure(handles_->target.get(), "the backup to " + target_.string() + " failed");
    }
    (void)sqlite3_exec(handles_->source.get(), "COMMIT", nullptr, nullptr, nullptr);
    // The copy took the store's WAL mode; as a rollback journal database it
    // is one file that can be copied, checked read only and restored alone.
    // cardd puts it back in WAL mode when it opens it.
    if (auto mode =
            exec(handles_->target.get(), "PRAGMA journal_mode=DELETE", "cannot close the backup " + target_.string());
        !mode) {
        return mode;
    }
    handles_.reset();
    finished_ = true;
    return {};
}

Result<CopyCheck> check_sqlite_copy(const std::filesystem::path& path) {
    CopyCheck check;
    std::error_code sized;
    check.size = std::filesystem::file_size(path, sized);
    if (sized) return fail(Errc::storage, "cannot read " + path.string() + ": " + sized.message());

    auto connection = open_sqlite_read_only(path);
    if (!connection) return std::unexpected(std::move(connection.error()));
    SqlConnection& db = **connection;
    auto integrity = db.query("PRAGMA integrity_check");
    if (!integrity) return std::unexpected(std::move(integrity.error()));
    for (const Row& row : *integrity) {
        if (!check.integrity.empty()) check.integrity += "; ";
        check.integrity += is_null(row[0]) ? std::string("?") : as_text(row[0]);
    }
    if (check.integrity != "ok") return check;  // not a store to open further

    auto store = CardStore::open(std::move(*connection));
    if (!store) return std::unexpected(std::move(store.error()));
    auto version = (*store)->schema_version();
    if (!version) return std::unexpected(std::move(version.error()));
    check.schema_version = *version;
    auto violations = (*store)->check_invariants();
    if (!violations) return std::unexpected(std::move(violations.error()));
    check.violations = std::move(*violations);
    return check;
}

}  // namespace cardd::store
