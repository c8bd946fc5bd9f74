#include "fake_daemon.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace cardd::cardctl::testing {

namespace {

// Waits up to 20 ms for `events` on fd; false when stopping should be checked again.
bool ready(int fd, short events) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, 20) > 0;
}

void send_all(int fd, const std::string& bytes) {
    std::size_t sent = 0;
    while (sent < bytes.size()) {
        const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) return;  // the client went away: that is what some tests want
        sent += static_cast<std::size_t>(n);
    }
}

}  // namespace

FakeDaemon::FakeDaemon(std::vector<Step> steps, bool hold_open) : steps_(std::move(steps)), hold_open_(hold_open) {
    char dir[] = "/tmp/cardctl-test-XXXXXX";
    if (::mkdtemp(dir) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = dir;
    path_ = dir_ + "/cardd.sock";
    listen_fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path_.c_str(), sizeof address.sun_path - 1);
    if (::bind(listen_fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(listen_fd_, 4) != 0) {
        throw std::runtime_error(std::string("cannot listen: ") + std::strerror(errno));
    }
    thread_ = std::thread([this] { serve(); });
}

FakeDaemon::~FakeDaemon() {
    stop();
    ::close(listen_fd_);
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
}

void FakeDaemon::stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
}

std::string FakeDaemon::request_line() {
    stop();
    const std::lock_guard lock(mutex_);
    return request_;
}

int FakeDaemon::connections() {
    stop();
    const std::lock_guard lock(mutex_);
    return connections_;
}

void FakeDaemon::serve() {
    while (!stopping_ && !ready(listen_fd_, POLLIN)) {}
    if (stopping_) return;
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    {
        const std::lock_guard lock(mutex_);
        ++connections_;
    }
    std::string received;
    while (!stopping_ && received.find('\n') == std::string::npos) {
        if (!ready(fd, POLLIN)) continue;
        char chunk[4096];
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        received.append(chunk, static_cast<std::size_t>(n));
    }
    {
        const std::lock_guard lock(mutex_);
        request_ = received.substr(0, received.find('\n'));
    }
    for (const auto& step : steps_) {
        std::this_thread::sleep_for(step.pause);
        send_all(fd, step.bytes);
    }
    while (hold_open_ && !stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ::close(fd);
}

}  // namespace cardd::cardctl::testing
