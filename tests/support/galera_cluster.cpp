#include "tests/support/galera_cluster.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace cardd::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr const char* provider = "/usr/lib/galera/libgalera_smm.so";
constexpr int ports_per_node = 4;

bool port_free(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const bool free = ::bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return free;
}

// `count` consecutive free ports below Linux's ephemeral range (32768 up),
// so that no client socket takes one while a node is down.
std::uint16_t free_ports(int count) {
    static std::mt19937 random(std::random_device{}());
    for (int attempt = 0; attempt < 50; ++attempt) {
        const auto base = static_cast<std::uint16_t>(std::uniform_int_distribution<int>(10000, 32000 - count)(random));
        bool free = true;
        for (int n = 0; n < count && free; ++n) free = port_free(static_cast<std::uint16_t>(base + n));
        if (free) return base;
    }
    throw std::runtime_error("Galera test cluster: no " + std::to_string(count) + " free consecutive ports");
}

std::string require(const std::string& name, const std::string& package) {
    std::string found = find_program(name);
    if (found.empty()) throw std::runtime_error("Galera test cluster: `" + name + "` is missing; install " + package);
    return found;
}

void chown_tree(const fs::path& root, uid_t uid, gid_t gid) {
    if (::chown(root.c_str(), uid, gid) != 0) throw std::runtime_error("chown " + root.string() + " failed");
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        if (::lchown(entry.path().c_str(), uid, gid) != 0) {
            throw std::runtime_error("chown " + entry.path().string() + " failed");
        }
    }
}

}  // namespace

GaleraCluster::GaleraCluster(int nodes) : dir_("/tmp", "cardd-galera-") {
    const std::string install_db = require("mariadb-install-db", "mariadb-server (make deps)");
    mariadbd_ = require("mariadbd", "mariadb-server (make deps)");
    require("rsync", "rsync (make deps), the state transfer Galera's joiners use here");
    require("wsrep_sst_rsync", "mariadb-server (make deps)");
    if (!fs::exists(provider))
        throw std::runtime_error(std::string("Galera test cluster: ") + provider +
                                 " is missing; install galera-4 (make deps)");
    if (::geteuid() != 0) throw std::runtime_error("Galera test cluster: run as root (the nodes run as mysql)");
    const passwd* mysql = ::getpwnam("mysql");
    if (mysql == nullptr) throw std::runtime_error("Galera test cluster: no mysql user; install mariadb-server");
    fs::permissions(dir_.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                                     fs::perms::others_read | fs::perms::others_exec);

    const std::uint16_t base = free_ports(nodes * ports_per_node);
    for (int n = 0; n < nodes; ++n) {
        Node node;
        node.dir = dir_.path() / ("node" + std::to_string(n));
        node.socket = node.dir / "mariadb.sock";
        node.error_log = node.dir / "error.log";
        node.group_port = static_cast<std::uint16_t>(base + n * ports_per_node);
        node.client_port = static_cast<std::uint16_t>(node.group_port + 1);
        node.ist_port = static_cast<std::uint16_t>(node.group_port + 2);
        node.sst_port = static_cast<std::uint16_t>(node.group_port + 3);
        fs::create_directories(node.dir / "data");
        fs::create_directories(node.dir / "tmp");
        chown_tree(node.dir, mysql->pw_uid, mysql->pw_gid);
        cluster_address_ += (n == 0 ? "gcomm://" : ",") + std::string("127.0.0.1:") + std::to_string(node.group_port);
        const fs::path install_log = node.dir / "install.log";
        const Finished installed =
            run_program({install_db, "--no-defaults", "--datadir=" + (node.dir / "data").string(),
                         "--auth-root-authentication-method=normal", "--skip-test-db", "--user=mysql",
                         "--tmpdir=" + (node.dir / "tmp").string()},
                        install_log, 120s);
        if (installed.exit_code != 0) {
            throw std::runtime_error("Galera test cluster: mariadb-install-db failed for node " + std::to_string(n) +
                                     ":\n" + installed.out + installed.err);
        }
        nodes_.push_back(std::move(node));
    }
    launch(0, true);
    wait_synced(0, 1);
    for (int n = 1; n < nodes; ++n) launch(n, false);
    for (int n = 1; n < nodes; ++n) wait_synced(n, nodes);
}

GaleraCluster::~GaleraCluster() {
    // The joiners first, the bootstrap node last: each leaves a cluster that goes on.
    for (int n = size() - 1; n >= 0; --n) {
        Node& node = nodes_[static_cast<std::size_t>(n)];
        if (!node.process) continue;
        node.process->signal(SIGCONT);
        node.process->stop(SIGTERM, 60s);
        node.process.reset();
    }
}

