#include "tools/cardctl/control_client.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fcntl.h>

namespace cardd::cardctl {

namespace {

ClientError protocol_error(std::string text) { return {ClientError::Kind::protocol, std::move(text)}; }

std::string seconds_text(std::chrono::milliseconds timeout) {
    const auto ms = timeout.count();
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + " s";
    return std::to_string(ms) + " ms";
}

std::string excerpt(std::string_view line) {
    constexpr std::size_t shown = 80;
    return line.size() <= shown ? std::string(line) : std::string(line.substr(0, shown)) + "...";
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
}

std::expected<ControlClient, ClientError> ControlClient::connect(const std::string& socket_path,
                                                                 std::chrono::milliseconds timeout) {
    const auto fail = [&](int error) {
        std::string text = "cannot connect to " + socket_path + ": " + std::strerror(error);
        text +=
            (error == EACCES || error == EPERM) ? "; is your user in one of cardd's groups?" : "; is cardd running?";
        return std::unexpected(ClientError{ClientError::Kind::connect, std::move(text)});
    };
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket_path.empty() || socket_path.size() >= sizeof(address.sun_path)) return fail(ENAMETOOLONG);
    std::ranges::copy(socket_path, address.sun_path);

    UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) return fail(errno);
    if (timeout.count() > 0) {
        // Bounds connect() when the daemon's backlog is full (Linux uses the send timeout there).
        timeval tv{};
        tv.tv_sec = static_cast<time_t>(timeout.count() / 1000);
        tv.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
        ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    }
    int rc = 0;
    do {
        rc = ::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) return fail(errno);
    // From here every wait goes through poll() with the timeout.
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags | O_NONBLOCK) < 0) return fail(errno);
    return ControlClient(std::move(fd), timeout);
}

int ControlClient::poll_timeout() const noexcept {
    if (timeout_.count() <= 0) return -1;
    return static_cast<int>(std::min<std::chrono::milliseconds::rep>(timeout_.count(), INT_MAX));
}

std::expected<void, ClientError> ControlClient::send_line(const std::string& line) {
    std::size_t sent = 0;
    while (sent < line.size()) {
        const ssize_t n = ::send(fd_.get(), line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n >= 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            pollfd p{fd_.get(), POLLOUT, 0};
            const int ready = ::poll(&p, 1, poll_timeout());
            if (ready == 0) {
                return std::unexpected(
                    ClientError{ClientError::Kind::timeout, "cardd took no request for " + seconds_text(timeout_)});
            }
            if (ready < 0 && errno != EINTR) return std::unexpected(protocol_error(std::strerror(errno)));
            continue;
        }
        return std::unexpected(protocol_error(std::string("cardd closed the connection: ") + std::strerror(errno)));
    }
    return {};
}

std::expected<std::string, ClientError> ControlClient::read_line() {
    for (;;) {
        const auto newline = buffer_.find('\n', scanned_);
        if (newline != std::string::npos) {
            if (newline > line_limit_) break;
            std::string line = buffer_.substr(0, newline);
            buffer_.erase(0, newline + 1);
            scanned_ = 0;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) continue;  // a blank line carries nothing
            return line;
        }
        scanned_ = buffer_.size();
        if (buffer_.size() > line_limit_) break;

        pollfd p{fd_.get(), POLLIN, 0};
        const int ready = ::poll(&p, 1, poll_timeout());
        if (ready == 0) {
            return std::unexpected(
                ClientError{ClientError::Kind::timeout,
                            "no answer from cardd within " + seconds_text(timeout_) +
                                "; the operation may still finish, so check its outcome before repeating it"});
        }
        if (ready < 0) {
            if (errno == EINTR) continue;
            return std::unexpected(protocol_error(std::strerror(errno)));
        }
        std::array<char, 64 * 1024> chunk{};
        const ssize_t n = ::recv(fd_.get(), chunk.data(), chunk.size(), 0);
        if (n == 0 || (n < 0 && (errno == ECONNRESET || errno == EPIPE))) {
            return std::unexpected(protocol_error("cardd closed the connection before answering"));
        }
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
            return std::unexpected(protocol_error(std::strerror(errno)));
        }
        buffer_.append(chunk.data(), static_cast<std::size_t>(n));
    }
    return std::unexpected(protocol_error("cardd sent a line longer than " + std::to_string(line_limit_) + " bytes"));
}

std::expected<Answer, ClientError> ControlClient::call(Json request, const ProgressHandler& on_progress) {
    const std::int64_t id = next_id_++;
    request["id"] = id;
    std::string line;
    try {
        line = request.dump() + "\n";
    } catch (const Json::exception& e) {  // text that is not UTF-8
        return std::unexpected(protocol_error(std::string("cannot encode the request: ") + e.what()));
    }
    // If sending fails because the daemon closed, it may have answered first (a refused line): read on.
    const auto sent = send_line(line);
    if (!sent && sent.error().kind != ClientError::Kind::protocol) return std::unexpected(sent.error());

    for (;;) {
        auto received = read_line();
        if (!received) return std::unexpected(sent ? received.error() : sent.error());
        Json message;
        try {
            message = Json::parse(*received);
        } catch (const Json::parse_error&) {
            return std::unexpected(protocol_error("cardd sent a line that is not JSON: " + excerpt(*received)));
        }
        if (!message.is_object()) {
            return std::unexpected(
                protocol_error("cardd sent a line that is not a JSON object: " + excerpt(*received)));
        }
        const auto found_id = message.find("id");
        const bool ours = found_id == message.end() || found_id->is_null() || *found_id == Json(id);
        if (!ours) continue;  // an answer to some other request: not for us to read

        if (const auto result = message.find("result"); result != message.end()) {
            if (!result->is_number_integer()) {
                return std::unexpected(
                    protocol_error("cardd sent an answer whose result is not an integer: " + excerpt(*received)));
            }
            return Answer{std::move(message), std::move(*received)};
        }
        const auto progress = message.find("progress");
        if (progress == message.end() || !progress->is_object()) {
            return std::unexpected(
                protocol_error("cardd sent a line that is neither progress nor an answer: " + excerpt(*received)));
        }
        if (on_progress) on_progress(*progress);
    }
}

}  // namespace cardd::cardctl
