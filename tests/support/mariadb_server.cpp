#include "tests/support/mariadb_server.hpp"

#include "tests/support/process.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cardd::test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const char* const missing_hint = "; install mariadb-server and mariadb-client (run `make deps`)";

// Throws, naming the package, when `name` is not installed.
std::string require_program(const std::string& name) {
    std::string found = find_program(name);
    if (found.empty()) {
        throw std::runtime_error("MariaDB test server: cannot find `" + name + "` in $PATH, /usr/sbin or /usr/bin" +
                                 missing_hint);
    }
    return found;
}

std::string tail(const fs::path& file) {
    constexpr std::streamoff max_bytes = 3000;
    std::ifstream in(file, std::ios::binary);
    if (!in) return "(" + file.string() + " does not exist)";
    in.seekg(0, std::ios::end);
    const std::streamoff size = in.tellg();
    in.seekg(size > max_bytes ? size - max_bytes : 0);
    std::ostringstream out;
    out << in.rdbuf();
    return "last lines of " + file.string() + ":\n" + out.str();
}

// Starts argv[0] with stdin from /dev/null and stdout and stderr appended to `log`.
pid_t spawn(const std::vector<std::string>& argv, const fs::path& log) {
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    const std::string log_path = log.string();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) throw std::runtime_error(std::string("MariaDB test server: fork: ") + std::strerror(errno));
    if (pid == 0) {
        // Only async-signal-safe calls from here on. If the test program is
        // killed before its destructors run, the server goes with it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(126);
        const int in = ::open("/dev/null", O_RDONLY);
        const int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (in < 0 || out < 0) ::_exit(126);
        ::dup2(in, STDIN_FILENO);
        ::dup2(out, STDOUT_FILENO);
        ::dup2(out, STDERR_FILENO);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    return pid;
}

// Returns the exit status, or -1 if the process was killed by a signal.
int wait_for(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int run(const std::vector<std::string>& argv, const fs::path& log) { return wait_for(spawn(argv, log)); }

bool exited(pid_t pid) {
    int status = 0;
    const pid_t r = ::waitpid(pid, &status, WNOHANG);
    return r == pid || (r < 0 && errno == ECHILD);
}

}  // namespace

MariadbServer::MariadbServer(const fs::path& parent) : dir_(parent, "mariadb-") {
    const std::string install_db = require_program("mariadb-install-db");
    const std::string mariadbd = require_program("mariadbd");
    admin_ = require_program("mariadb-admin");

    const fs::path data = dir_.path() / "data";
    error_log_ = dir_.path() / "error.log";
    socket_ = dir_.path() / "mariadb.sock";
    // sun_path holds 108 bytes with the terminating NUL; build trees can be deep.
    if (socket_.string().size() >= 100) {
        socket_dir_.emplace("/tmp", "cardd-mariadb-");
        socket_ = socket_dir_->path() / "mariadb.sock";
    }

    // Small and unsafe on power loss, which is what a throwaway test server wants.
    std::vector<std::string> tuning = {
        "--innodb-buffer-pool-size=32M",
        "--innodb-log-file-size=16M",
        "--innodb-flush-log-at-trx-commit=2",
        "--skip-innodb-doublewrite",
        "--skip-log-bin",
        "--skip-name-resolve",
        "--character-set-server=utf8mb4",
        "--collation-server=utf8mb4_bin",
    };
    if (::geteuid() == 0) tuning.emplace_back("--user=root");  // mariadbd refuses to run as root otherwise
    // A private tmpdir: two mariadb-install-db runs at once (ctest -j) sharing
    // /tmp now and then lose a bootstrap temporary table ("ERROR: 1051 Unknown
    // table 'mysql.tmp_user_sys'").
    const fs::path tmp = dir_.path() / "tmp";
    fs::create_directories(tmp);
    tuning.push_back("--tmpdir=" + tmp.string());

    std::vector<std::string> install = {install_db, "--no-defaults", "--datadir=" + data.string(),
                                        "--auth-root-authentication-method=normal", "--skip-test-db"};
    install.insert(install.end(), tuning.begin(), tuning.end());
    const fs::path install_log = dir_.path() / "install.log";
    if (run(install, install_log) != 0) {
        throw std::runtime_error("MariaDB test server: mariadb-install-db failed" + std::string(missing_hint) + "\n" +
                                 tail(install_log));
    }

    server_argv_ = {mariadbd,
                    "--no-defaults",
                    "--datadir=" + data.string(),
                    "--socket=" + socket_.string(),
                    "--skip-networking",
                    "--pid-file=" + (dir_.path() / "mariadbd.pid").string(),
                    "--log-error=" + error_log_.string()};
    server_argv_.insert(server_argv_.end(), tuning.begin(), tuning.end());
    start();
}

void MariadbServer::start() {
    if (pid_ >= 0) return;
    pid_ = spawn(server_argv_, error_log_);
    const std::vector<std::string> ping = {admin_,        "--no-defaults",       "--socket=" + socket_.string(),
                                           "--user=root", "--connect-timeout=2", "ping"};
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (true) {
        if (exited(pid_)) {
            pid_ = -1;
            throw std::runtime_error("MariaDB test server: mariadbd exited during start-up" +
                                     std::string(missing_hint) + "\n" + tail(error_log_));
        }
        if (fs::exists(socket_) && run(ping, dir_.path() / "admin.log") == 0) return;
        if (std::chrono::steady_clock::now() > deadline) {
            std::string log = tail(error_log_);
            stop();
            throw std::runtime_error("MariaDB test server: mariadbd did not answer within 60 s\n" + log);
        }
        std::this_thread::sleep_for(50ms);
    }
}

void MariadbServer::kill() noexcept {
    if (pid_ < 0) return;
    ::kill(pid_, SIGKILL);
    wait_for(pid_);
    pid_ = -1;
}

MariadbServer::~MariadbServer() { stop(); }

void MariadbServer::stop() noexcept {
    if (pid_ < 0) return;
    // SIGTERM is mariadbd's normal shutdown; `mariadb-admin shutdown` does the
    // same but then polls the pid file once a second, adding a second per run.
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    while (!exited(pid_)) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            wait_for(pid_);
            break;
        }
        std::this_thread::sleep_for(20ms);
    }
    pid_ = -1;
}

store::MariadbParams MariadbServer::params(const std::string& database) const {
    store::MariadbParams p;
    p.user = "root";
    p.database = database;
    p.socket = socket_.string();
    return p;
}

void MariadbServer::admin_sql(const std::string& sql) {
    auto conn = store::open_mariadb(params(""));
    if (!conn) throw std::runtime_error("MariaDB test server: " + conn.error().message);
    if (auto r = (*conn)->execute(sql); !r) {
        throw std::runtime_error("MariaDB test server: " + sql + ": " + r.error().message);
    }
}

void MariadbServer::create_database(const std::string& name) {
    admin_sql("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin");
}

void MariadbServer::drop_database(const std::string& name) { admin_sql("DROP DATABASE IF EXISTS `" + name + "`"); }

}  // namespace cardd::test
