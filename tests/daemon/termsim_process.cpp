#include "tests/daemon/termsim_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <random>
#include <regex>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace cardd::daemon::test {

namespace {

using namespace std::chrono_literals;

[[noreturn]] void fail_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// An fd closed when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

void require_executable(const std::string& path, const char* what) {
    if (::access(path.c_str(), X_OK) != 0) {
        throw std::runtime_error(std::string(what) + " is missing (" + path +
                                 "): build card-termsim and install socat (scripts/deps.sh)");
    }
}

std::string wait_for_line(ChildProcess& process, const std::string& what) {
    auto line = process.read_line(10s);
    if (!line) throw std::runtime_error(what + " did not print its ready line");
    return *line;
}

}  // namespace

// ---- ChildProcess ----

ChildProcess::ChildProcess(const std::string& path, const std::vector<std::string>& args) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) fail_errno("pipe2");
    std::vector<char*> argv;
    argv.push_back(const_cast<char*>(path.c_str()));
    for (const auto& arg : args) argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) fail_errno("fork");
    if (pid_ == 0) {
        ::dup2(fds[1], STDOUT_FILENO);  // dup2 clears O_CLOEXEC on the copy
        ::execv(path.c_str(), argv.data());
        ::_exit(127);
    }
    ::close(fds[1]);
    stdout_fd_ = fds[0];
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        for (int i = 0; i < 200; ++i) {
            if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
                pid_ = -1;
                break;
            }
            std::this_thread::sleep_for(10ms);
        }
        if (pid_ > 0) kill_now();
    }
    if (stdout_fd_ >= 0) ::close(stdout_fd_);
}

void ChildProcess::kill_now() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
}

std::optional<std::string> ChildProcess::read_line(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (const auto newline = buffer_.find('\n'); newline != std::string::npos) {
            std::string line = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            return line;
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                                std::chrono::steady_clock::now());
        if (left.count() <= 0) return std::nullopt;
        pollfd p{stdout_fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char chunk[512];
        const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
        if (n <= 0) return std::nullopt;
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

// ---- ScratchDir ----

ScratchDir::ScratchDir() {
    const char* base = std::getenv("CARDD_TEST_TMPDIR");
    std::filesystem::path root = base != nullptr ? base : std::filesystem::temp_directory_path();
    std::random_device random;
    // Unix socket paths are limited to 108 bytes: keep the name short.
    path_ = root / ("lt" + std::to_string(::getpid()) + "-" + std::to_string(random() % 100000));
    std::filesystem::create_directories(path_);
}

ScratchDir::~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
}

// ---- card-termsim ----

namespace {

std::vector<std::string> terminal_args(const TermsimOptions& options, const std::filesystem::path& control) {
    return {"--serial", std::to_string(options.serial), "--capacity", std::to_string(options.capacity),
            "--bitmap-limit", std::to_string(options.bitmap_limit), "--control", control.string(), "--seed", "1"};
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

TcpTermsim::TcpTermsim(const std::filesystem::path& dir, TermsimOptions options)
    : control_path_(dir / ("ctl" + std::to_string(options.serial))),
      process_((require_executable(CARD_TERMSIM_PATH, "card-termsim"), CARD_TERMSIM_PATH),
               concat({"--tcp", "127.0.0.1:0"}, terminal_args(options, control_path_))) {
    const std::string line = wait_for_line(process_, "card-termsim");
    // "card-termsim: listening on 127.0.0.1:PORT (serial N)"
    std::smatch match;
    static const std::regex port_pattern(R"(127\.0\.0\.1:(\d+))");
    if (!std::regex_search(line, match, port_pattern)) {
        throw std::runtime_error("card-termsim's ready line has no port: " + line);
    }
    port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
}

std::string TcpTermsim::control(const std::string& line) {
    return unix_request(control_path_, line);
}

PtyPair::PtyPair(const std::filesystem::path& dir)
    : a_(dir / "bus-daemon"),
      b_(dir / "bus-terminals"),
      process_((require_executable(SOCAT_PATH, "socat"), SOCAT_PATH),
               {"pty,raw,echo=0,link=" + a_.string(), "pty,raw,echo=0,link=" + b_.string()}) {
    // The links appearing is the sign socat is ready.
    for (int i = 0; i < 500; ++i) {
        if (std::filesystem::exists(a_) && std::filesystem::exists(b_)) return;
        std::this_thread::sleep_for(10ms);
    }
    throw std::runtime_error("socat did not create the pseudo-terminal pair");
}

RtuTermsim::RtuTermsim(const std::filesystem::path& device, const std::filesystem::path& dir, std::vector<int> units,
                       int baud, char parity, TermsimOptions options)
    : control_path_(dir / "ctl-rtu"),
      process_((require_executable(CARD_TERMSIM_PATH, "card-termsim"), CARD_TERMSIM_PATH), [&] {
          std::vector<std::string> args{"--rtu", device.string(), "--baud", std::to_string(baud), "--parity",
                                        std::string(1, parity)};
          for (const int unit : units) {
              args.push_back("--unit");
              args.push_back(std::to_string(unit));
          }
          return concat(args, terminal_args(options, control_path_));
      }()) {
    wait_for_line(process_, "card-termsim");
}

std::string RtuTermsim::control(std::size_t index, const std::string& line) {
    return unix_request(control_path_, "@" + std::to_string(index) + " " + line);
}

std::string unix_request(const std::filesystem::path& socket, const std::string& line) {
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) fail_errno("socket");
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, socket.c_str(), sizeof address.sun_path - 1);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        fail_errno("connect " + socket.string());
    }
    const std::string request = line + "\n";
    if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
        fail_errno("send");
    }
    std::string answer;
    char c = 0;
    while (::read(fd.get(), &c, 1) == 1 && c != '\n') answer.push_back(c);
    return answer;
}

}  // namespace cardd::daemon::test
