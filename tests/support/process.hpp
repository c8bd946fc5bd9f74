#pragma once
// Child processes for tests that run the real programs: any program with its
// stdout on a pipe (optionally as another user), card-termsim up and
// listening, a socat pseudo-terminal pair, and a line client for Unix
// stream sockets (cardd's control socket, card-termsim's --control).

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cardd::test {

using namespace std::chrono_literals;

/// Full path of a program on PATH or in the usual bin and sbin directories
/// (mariadbd lives in /usr/sbin, which a non-root PATH often lacks), or empty.
std::string find_program(const std::string& name);

/// Who a child runs as: set before exec, supplementary groups first.
struct Credentials {
    uid_t uid = 0;
    gid_t gid = 0;              ///< the primary group, which SO_PEERCRED reports
    std::vector<gid_t> groups;  ///< supplementary groups
};

/// A running child process; killed (SIGKILL) and reaped on destruction.
/// The child also gets SIGKILL when the test program dies.
class ChildProcess {
public:
    /// Spawns `argv` (argv[0] a full path) with stdout to a pipe this object
    /// reads, stderr to `stderr_path` and stdin from /dev/null, as `run_as`
    /// when given. Throws std::runtime_error.
    ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& stderr_path,
                 std::optional<Credentials> run_as = std::nullopt);
    ~ChildProcess();
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&&) = delete;
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const noexcept { return pid_; }
    bool running();
    /// One line of stdout, or nullopt at end of stream or after `timeout`.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    /// All of stdout not read yet, up to end of stream or `timeout`.
    std::string read_rest(std::chrono::milliseconds timeout);
    /// Sends `signal` and returns at once.
    void signal(int signal);
    /// Sends `signal` and waits up to `timeout`: the exit code, 128 + the
    /// signal that ended it, or -1 when still running (then SIGKILLed).
    int stop(int signal, std::chrono::milliseconds timeout = 5s);
    /// The exit status once it ended by itself within `timeout`, else -1.
    int wait(std::chrono::milliseconds timeout);
    std::string stderr_text() const;

private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::string pending_;
    std::filesystem::path stderr_path_;
    int status_ = -1;
};

/// What a program that ran to its end printed, and how it ended.
struct Finished {
    int exit_code = -1;  ///< as ChildProcess::wait: 128 + signal when killed, -1 when it overran
    std::string out;
    std::string err;
};

/// Runs `argv` to its end (SIGKILL after `timeout`), stderr kept in `stderr_path`.
Finished run_program(const std::vector<std::string>& argv, const std::filesystem::path& stderr_path,
                     std::chrono::milliseconds timeout, std::optional<Credentials> run_as = std::nullopt);

/// card-termsim started with some flags, up and listening.
class Termsim {
public:
    /// Starts `program` with `flags` (stderr in a file under `dir`) and waits
    /// for its "listening on" line. Throws std::runtime_error, quoting its
    /// stderr, when it does not get there.
    Termsim(const std::string& program, const std::vector<std::string>& flags, const std::filesystem::path& dir);

    ChildProcess& process() noexcept { return process_; }
    pid_t pid() const noexcept { return process_.pid(); }
    const std::string& ready_line() const noexcept { return ready_; }
    /// The (first) TCP port of the ready line.
    std::uint16_t port() const;

private:
    ChildProcess process_;
    std::string ready_;
};

/// `socat pty,link=A pty,link=B`: two pseudo-terminals joined back to back.
/// Throws, saying so, when socat is not installed.
class PtyPair {
public:
    explicit PtyPair(const std::filesystem::path& dir);
    std::string a() const { return a_.string(); }
    std::string b() const { return b_.string(); }

private:
    std::filesystem::path a_;
    std::filesystem::path b_;
    ChildProcess socat_;
};

/// A connection to a Unix stream socket that speaks in lines.
class LineClient {
public:
    /// Connects; throws std::runtime_error when it cannot.
    explicit LineClient(const std::filesystem::path& path);
    ~LineClient();
    LineClient(LineClient&& other) noexcept;
    LineClient& operator=(LineClient&&) = delete;
    LineClient(const LineClient&) = delete;
    LineClient& operator=(const LineClient&) = delete;

    /// Sends bytes as they are (no newline added); false when the peer is gone.
    bool send(std::string_view bytes);
    /// The next line (without newline), or nullopt at end of stream or after `timeout`.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    /// Sends one line, returns the answer line; throws std::runtime_error when
    /// the socket fails or no line comes within `timeout`.
    std::string ask(const std::string& line, std::chrono::milliseconds timeout = 5s);
    /// True once the peer has closed the connection (waits up to `timeout`, discarding input).
    bool closed_by_peer(std::chrono::milliseconds timeout);

private:
    int fd_ = -1;
    std::string pending_;
};

/// Threads: of /proc/PID/status.
int thread_count(pid_t pid);

}  // namespace cardd::test
