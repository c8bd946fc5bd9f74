#pragma once
// The MariaDB backend of SqlConnection, on MariaDB Connector/C. Every
// statement goes through the binary protocol (prepared statements), so values
// never pass through SQL text.

#include <memory>
#include <string>

#include "store/sql_connection.hpp"

struct st_mysql;  // MYSQL from <mysql.h>, kept out of this header

namespace cardd::store {

/// Where and as whom to connect. A non-empty socket wins over host/port.
struct MariadbParams {
    std::string user, password, host, database, socket;
    unsigned port = 0;
};

/// One session on a MariaDB server: utf8mb4, strict SQL mode, UTC, autocommit
/// outside begin()/commit(), no automatic reconnect. Not thread-safe: use one
/// connection per thread.
class MariadbConnection final : public SqlConnection {
public:
    struct MysqlClose {
        void operator()(st_mysql* m) const noexcept;
    };
    using MysqlPtr = std::unique_ptr<st_mysql, MysqlClose>;

    /// Takes an already connected handle; use open_mariadb() instead.
    explicit MariadbConnection(MysqlPtr mysql) noexcept;

    Dialect dialect() const noexcept override { return Dialect::mariadb; }
    Result<std::uint64_t> execute(std::string_view sql, std::span<const Value> params = {}) override;
    Result<std::vector<Row>> query(std::string_view sql, std::span<const Value> params = {}) override;
    std::int64_t last_insert_id() override { return last_insert_id_; }
    Result<void> begin() override;
    Result<void> commit() override;
    Result<void> rollback() override;

private:
    MysqlPtr mysql_;
    std::int64_t last_insert_id_ = 0;
};

/// Connects and sets up the session. Errors are Errc::storage; the password
/// never appears in a message.
Result<std::unique_ptr<SqlConnection>> open_mariadb(const MariadbParams& params);

}  // namespace cardd::store
