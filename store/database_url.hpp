#pragma once
// `--database` spellings: "sqlite:PATH" or
// "mariadb://USER:PASS@HOST[:PORT]/DB[?socket=PATH]".

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
