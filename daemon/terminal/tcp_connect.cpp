#include "daemon/terminal/tcp_connect.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace cardd::daemon {

namespace {

struct AddrinfoFree {
    void operator()(addrinfo* list) const noexcept { ::freeaddrinfo(list); }
};

std::string errno_text(int err) { return std::strerror(err); }

/// Waits for a non-blocking connect to finish; 0 or the errno it failed with.
int finish_connect(int fd, std::chrono::steady_clock::time_point deadline) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return ETIMEDOUT;
        pollfd watched{fd, POLLOUT, 0};
        const int ready = ::poll(&watched, 1, static_cast<int>(left.count()));
        if (ready < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        if (ready == 0) return ETIMEDOUT;
        int err = 0;
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) return errno;
        return err;
    }
}

}  // namespace

bool selectable_descriptor(int fd) noexcept { return fd >= 0 && fd < FD_SETSIZE; }

LinkResult<int> connect_tcp(const std::string& host, int port, std::chrono::milliseconds timeout) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_ADDRCONFIG;
    addrinfo* found = nullptr;
    const std::string service = std::to_string(port);
    if (const int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &found); rc != 0) {
        return link_fail(LinkError::Kind::io, "connect: cannot resolve '" + host + "': " + ::gai_strerror(rc));
    }
    const std::unique_ptr<addrinfo, AddrinfoFree> addresses(found);
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int last_error = EHOSTUNREACH;
    for (const addrinfo* at = addresses.get(); at != nullptr; at = at->ai_next) {
        const int fd = ::socket(at->ai_family, at->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, at->ai_protocol);
        if (fd < 0) {
            last_error = errno;
            continue;
        }
        if (!selectable_descriptor(fd)) {
            ::close(fd);
            return link_fail(LinkError::Kind::io, "connect: descriptor " + std::to_string(fd) +
                                                      " is past what libmodbus can wait on (" +
                                                      std::to_string(FD_SETSIZE) + "); lower max_terminal_connections");
        }
        // Requests are small and answered at once: Nagle would hold each one back.
        const int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        int err = 0;
        if (::connect(fd, at->ai_addr, at->ai_addrlen) != 0) {
            err = errno == EINPROGRESS ? finish_connect(fd, deadline) : errno;
        }
        if (err == 0) return fd;
        ::close(fd);
        last_error = err;
        if (err == ETIMEDOUT) break;
    }
    if (last_error == ETIMEDOUT) return link_fail(LinkError::Kind::timeout, "connect: " + errno_text(last_error));
    return link_fail(LinkError::Kind::io, "connect: " + errno_text(last_error));
}

}  // namespace cardd::daemon
