#pragma once
// A private MariaDB Galera cluster for tests: N mariadbd nodes on loopback,
// each with its own data directory, client socket, client port, group
// communication port (gmcast.listen_addr), IST and SST ports. The first
// node bootstraps the cluster; the others join it by state transfer
// (rsync). Durable and strict as a card centre would run it:
// innodb_flush_log_at_trx_commit=1, wsrep_sync_wait=1 (reads see every
// write the cluster committed before them). Stopped in the destructor.
//
// A node may be killed, stopped, started again (it rejoins, by IST when the
// others still hold what it missed), paused with SIGSTOP and resumed.
//
// The nodes run as the mysql user the mariadb-server package creates: the
// rsync daemon of a state transfer started by root drops to "nobody", who
// could not write the data directory.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "store/mariadb_connection.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::test {

class GaleraCluster {
public:
    /// Starts `nodes` nodes and waits until every one is Synced in a cluster
    /// of that size. Throws std::runtime_error naming what is missing
    /// (mariadb-server, galera-4, rsync) or quoting a node's error log.
    explicit GaleraCluster(int nodes = 3);
    ~GaleraCluster();
    GaleraCluster(const GaleraCluster&) = delete;
    GaleraCluster& operator=(const GaleraCluster&) = delete;

    int size() const noexcept { return static_cast<int>(nodes_.size()); }
    /// Connection parameters for `database` on node `node`: root, the node's socket.
    store::MariadbParams params(int node, const std::string& database) const;
    /// The node's client socket and its TCP client port on 127.0.0.1.
    const std::filesystem::path& socket(int node) const { return nodes_.at(static_cast<std::size_t>(node)).socket; }
    std::uint16_t client_port(int node) const { return nodes_.at(static_cast<std::size_t>(node)).client_port; }

    /// Runs SQL on a node (root); throws with the server's message on failure.
    void sql(int node, const std::string& statement);
    /// One value of SHOW GLOBAL STATUS on a node, or nullopt when the node does not answer.
    std::optional<std::string> status(int node, const std::string& name);
    /// A database with cardd's production character set, made on `node` and replicated to all.
    void create_database(const std::string& name, int node = 0);

    /// SIGKILL: the node crashes.
    void kill(int node);
    /// SIGTERM: the node leaves the cluster cleanly.
    void stop(int node);
    /// Starts a node that was killed or stopped again and waits until it is
    /// Synced with the others (it rejoins; it never bootstraps a new cluster).
    void start(int node);
    /// SIGSTOP and SIGCONT: a node that freezes (a long pause, a VM migration).
    void pause(int node);
    void resume(int node);
    bool running(int node) const { return nodes_.at(static_cast<std::size_t>(node)).process.has_value(); }

    /// Waits until `node` reports Synced in a primary component of `members`
    /// nodes; throws, with the node's log, after `timeout`.
    void wait_synced(int node, int members, std::chrono::milliseconds timeout = std::chrono::seconds(90));

private:
    struct Node {
        std::filesystem::path dir;
        std::filesystem::path socket;
        std::filesystem::path error_log;
        std::uint16_t group_port = 0;
        std::uint16_t client_port = 0;
        std::uint16_t ist_port = 0;
        std::uint16_t sst_port = 0;
        std::optional<ChildProcess> process;
    };

    std::vector<std::string> server_argv(const Node& node, int index) const;
    void launch(int node, bool bootstrap);
    std::string log_tail(int node) const;

    TempDir dir_;
    std::string mariadbd_;
    std::string cluster_address_;
    std::vector<Node> nodes_;
};

}  // namespace cardd::test