std::vector<std::string> GaleraCluster::server_argv(const Node& node, int index) const {
    const std::string g = std::to_string(node.group_port);
    return {mariadbd_, "--no-defaults", "--user=mysql", "--datadir=" + (node.dir / "data").string(),
            "--tmpdir=" + (node.dir / "tmp").string(), "--socket=" + node.socket.string(),
            "--port=" + std::to_string(node.client_port), "--bind-address=127.0.0.1",
            "--pid-file=" + (node.dir / "mariadbd.pid").string(), "--log-error=" + node.error_log.string(),
            "--skip-name-resolve", "--character-set-server=utf8mb4", "--collation-server=utf8mb4_bin",
            "--innodb-buffer-pool-size=32M", "--innodb-log-file-size=16M",
            // Durable, as a card centre runs it: a commit is on disk when it returns.
            "--innodb-flush-log-at-trx-commit=1",
            // Galera replicates row events, needs InnoDB, and interleaved auto-increment locks.
            "--binlog-format=ROW", "--default-storage-engine=InnoDB", "--innodb-autoinc-lock-mode=2", "--wsrep-on=ON",
            std::string("--wsrep-provider=") + provider, "--wsrep-cluster-name=cardd-test",
            "--wsrep-cluster-address=" + cluster_address_, "--wsrep-node-name=node" + std::to_string(index),
            "--wsrep-node-address=127.0.0.1:" + g,
            "--wsrep-provider-options=base_port=" + g + ";gmcast.listen_addr=tcp://127.0.0.1:" + g +
                ";ist.recv_addr=127.0.0.1:" + std::to_string(node.ist_port) +
                // A frozen node is suspected after 2 s and evicted after 4, so the others go on.
                ";gcache.size=64M;evs.keepalive_period=PT0.5S;evs.suspect_timeout=PT2S;evs.inactive_timeout=PT4S;evs."
                "install_timeout=PT4S",
            "--wsrep-sst-method=rsync", "--wsrep-sst-receive-address=127.0.0.1:" + std::to_string(node.sst_port),
            // A read waits until the node has applied every write the cluster committed before it.
            "--wsrep-sync-wait=1"};
}

void GaleraCluster::launch(int index, bool bootstrap) {
    Node& node = nodes_.at(static_cast<std::size_t>(index));
    std::vector<std::string> argv = server_argv(node, index);
    if (bootstrap) argv.emplace_back("--wsrep-new-cluster");
    node.process.emplace(argv, node.dir / "stderr.log");
}

void GaleraCluster::kill(int node) {
    Node& n = nodes_.at(static_cast<std::size_t>(node));
    if (!n.process) return;
    n.process->stop(SIGKILL, 10s);
    n.process.reset();
}

void GaleraCluster::stop(int node) {
    Node& n = nodes_.at(static_cast<std::size_t>(node));
    if (!n.process) return;
    n.process->signal(SIGCONT);
    n.process->stop(SIGTERM, 60s);
    n.process.reset();
}

void GaleraCluster::start(int node) {
    if (running(node)) return;
    launch(node, false);
    int others = 1;
    for (int n = 0; n < size(); ++n) others += (n != node && running(n)) ? 1 : 0;
    wait_synced(node, others);
}

void GaleraCluster::pause(int node) { nodes_.at(static_cast<std::size_t>(node)).process->signal(SIGSTOP); }

void GaleraCluster::resume(int node) { nodes_.at(static_cast<std::size_t>(node)).process->signal(SIGCONT); }

store::MariadbParams GaleraCluster::params(int node, const std::string& database) const {
    store::MariadbParams p;
    p.user = "root";
    p.database = database;
    p.socket = socket(node).string();
    return p;
}

void GaleraCluster::sql(int node, const std::string& statement) {
    auto conn = store::open_mariadb(params(node, ""));
    if (!conn) throw std::runtime_error("Galera node " + std::to_string(node) + ": " + conn.error().message);
    if (auto done = (*conn)->execute(statement); !done) {
        throw std::runtime_error("Galera node " + std::to_string(node) + ": " + statement + ": " +
                                 done.error().message);
    }
}

std::optional<std::string> GaleraCluster::status(int node, const std::string& name) {
    if (!running(node)) return std::nullopt;
    auto conn = store::open_mariadb(params(node, ""));
    if (!conn) return std::nullopt;
    auto rows = (*conn)->query("SHOW GLOBAL STATUS LIKE '" + name + "'");
    if (!rows || rows->empty() || rows->front().size() < 2) return std::nullopt;
    const auto* value = std::get_if<std::string>(&rows->front()[1]);
    return value ? std::optional(*value) : std::nullopt;
}

void GaleraCluster::create_database(const std::string& name, int node) {
    sql(node, "CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
}

void GaleraCluster::wait_synced(int node, int members, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    Node& n = nodes_.at(static_cast<std::size_t>(node));
    for (;;) {
        if (n.process && !n.process->running()) {
            n.process.reset();
            throw std::runtime_error("Galera node " + std::to_string(node) + " exited while starting; " +
                                     log_tail(node));
        }
        if (std::filesystem::exists(n.socket) && status(node, "wsrep_local_state_comment") == "Synced" &&
            status(node, "wsrep_cluster_size") == std::to_string(members) &&
            status(node, "wsrep_cluster_status") == "Primary") {
            return;
        }
        if (std::chrono::steady_clock::now() > deadline) {
            throw std::runtime_error("Galera node " + std::to_string(node) + " not Synced in a cluster of " +
                                     std::to_string(members) + " in time; " + log_tail(node));
        }
        std::this_thread::sleep_for(100ms);
    }
}

std::string GaleraCluster::log_tail(int node) const {
    const fs::path& file = nodes_.at(static_cast<std::size_t>(node)).error_log;
    std::ifstream in(file);
    std::ostringstream all;
    all << in.rdbuf();
    const std::string text = all.str();
    constexpr std::size_t keep = 4000;
    return "last lines of " + file.string() + ":\n" + (text.size() > keep ? text.substr(text.size() - keep) : text);
}

}  // namespace cardd::test
