#pragma once
// A private mariadbd for tests: its own data directory and Unix socket, no TCP,
// started in the constructor and stopped in the destructor, so MariaDB tests
// need nothing set up on the machine beyond the mariadb-server package. A
// test may kill it and start it again on the same data directory, as a
// database server that crashes and comes back.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "store/mariadb_connection.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::test {

class MariadbServer {
public:
    /// Initialises a data directory under `parent`, starts mariadbd and waits
    /// until it answers. Throws std::runtime_error naming the missing program,
    /// or quoting the server's error log, when that fails.
    explicit MariadbServer(const std::filesystem::path& parent = test_tmp_root());
    /// Shuts the server down and removes its directory.
    ~MariadbServer();
    MariadbServer(const MariadbServer&) = delete;
    MariadbServer& operator=(const MariadbServer&) = delete;

    /// Connection parameters for `database` (may be empty): root, no password, the socket.
    store::MariadbParams params(const std::string& database) const;
    /// Creates a database with the character set and collation cardd documents
    /// for production (utf8mb4, utf8mb4_bin); throws on failure.
    void create_database(const std::string& name);
    void drop_database(const std::string& name);

    const std::filesystem::path& socket() const noexcept { return socket_; }

    /// SIGKILL, as a server that crashes: nothing is flushed or shut down.
    void kill() noexcept;
    /// SIGTERM, mariadbd's normal shutdown (SIGKILL after 30 s).
    void stop() noexcept;
    /// Starts mariadbd again on the same data directory and socket and waits
    /// until it answers (after a kill, InnoDB recovers first). Throws as the
    /// constructor does.
    void start();
    bool running() const noexcept { return pid_ >= 0; }

private:
    void admin_sql(const std::string& sql);

    TempDir dir_;
    std::optional<TempDir> socket_dir_;  // only when dir_ is too deep for a socket path
    std::filesystem::path socket_;
    std::filesystem::path error_log_;
    std::string admin_;
    std::vector<std::string> server_argv_;
    pid_t pid_ = -1;
};

}  // namespace cardd::test
