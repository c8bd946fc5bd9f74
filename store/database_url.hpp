#pragma once
// `--database` spellings: "sqlite:PATH" or
// "mariadb://USER:PASS@HOST[:PORT]/DB[?socket=PATH]". For the nodes of a
// Galera cluster, several hosts ("@node1,node2:3307,node3/DB") or several
// sockets ("?socket=A&socket=B"), tried in order; with both, the first
// socket and the first host are one node (the socket used), then the other
// sockets, then the other hosts.

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

#include "store/mariadb_connection.hpp"
#include "store/sql_connection.hpp"

namespace cardd::store {

struct SqliteUrl {
    std::filesystem::path path;
};

using DatabaseUrl = std::variant<SqliteUrl, MariadbParams>;

/// Parses a database URL; the error message never repeats the password.
Result<DatabaseUrl> parse_database_url(std::string_view url);

/// The URL with any password replaced by "***", for logs.
std::string redact_database_url(std::string_view url);

Result<std::unique_ptr<SqlConnection>> open_database(const DatabaseUrl& url);

}  // namespace cardd::store
