#include "tests/support/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

extern char** environ;

namespace cardd::test {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds left_until(Clock::time_point deadline) {
    return std::max(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

// Reads what `fd` has within `timeout` into `pending`: false at end of stream or on error.
bool read_some(int fd, std::string& pending, std::chrono::milliseconds timeout) {
    pollfd p{fd, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready < 0) return errno == EINTR;
    if (ready == 0) return true;
    char buffer[65536];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0) return errno == EINTR || errno == EAGAIN;
    if (n == 0) return false;
    pending.append(buffer, static_cast<std::size_t>(n));
    return true;
}

// The next line (without newline) from `pending`, then from `fd`: nullopt at
// end of stream, on error, or after `timeout`; a partial line stays pending.
std::optional<std::string> read_line_from(int fd, std::string& pending, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        if (const auto newline = pending.find('\n'); newline != std::string::npos) {
            std::string line = pending.substr(0, newline);
            pending.erase(0, newline + 1);
            return line;
        }
        const auto left = left_until(deadline);
        if (left.count() <= 0) return std::nullopt;
        if (!read_some(fd, pending, left)) return std::nullopt;
    }
}

}  // namespace

std::string find_program(const std::string& name) {
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::stringstream in(path);
        for (std::string dir; std::getline(in, dir, ':');) {
            if (!dir.empty()) dirs.push_back(dir);
        }
    }
    for (const char* dir : {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}) {
        dirs.emplace_back(dir);
    }
    for (const std::string& dir : dirs) {
        const std::filesystem::path candidate = std::filesystem::path(dir) / name;
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return {};
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& stderr_path,
                           std::optional<Credentials> run_as)
    : stderr_path_(stderr_path) {
    // Everything the child needs is made before fork(): between fork() and
    // exec() only async-signal-safe calls are allowed.
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    const int err_fd = ::open(stderr_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ == 0) {
        // The child dies with the test: a crashed or killed test run leaves
        // no daemon, simulator or socat behind.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        ::dup2(pipe_fds[1], STDOUT_FILENO);
        if (err_fd >= 0) ::dup2(err_fd, STDERR_FILENO);
        if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
        if (run_as) {
            // Groups before the uid: once the uid is dropped they cannot change.
            if (::setgroups(run_as->groups.size(), run_as->groups.data()) != 0 ||
                ::setresgid(run_as->gid, run_as->gid, run_as->gid) != 0 ||
                ::setresuid(run_as->uid, run_as->uid, run_as->uid) != 0) {
                ::_exit(126);
            }
        }
        ::execve(args[0], args.data(), environ);
        ::_exit(127);
    }
    const int fork_errno = errno;
    ::close(pipe_fds[1]);
    if (err_fd >= 0) ::close(err_fd);
    if (null_fd >= 0) ::close(null_fd);
    if (pid_ < 0) {
        ::close(pipe_fds[0]);
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(fork_errno));
    }
    stdout_fd_ = pipe_fds[0];
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      stdout_fd_(std::exchange(other.stdout_fd_, -1)),
      pending_(std::move(other.pending_)),
      stderr_path_(std::move(other.stderr_path_)),
      status_(other.status_) {}

