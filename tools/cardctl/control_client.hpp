#pragma once
// The client end of cardd's control socket (docs/control-socket.md): connect
// to the Unix socket, send one request line, read lines until the final answer
// for that request's id, handing progress lines to a callback on the way.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <functional>
#include <string>
#include <utility>

#include "tools/cardctl/json.hpp"

namespace cardd::cardctl {

/// The daemon refuses request lines longer than this (result 6).
inline constexpr std::size_t daemon_line_limit = 1024 * 1024;
/// An answer line longer than this is a broken daemon, not a big answer.
inline constexpr std::size_t answer_line_limit = 16 * 1024 * 1024;

struct ClientError {
    enum class Kind {
        connect,   ///< no daemon at the socket, or not allowed to connect
        protocol,  ///< the connection broke, or the daemon said something that is not an answer
        timeout,   ///< the daemon said nothing for the whole timeout
    };
    Kind kind = Kind::protocol;
    std::string text;
};

/// A final answer: parsed, and the line as the daemon sent it.
struct Answer {
    Json message;
    std::string line;
};

/// Called with the `progress` object of each progress line.
using ProgressHandler = std::function<void(const Json& progress)>;

/// Owns a file descriptor: closed when the owner goes.
class UniqueFd {
public:
    explicit UniqueFd(int fd = -1) noexcept : fd_(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

class ControlClient {
public:
    /// `timeout` bounds every wait for the daemon (connecting, sending, and the
    /// silence between two lines of an answer); zero waits forever.
    static std::expected<ControlClient, ClientError> connect(const std::string& socket_path,
                                                             std::chrono::milliseconds timeout);

    /// Sends `request` (command and arguments) with the next id, and returns
    /// the final answer for that id. Lines for other ids are skipped; a final
    /// line with a null id is taken as ours (the daemon could not read our id).
    std::expected<Answer, ClientError> call(Json request, const ProgressHandler& on_progress = {});

    /// Lower the answer line limit (tests).
    void set_answer_line_limit(std::size_t bytes) noexcept { line_limit_ = bytes; }

private:
    ControlClient(UniqueFd fd, std::chrono::milliseconds timeout) noexcept : fd_(std::move(fd)), timeout_(timeout) {}

    std::expected<void, ClientError> send_line(const std::string& line);
    std::expected<std::string, ClientError> read_line();

    /// Milliseconds for poll(): the timeout, or -1 for none.
    int poll_timeout() const noexcept;

    UniqueFd fd_;
    std::chrono::milliseconds timeout_;
    std::size_t line_limit_ = answer_line_limit;
    std::string buffer_;       ///< bytes received after the last complete line
    std::size_t scanned_ = 0;  ///< bytes of buffer_ known to hold no line break
    std::int64_t next_id_ = 1;
};

}  // namespace cardd::cardctl
