#include "tests/reliability/request_in_flight.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace cardd::reliability {

RequestInFlight::RequestInFlight(const std::filesystem::path& socket, const nlohmann::json& request) {
    fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string path = socket.string();
    if (path.size() >= sizeof address.sun_path) throw std::runtime_error("socket path too long: " + path);
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        const std::string why = std::strerror(errno);
        ::close(fd_);
        throw std::runtime_error("cannot connect to cardd at " + path + ": " + why);
    }
    const std::string line = request.dump() + "\n";
    sent_at_ = std::chrono::steady_clock::now();
    std::size_t sent = 0;
    while (sent < line.size()) {
        const ssize_t n = ::send(fd_, line.data() + sent, line.size() - sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            const std::string why = std::strerror(errno);
            ::close(fd_);
            throw std::runtime_error("cannot send to cardd: " + why);
        }
        sent += static_cast<std::size_t>(n);
    }
}

RequestInFlight::~RequestInFlight() {
    if (fd_ >= 0) ::close(fd_);
}

bool RequestInFlight::read_available(int timeout_ms) {
    pollfd ready{fd_, POLLIN, 0};
    const int n = ::poll(&ready, 1, timeout_ms);
    if (n <= 0) return n == 0 || errno == EINTR;
    char buffer[65536];
    const ssize_t got = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (got < 0) return errno == EAGAIN || errno == EINTR;
    if (got == 0) return false;
    pending_.append(buffer, static_cast<std::size_t>(got));
    for (auto newline = pending_.find('\n'); newline != std::string::npos; newline = pending_.find('\n')) {
        auto line = nlohmann::json::parse(pending_.substr(0, newline), nullptr, false);
        pending_.erase(0, newline + 1);
        // Progress lines come first and have no result.
        if (line.is_object() && line.contains("result")) answer_ = std::move(line);
    }
    return true;
}

bool RequestInFlight::answered() {
    if (!answer_) read_available(0);
    return answer_.has_value();
}

void RequestInFlight::drain(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!answer_ && std::chrono::steady_clock::now() < deadline) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (!read_available(static_cast<int>(std::max<long>(1, left.count())))) break;
    }
}

}  // namespace cardd::reliability