ChildProcess::~ChildProcess() {
    if (pid_ > 0 && status_ < 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

bool ChildProcess::running() { return wait(0ms) < 0; }

int ChildProcess::wait(std::chrono::milliseconds timeout) {
    if (status_ >= 0) return status_;
    const auto deadline = Clock::now() + timeout;
    for (;;) {
        int status = 0;
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) {
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return status_;
        }
        if (Clock::now() >= deadline) return -1;
        std::this_thread::sleep_for(5ms);
    }
}

void ChildProcess::signal(int signal) {
    if (status_ < 0) ::kill(pid_, signal);
}

int ChildProcess::stop(int signal, std::chrono::milliseconds timeout) {
    if (status_ >= 0) return status_;
    ::kill(pid_, signal);
    const int status = wait(timeout);
    if (status < 0) {
        ::kill(pid_, SIGKILL);
        wait(5s);
        return -1;
    }
    return status;
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
    return read_line_from(stdout_fd_, pending_, timeout);
}

std::string ChildProcess::read_rest(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (left_until(deadline).count() > 0 && read_some(stdout_fd_, pending_, left_until(deadline))) {}
    return std::exchange(pending_, {});
}

std::string ChildProcess::stderr_text() const {
    std::ifstream in(stderr_path_);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

Finished run_program(const std::vector<std::string>& argv, const std::filesystem::path& stderr_path,
                     std::chrono::milliseconds timeout, std::optional<Credentials> run_as) {
    const auto deadline = Clock::now() + timeout;
    ChildProcess child(argv, stderr_path, std::move(run_as));
    Finished finished;
    finished.out = child.read_rest(timeout);
    finished.exit_code = child.wait(left_until(deadline));
    if (finished.exit_code < 0) child.stop(SIGKILL, 1s);
    finished.err = child.stderr_text();
    return finished;
}

Termsim::Termsim(const std::string& program, const std::vector<std::string>& flags, const std::filesystem::path& dir)
    : process_(
          [&] {
              if (::access(program.c_str(), X_OK) != 0) {
                  throw std::runtime_error("card-termsim is missing (" + program + "): build it first");
              }
              std::vector<std::string> argv{program};
              argv.insert(argv.end(), flags.begin(), flags.end());
              return argv;
          }(),
          dir / ("card-termsim-" + std::to_string(::getpid()) + "-" +
                 std::to_string(Clock::now().time_since_epoch().count()) + ".stderr")) {
    const auto line = process_.read_line(10s);
    if (!line || line->find("card-termsim: listening on ") != 0) {
        process_.stop(SIGKILL);
        throw std::runtime_error("card-termsim did not get ready (" + line.value_or("no line") + "); its stderr:\n" +
                                 process_.stderr_text());
    }
    ready_ = *line;
}

std::uint16_t Termsim::port() const {
    const std::string prefix = "card-termsim: listening on ";
    const std::string endpoint = ready_.substr(prefix.size(), ready_.find(' ', prefix.size()) - prefix.size());
    const std::string port = endpoint.substr(endpoint.rfind(':') + 1);
    return static_cast<std::uint16_t>(std::stoul(port.substr(0, port.find('-'))));
}

PtyPair::PtyPair(const std::filesystem::path& dir)
    : a_(dir / "pty-a"),
      b_(dir / "pty-b"),
      socat_(
          [&] {
              const std::string socat = find_program("socat");
              if (socat.empty()) throw std::runtime_error("socat is not installed (Debian package socat)");
              return std::vector<std::string>{socat, "-d", "-d", "pty,raw,echo=0,link=" + a_.string(),
                                              "pty,raw,echo=0,link=" + b_.string()};
          }(),
          dir / "socat.stderr") {
    const auto deadline = Clock::now() + 5s;
    while (!(std::filesystem::exists(a_) && std::filesystem::exists(b_))) {
        if (Clock::now() > deadline || !socat_.running()) {
            throw std::runtime_error("socat made no pseudo-terminals; its stderr:\n" + socat_.stderr_text());
        }
        std::this_thread::sleep_for(5ms);
    }
}

LineClient::LineClient(const std::filesystem::path& path) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const int error = errno;
        if (fd_ >= 0) ::close(fd_);
        throw std::runtime_error("cannot connect to " + path.string() + ": " + std::strerror(error));
    }
    // A peer that stops reading must not hang the test for ever.
    const timeval timeout{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

LineClient::LineClient(LineClient&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), pending_(std::move(other.pending_)) {}

LineClient::~LineClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool LineClient::send(std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

std::optional<std::string> LineClient::read_line(std::chrono::milliseconds timeout) {
    return read_line_from(fd_, pending_, timeout);
}

std::string LineClient::ask(const std::string& line, std::chrono::milliseconds timeout) {
    if (!send(line + "\n")) throw std::runtime_error("socket send failed: " + std::string(std::strerror(errno)));
    auto answer = read_line(timeout);
    if (!answer) throw std::runtime_error("no answer line to: " + line.substr(0, 200));
    return *answer;
}

bool LineClient::closed_by_peer(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (left_until(deadline).count() > 0) {
        pending_.clear();
        if (!read_some(fd_, pending_, left_until(deadline))) return true;
    }
    return false;
}

int thread_count(pid_t pid) {
    std::ifstream status("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
    }
    return -1;
}

}  // namespace cardd::test
