#include "store/sqlite_connection.hpp"

#include <sqlite3.h>

#include <memory>
#include <string>

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

class SqliteConnection final : public SqlConnection {
public:
    explicit SqliteConnection(DbPtr db) : db_(std::move(db)) {}

    Dialect dialect() const noexcept override { return Dialect::sqlite; }

    Result<std::uint64_t> execute(std::string_view sql, std::span<const Value> params) override {
        auto stmt = prepare(sql, params);
        if (!stmt) return std::unexpected(stmt.error());
        int rc;
        while ((rc = sqlite3_step(stmt->get())) == SQLITE_ROW) {
        }
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

    std::int64_t last_insert_id() override { return sqlite3_last_insert_rowid(db_.get()); }

    Result<void> begin() override { return run("BEGIN IMMEDIATE"); }
    Result<void> commit() override { return run("COMMIT"); }
    Result<void> rollback() override { return run("ROLLBACK"); }

    Result<void> run(const char* sql) {
        char* message = nullptr;
        const int rc = sqlite3_exec(db_.get(), sql, nullptr, nullptr, &message);
        if (rc == SQLITE_OK) return {};
        std::string text = message ? message : sqlite3_errstr(rc);
        sqlite3_free(message);
        return fail(Errc::storage, "sqlite: " + text);
    }

private:
    Result<StmtPtr> prepare(std::string_view sql, std::span<const Value> params) {
        sqlite3_stmt* raw = nullptr;
        const int rc = sqlite3_prepare_v2(db_.get(), sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
        StmtPtr stmt(raw);
        if (rc != SQLITE_OK) return error_from(rc);
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

    std::unexpected<Error> error_from(int rc) const {
        const int primary = rc & 0xff;
        const Errc code = primary == SQLITE_CONSTRAINT ? Errc::conflict : Errc::storage;
        return fail(code, std::string("sqlite: ") + sqlite3_errmsg(db_.get()));
    }

    DbPtr db_;
};

}  // namespace

Result<std::unique_ptr<SqlConnection>> open_sqlite(const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
                                   nullptr);
    DbPtr db(raw);
    if (rc != SQLITE_OK) {
        return fail(Errc::storage, "sqlite: cannot open " + path.string() + ": " +
                                       (raw ? sqlite3_errmsg(raw) : sqlite3_errstr(rc)));
    }
    sqlite3_extended_result_codes(raw, 1);
    sqlite3_busy_timeout(raw, 5000);
    auto connection = std::make_unique<SqliteConnection>(std::move(db));
    // WAL lets readers run beside the single writer; FULL sync because a
    // committed top-up must survive a power cut, not only a crash of cardd.
    for (const char* pragma : {"PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON"}) {
        auto rows = connection->query(pragma, {});
        if (!rows) return std::unexpected(rows.error());
    }
    return connection;
}

}  // namespace cardd::store
