#pragma once
// Real processes for end-to-end tests: card-termsim on TCP or on a serial
// line, and socat making the pseudo-terminal pair that plays an RS-485 bus.
// Everything is stopped when its object goes; a missing binary fails loudly.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cardd::daemon::test {

/// A child process with its stdout on a pipe. The destructor sends SIGTERM,
/// then SIGKILL if it has not gone within two seconds, and reaps it.
class ChildProcess {
public:
    /// Starts `path` with `args`. Throws std::runtime_error if it cannot.
    ChildProcess(const std::string& path, const std::vector<std::string>& args);
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    /// The next line of stdout, or nullopt at EOF or after `timeout`.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);
    /// SIGKILL and reap now (a terminal that dies).
    void kill_now();
    pid_t pid() const noexcept { return pid_; }

private:
    pid_t pid_ = -1;
    int stdout_fd_ = -1;
    std::string buffer_;
};

/// A fresh directory under the test's temporary directory, removed at the end.
class ScratchDir {
public:
    ScratchDir();
    ~ScratchDir();
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

/// Terminal options card-termsim takes for every terminal it serves.
struct TermsimOptions {
    std::uint32_t serial = 1;
    std::uint32_t capacity = 10000;
    std::uint32_t bitmap_limit = 0;
};

/// card-termsim serving one terminal on TCP (a free port it picks itself).
class TcpTermsim {
public:
    TcpTermsim(const std::filesystem::path& dir, TermsimOptions options);
    std::uint16_t port() const noexcept { return port_; }
    /// One control line to the simulator; the answer line ("ok ..." or "error ...").
    std::string control(const std::string& line);
    void kill_now() { process_.kill_now(); }

private:
    std::filesystem::path control_path_;
    ChildProcess process_;
    std::uint16_t port_ = 0;
};

/// socat joining two pseudo-terminals: the daemon opens one end, card-termsim the other.
class PtyPair {
public:
    explicit PtyPair(const std::filesystem::path& dir);
    const std::filesystem::path& daemon_end() const noexcept { return a_; }
    const std::filesystem::path& terminal_end() const noexcept { return b_; }

private:
    std::filesystem::path a_;
    std::filesystem::path b_;
    ChildProcess process_;
};

/// card-termsim serving several unit ids on one serial line.
class RtuTermsim {
public:
    RtuTermsim(const std::filesystem::path& device, const std::filesystem::path& dir, std::vector<int> units,
               int baud, char parity, TermsimOptions options);
    /// A control line for the terminal with index `index` (the order of `units`).
    std::string control(std::size_t index, const std::string& line);

private:
    std::filesystem::path control_path_;
    ChildProcess process_;
};

/// One request line over a Unix stream socket, the answer line back.
std::string unix_request(const std::filesystem::path& socket, const std::string& line);

}  // namespace cardd::daemon::test
