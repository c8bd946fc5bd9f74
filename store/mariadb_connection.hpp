#pragma once
// The MariaDB backend of SqlConnection, on MariaDB Connector/C. Every
// statement goes through the binary protocol (prepared statements), so values
// never pass through SQL text.

#include <memory>
#include <string>
#include <vector>
#include <unordered_map>

#include "store/sql_connection.hpp"

struct st_mysql;       // MYSQL from <mysql.h>, kept out of this header
struct st_mysql_stmt;  // MYSQL_STMT

namespace cardd::store {

/// One server to reach: its Unix socket, or else its host and port.
struct MariadbEndpoint {
    std::string host, socket;
    unsigned port = 0;
};

/// Where and as whom to connect. A non-empty socket wins over host/port.
struct MariadbParams {
    std::string user, password, host, database, socket;
    unsigned port = 0;
    /// Further nodes of the same Galera cluster, tried in order when the one
    /// above cannot be reached or is not ready (not in the primary component).
    std::vector<MariadbEndpoint> others;
};

/// One session on a MariaDB server: utf8mb4, strict SQL mode, UTC, autocommit
/// outside begin()/commit(). Not thread-safe: use one connection per thread.
///
/// A lost session (the server restarted, the network cut) fails the call
/// that finds it, with a message saying the database is unreachable; the
/// transaction it was in is gone, and every further call in it fails until
/// rollback(). The next begin(), or statement outside a transaction,
/// connects again with the same parameters and session setup. The client
/// library's own reconnect stays off: it would slip a new session under an
/// open transaction, and the rest of the transaction would run in autocommit.
class MariadbConnection final : public SqlConnection {
public:
    struct MysqlClose {
        void operator()(st_mysql* m) const noexcept;
    };
    using MysqlPtr = std::unique_ptr<st_mysql, MysqlClose>;
    struct StmtClose {
        void operator()(st_mysql_stmt* s) const noexcept;
    };
    /// The session's prepared statements by their SQL text: each is prepared
    /// once per session and executed again with new values.
    using Statements = std::unordered_map<std::string, std::unique_ptr<st_mysql_stmt, StmtClose>>;

    /// Connects and sets up the session; open_mariadb() gives it as a SqlConnection.
    static Result<std::unique_ptr<MariadbConnection>> connect(MariadbParams params);

    Dialect dialect() const noexcept override { return Dialect::mariadb; }
    Result<std::uint64_t> execute(std::string_view sql, std::span<const Value> params = {}) override;
    Result<std::vector<Row>> query(std::string_view sql, std::span<const Value> params = {}) override;
    std::int64_t last_insert_id() override { return last_insert_id_; }
    Result<void> begin() override;
    Result<void> commit() override;
    Result<void> rollback() override;
    void observe_link(LinkObserver observer) override { observer_ = std::move(observer); }

    /// Where and as whom, for messages: the socket or host:port, and the user.
    std::string where() const;

private:
    enum class Transaction { none, open, lost };
    /// Which call found the session lost: it decides what the message says was kept.
    enum class Step { connect, statement, commit };

    MariadbConnection(MariadbParams params, std::size_t reached, MysqlPtr mysql) noexcept;

    /// Forgets the session and the statements prepared on it.
    void drop_session() noexcept;
    /// The live session, made again first when the last one was lost outside a transaction.
    Result<st_mysql*> session();
    /// The error of a failed call (`code` and `text` from the client library);
    /// a lost session is dropped here, so the next call connects again.
    Error failure(unsigned code, const std::string& text, Step step);
    Error transaction_lost() const;
    void tell(LinkEvent event, const std::string& detail) const;

    MariadbParams params_;
    std::size_t reached_ = 0;  ///< the endpoint of the session now: 0 the first, n others[n - 1]
    MysqlPtr mysql_;           ///< null once the session was lost
    // Declared after mysql_, so they are closed before the session.
    Statements statements_;
    Transaction transaction_ = Transaction::none;
    std::int64_t last_insert_id_ = 0;
    LinkObserver observer_;
};

/// Connects and sets up the session. Errors are Errc::storage; the password
/// never appears in a message.
Result<std::unique_ptr<SqlConnection>> open_mariadb(const MariadbParams& params);

}  // namespace cardd::store
