#include "store/mariadb_connection.hpp"

#include <limits>
#include <optional>
#include <string>
#include <utility>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

namespace cardd::store {
namespace {

struct ResultFree {
    void operator()(MYSQL_RES* r) const noexcept { mysql_free_result(r); }
};
using StmtPtr = std::unique_ptr<MYSQL_STMT, MariadbConnection::StmtClose>;
using Statements = MariadbConnection::Statements;

// Texts built with a variable number of placeholders would grow the cache
// without end, so past a bound it starts again.
constexpr std::size_t max_cached_statements = 256;

// A statement's result set is let go when its caller is done with it, so the
// statement can run again and the session can run another.
struct ResultRelease {
    MYSQL_STMT* stmt;
    ~ResultRelease() { mysql_stmt_free_result(stmt); }
};
using ResultPtr = std::unique_ptr<MYSQL_RES, ResultFree>;

// Text columns are first fetched into a buffer of this size; a longer value is
// fetched again at its real length, so short values (most of them) cost one copy.
constexpr unsigned long initial_text_size = 256;

// What the client library said about a failed call: its error number and text.
struct ClientError {
    unsigned code = 0;
    std::string text;
};
template <class T>
using Attempt = std::expected<T, ClientError>;

std::unexpected<ClientError> client_error(MYSQL* mysql) {
    return std::unexpected(ClientError{mysql_errno(mysql), mysql_error(mysql)});
}

std::unexpected<ClientError> stmt_error(MYSQL_STMT* stmt) {
    return std::unexpected(ClientError{mysql_stmt_errno(stmt), mysql_stmt_error(stmt)});
}

std::unexpected<ClientError> our_error(std::string text) { return std::unexpected(ClientError{0, std::move(text)}); }

// A duplicate or a dangling reference is a clash with current state that the
// caller can report as such; anything else is the database failing.
Errc classify(unsigned code) {
    switch (code) {
        case ER_DUP_KEY:
        case ER_DUP_ENTRY:
        case ER_DUP_ENTRY_WITH_KEY_NAME:
        case ER_ROW_IS_REFERENCED:
        case ER_NO_REFERENCED_ROW:
        case ER_ROW_IS_REFERENCED_2:
        case ER_NO_REFERENCED_ROW_2: return Errc::conflict;
        case ER_LOCK_DEADLOCK: return Errc::contention;
        default: return Errc::storage;
    }
}

// The session is gone: the server went away, was never reached, or ended
// the connection itself (shut down, or KILL CONNECTION).
bool session_lost(unsigned code) {
    switch (code) {
        case CR_CONNECTION_ERROR:
        case CR_CONN_HOST_ERROR:
        case CR_IPSOCK_ERROR:
        case CR_UNKNOWN_HOST:
        case CR_SERVER_GONE_ERROR:
        case CR_SERVER_LOST:
        case CR_SERVER_LOST_EXTENDED:
        case CR_ERR_NET_READ:
        case CR_ERR_NET_WRITE:
        case ER_SERVER_SHUTDOWN:
        case ER_CONNECTION_KILLED:
        // A Galera node out of the primary component ("WSREP has not yet
        // prepared node for application use"): another node may serve.
        case ER_UNKNOWN_COM_ERROR: return true;
        default: return false;
    }
}

std::string describe(const ClientError& error) {
    if (error.code == 0) return error.text;
    return error.text + " (" + std::to_string(error.code) + ")";
}

bool is_integer(enum_field_types type) {
    switch (type) {
        case MYSQL_TYPE_TINY:
        case MYSQL_TYPE_SHORT:
        case MYSQL_TYPE_LONG:
        case MYSQL_TYPE_LONGLONG:
        case MYSQL_TYPE_INT24:
        case MYSQL_TYPE_YEAR: return true;
        default: return false;
    }
}

// The statement of `sql` on this session, prepared the first time it is asked for.
Attempt<MYSQL_STMT*> prepared(MYSQL* mysql, Statements& statements, std::string_view sql) {
    const std::string key(sql);
    if (auto found = statements.find(key); found != statements.end()) return found->second.get();
    StmtPtr stmt(mysql_stmt_init(mysql));
    if (!stmt) return client_error(mysql);
    if (mysql_stmt_prepare(stmt.get(), sql.data(), sql.size()) != 0) return stmt_error(stmt.get());
    if (statements.size() >= max_cached_statements) statements.clear();
    return statements.emplace(key, std::move(stmt)).first->second.get();
}

// Binds and executes one statement. The bind array only has to live until
// mysql_stmt_execute() has sent the values.
Attempt<MYSQL_STMT*> run(MYSQL* mysql, Statements& statements, std::string_view sql, std::span<const Value> params) {
    auto ready = prepared(mysql, statements, sql);
    if (!ready) return std::unexpected(std::move(ready.error()));
    MYSQL_STMT* stmt = *ready;
    if (mysql_stmt_param_count(stmt) != params.size()) {
        return our_error("statement has " + std::to_string(mysql_stmt_param_count(stmt)) + " placeholders but " +
                         std::to_string(params.size()) + " values were given");
    }
    std::vector<MYSQL_BIND> binds(params.size());
    for (std::size_t i = 0; i < params.size(); ++i) {
        MYSQL_BIND& b = binds[i];
        // Connector/C only reads parameter buffers, hence the const_casts.
        if (const auto* n = std::get_if<std::int64_t>(&params[i])) {
            b.buffer_type = MYSQL_TYPE_LONGLONG;
            b.buffer = const_cast<std::int64_t*>(n);
        } else if (const auto* s = std::get_if<std::string>(&params[i])) {
            b.buffer_type = MYSQL_TYPE_STRING;
            b.buffer = const_cast<char*>(s->data());
            b.buffer_length = s->size();
        } else {
            b.buffer_type = MYSQL_TYPE_NULL;
        }
    }
    if (!binds.empty() && mysql_stmt_bind_param(stmt, binds.data()) != 0) return stmt_error(stmt);
    if (mysql_stmt_execute(stmt) != 0) return stmt_error(stmt);
    return stmt;
}

// One result column's fetch target; MYSQL_BIND points into it, so the vector
// holding these must not reallocate after binding.
struct Column {
    std::string text;
    std::int64_t number = 0;
    unsigned long length = 0;
    my_bool is_null = 0;
    my_bool error = 0;
    bool integer = false;
    bool is_unsigned = false;
};

// Appends the fetched value of column `index` to `row`.
Attempt<void> append(MYSQL_STMT* stmt, Column& c, unsigned index, const MYSQL_FIELD& field, Row& row) {
    if (c.is_null) {
        row.emplace_back(std::monostate{});
    } else if (c.integer) {
        if (c.is_unsigned && static_cast<std::uint64_t>(c.number) >
                                 static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
            return our_error(std::string("value of column ") + field.name + " exceeds int64");
        }
        row.emplace_back(c.number);
    } else if (c.length <= c.text.size()) {
        row.emplace_back(std::in_place_type<std::string>, c.text.data(), c.length);
    } else {
        std::string full(c.length, '\0');
        unsigned long got = 0;
        MYSQL_BIND b{};
        b.buffer_type = MYSQL_TYPE_STRING;
        b.buffer = full.data();
        b.buffer_length = full.size();
        b.length = &got;
        if (mysql_stmt_fetch_column(stmt, &b, index, 0) != 0) return stmt_error(stmt);
        full.resize(got);
        row.emplace_back(std::move(full));
    }
    return {};
}

struct Executed {
    std::uint64_t affected = 0;
    std::uint64_t insert_id = 0;
};

Attempt<Executed> execute_on(MYSQL* mysql, Statements& statements, std::string_view sql,
                             std::span<const Value> params) {
    auto stmt = run(mysql, statements, sql, params);
    if (!stmt) return std::unexpected(std::move(stmt.error()));
    MYSQL_STMT* s = *stmt;
    const ResultRelease release{s};
    const std::uint64_t id = mysql_stmt_insert_id(s);
    // A statement that returns rows must be drained before the next one can run.
    if (mysql_stmt_field_count(s) > 0 && mysql_stmt_store_result(s) != 0) return stmt_error(s);
    return Executed{mysql_stmt_affected_rows(s), id};
}

struct Fetched {
    std::vector<Row> rows;
    std::uint64_t insert_id = 0;
};

Attempt<Fetched> query_on(MYSQL* mysql, Statements& statements, std::string_view sql, std::span<const Value> params) {
    auto stmt = run(mysql, statements, sql, params);
    if (!stmt) return std::unexpected(std::move(stmt.error()));
    MYSQL_STMT* s = *stmt;
    const ResultRelease release{s};
    Fetched fetched;
    fetched.insert_id = mysql_stmt_insert_id(s);

    const ResultPtr meta(mysql_stmt_result_metadata(s));
    if (!meta) {
        if (mysql_stmt_errno(s) != 0) return stmt_error(s);
        return fetched;  // not a statement that returns rows
    }
    if (mysql_stmt_store_result(s) != 0) return stmt_error(s);

    const unsigned n = mysql_num_fields(meta.get());
    const MYSQL_FIELD* fields = mysql_fetch_fields(meta.get());
    std::vector<Column> columns(n);
    std::vector<MYSQL_BIND> binds(n);
    for (unsigned i = 0; i < n; ++i) {
        Column& c = columns[i];
        MYSQL_BIND& b = binds[i];
        c.integer = is_integer(fields[i].type);
        if (c.integer) {
            c.is_unsigned = (fields[i].flags & UNSIGNED_FLAG) != 0;
            b.buffer_type = MYSQL_TYPE_LONGLONG;
            b.buffer = &c.number;
            b.is_unsigned = c.is_unsigned;
        } else {
            c.text.resize(initial_text_size);
            b.buffer_type = MYSQL_TYPE_STRING;
            b.buffer = c.text.data();
            b.buffer_length = c.text.size();
        }
        b.length = &c.length;
        b.is_null = &c.is_null;
        b.error = &c.error;
    }
    if (mysql_stmt_bind_result(s, binds.data()) != 0) return stmt_error(s);

    fetched.rows.reserve(mysql_stmt_num_rows(s));
    for (;;) {
        const int rc = mysql_stmt_fetch(s);
        if (rc == MYSQL_NO_DATA) break;
        if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) return stmt_error(s);
        Row row;
        row.reserve(n);
        for (unsigned i = 0; i < n; ++i) {
            if (auto r = append(s, columns[i], i, fields[i], row); !r) return std::unexpected(std::move(r.error()));
        }
        fetched.rows.push_back(std::move(row));
    }
    return fetched;
}

// The parameters with endpoint `n` (0: the first, n: others[n - 1]) in front.
MariadbParams endpoint(const MariadbParams& p, std::size_t n) {
    MariadbParams one = p;
    if (n > 0) {
        const MariadbEndpoint& other = p.others.at(n - 1);
        one.host = other.host;
        one.port = other.port;
        one.socket = other.socket;
    }
    one.others.clear();
    return one;
}

std::string where_of(const MariadbParams& p) {
    return (p.socket.empty() ? p.host + ":" + std::to_string(p.port) : p.socket) + " as " + p.user;
}

// The one place a session is made, at open and after a loss: options,
// connection, then the session settings the domain code relies on.
Attempt<MariadbConnection::MysqlPtr> connect_session(const MariadbParams& p) {
    // mysql_init() would initialise the library lazily, but that is not thread-safe.
    static const int library_rc = mysql_library_init(0, nullptr, nullptr);
    if (library_rc != 0) return our_error("cannot initialise the client library");

    MariadbConnection::MysqlPtr mysql(mysql_init(nullptr));
    if (!mysql) return our_error("out of memory");
    MYSQL* m = mysql.get();
    // Reconnecting is ours to do, at a point where no transaction is open
    // (MariadbConnection::session); the library's would do it anywhere.
    my_bool reconnect = 0;
    mysql_options(m, MYSQL_OPT_RECONNECT, &reconnect);
    mysql_options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    unsigned connect_timeout = 10;
    mysql_options(m, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
    unsigned protocol = p.socket.empty() ? MYSQL_PROTOCOL_TCP : MYSQL_PROTOCOL_SOCKET;
    mysql_options(m, MYSQL_OPT_PROTOCOL, &protocol);

    auto c_str = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
    // CLIENT_FOUND_ROWS: an UPDATE reports the rows it matched, as SQLite does,
    // not only those whose value changed; domain code relies on that count.
    if (!mysql_real_connect(m, p.socket.empty() ? c_str(p.host) : nullptr, p.user.c_str(), p.password.c_str(),
                            c_str(p.database), p.port, c_str(p.socket), CLIENT_FOUND_ROWS)) {
        return client_error(m);
    }
    for (const char* setup : {"SET SESSION sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'",
                              "SET SESSION time_zone = '+00:00'", "SET SESSION autocommit = 1"}) {
        Statements once;
        if (auto r = execute_on(m, once, setup, {}); !r) return std::unexpected(std::move(r.error()));
    }
    return mysql;
}

// The second column of the one row a SHOW ... LIKE answered, if any.
Attempt<std::optional<std::string>> shown(MYSQL* m, const char* show) {
    Statements once;
    auto answer = query_on(m, once, show, {});
    if (!answer) return std::unexpected(std::move(answer.error()));
    if (answer->rows.empty() || answer->rows.front().size() < 2) return std::optional<std::string>{};
    const auto* value = std::get_if<std::string>(&answer->rows.front()[1]);
    if (value == nullptr) return std::optional<std::string>{};
    return std::optional<std::string>{*value};
}

// A Galera node that is up but not in the primary component takes the
// connection and refuses every statement. A server not running Galera is
// always ready: Debian's mariadbd reports wsrep_ready OFF even then, so
// wsrep_on decides whether wsrep_ready means anything.
Attempt<void> ready(MYSQL* m) {
    auto on = shown(m, "SHOW GLOBAL VARIABLES LIKE 'wsrep_on'");
    if (!on) return std::unexpected(std::move(on.error()));
    if (!*on || **on != "ON") return {};
    auto status = shown(m, "SHOW GLOBAL STATUS LIKE 'wsrep_ready'");
    if (!status) return std::unexpected(std::move(status.error()));
    if (!*status || **status == "ON") return {};
    return our_error("the Galera node is not ready (wsrep_ready " + **status + ": not in the primary component)");
}

// The first endpoint, in order, that takes the connection and is ready;
// `reached` says which. The error names every endpoint and what it said.
Attempt<MariadbConnection::MysqlPtr> connect_any(const MariadbParams& p, std::size_t& reached) {
    std::string said;
    unsigned last_code = 0;
    for (std::size_t n = 0; n <= p.others.size(); ++n) {
        const MariadbParams one = endpoint(p, n);
        auto mysql = connect_session(one);
        if (mysql) {
            auto is_ready = ready(mysql->get());
            if (is_ready) {
                reached = n;
                return mysql;
            }
            mysql = std::unexpected(std::move(is_ready.error()));
        }
        if (p.others.empty()) return mysql;
        last_code = mysql.error().code;
        said += (said.empty() ? "" : "; ") + where_of(one) + ": " + describe(mysql.error());
    }
    return std::unexpected(ClientError{last_code, "no node answered: " + said});
}

}  // namespace

void MariadbConnection::MysqlClose::operator()(st_mysql* m) const noexcept { mysql_close(m); }
void MariadbConnection::StmtClose::operator()(st_mysql_stmt* s) const noexcept { mysql_stmt_close(s); }

void MariadbConnection::drop_session() noexcept {
    statements_.clear();
    mysql_.reset();
}

MariadbConnection::MariadbConnection(MariadbParams params, std::size_t reached, MysqlPtr mysql) noexcept
    : params_(std::move(params)), reached_(reached), mysql_(std::move(mysql)) {}

Result<std::unique_ptr<MariadbConnection>> MariadbConnection::connect(MariadbParams params) {
    std::size_t reached = 0;
    auto mysql = connect_any(params, reached);
    if (!mysql) {
        const std::string to = params.others.empty() ? where_of(params) : "the cluster";
        return fail(Errc::storage, "mariadb: cannot connect to " + to + ": " + describe(mysql.error()));
    }
    return std::unique_ptr<MariadbConnection>(new MariadbConnection(std::move(params), reached, std::move(*mysql)));
}

std::string MariadbConnection::where() const { return where_of(endpoint(params_, reached_)); }

void MariadbConnection::tell(LinkEvent event, const std::string& detail) const {
    if (observer_) observer_(event, detail);
}

Error MariadbConnection::transaction_lost() const {
    return Error{Errc::storage, "mariadb: the connection to the database at " + where() +
                                    " was lost in the middle of a transaction; nothing of the transaction was kept, "
                                    "and cardd reconnects by itself once it is rolled back"};
}

Result<MYSQL*> MariadbConnection::session() {
    if (mysql_) return mysql_.get();
    if (transaction_ == Transaction::lost) return std::unexpected(transaction_lost());
    auto fresh = connect_any(params_, reached_);
    if (!fresh) return std::unexpected(failure(fresh.error().code, fresh.error().text, Step::connect));
    mysql_ = std::move(*fresh);
    tell(LinkEvent::restored, "connected again to the database at " + where());
    return mysql_.get();
}

Error MariadbConnection::failure(unsigned code, const std::string& text, Step step) {
    const std::string said = describe(ClientError{code, text});
    if (!session_lost(code) && step != Step::connect) return Error{classify(code), "mariadb: " + said};
    const bool was_connected = mysql_ != nullptr;
    drop_session();
    std::string kept;
    if (step == Step::connect) {
        kept = "nothing was done";
    } else if (step == Step::commit) {
        // The COMMIT may have reached the server before the answer was lost.
        kept = "the connection broke at COMMIT, so the change may or may not have been kept";
        transaction_ = Transaction::lost;
    } else if (transaction_ == Transaction::open) {
        kept = "the transaction in progress was lost and nothing of it was kept";
        transaction_ = Transaction::lost;
    } else {
        kept = "the statement did not complete";
    }
    Error error{Errc::storage, "mariadb: the database at " + where() + " is unreachable (" + said + "); " + kept +
                                   "; cardd reconnects by itself at the next request"};
    if (was_connected) tell(LinkEvent::lost, error.message);
    return error;
}

Result<std::uint64_t> MariadbConnection::execute(std::string_view sql, std::span<const Value> params) {
    auto mysql = session();
    if (!mysql) return std::unexpected(std::move(mysql.error()));
    auto done = execute_on(*mysql, statements_, sql, params);
    if (!done) return std::unexpected(failure(done.error().code, done.error().text, Step::statement));
    if (done->insert_id != 0) last_insert_id_ = static_cast<std::int64_t>(done->insert_id);
    return done->affected;
}

Result<std::vector<Row>> MariadbConnection::query(std::string_view sql, std::span<const Value> params) {
    auto mysql = session();
    if (!mysql) return std::unexpected(std::move(mysql.error()));
    auto fetched = query_on(*mysql, statements_, sql, params);
    if (!fetched) return std::unexpected(failure(fetched.error().code, fetched.error().text, Step::statement));
    if (fetched->insert_id != 0) last_insert_id_ = static_cast<std::int64_t>(fetched->insert_id);
    return std::move(fetched->rows);
}

Result<void> MariadbConnection::begin() {
    if (transaction_ == Transaction::lost) return std::unexpected(transaction_lost());
    if (auto r = execute("START TRANSACTION"); !r) return std::unexpected(std::move(r.error()));
    transaction_ = Transaction::open;
    return {};
}

Result<void> MariadbConnection::commit() {
    if (transaction_ == Transaction::lost) return std::unexpected(transaction_lost());
    // Never a new session for a COMMIT: it would commit nothing and say yes.
    if (!mysql_) return std::unexpected(transaction_lost());
    if (auto done = execute_on(mysql_.get(), statements_, "COMMIT", {}); !done) {
        return std::unexpected(failure(done.error().code, done.error().text, Step::commit));
    }
    transaction_ = Transaction::none;
    return {};
}

Result<void> MariadbConnection::rollback() {
    const Transaction was = std::exchange(transaction_, Transaction::none);
    // A lost session took its transaction with it: the server rolled it back.
    if (was == Transaction::lost || !mysql_) return {};
    if (auto done = execute_on(mysql_.get(), statements_, "ROLLBACK", {}); !done) {
        Error error = failure(done.error().code, done.error().text, Step::statement);
        if (!mysql_) return {};
        return std::unexpected(std::move(error));
    }
    return {};
}

Result<std::unique_ptr<SqlConnection>> open_mariadb(const MariadbParams& params) {
    auto connection = MariadbConnection::connect(params);
    if (!connection) return std::unexpected(std::move(connection.error()));
    return std::unique_ptr<SqlConnection>(std::move(*connection));
}

}  // namespace cardd::store
