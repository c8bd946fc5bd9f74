#include "tools/termsim/acceptor.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace cardd::termsim {

namespace {

// Errors of one pending connection, not of the listener: Linux hands a
// connection's network error, or a firewall's refusal (EPERM), to accept4
// (accept(2)), and the next connection in the backlog may be fine.
bool connection_error(int error) {
    switch (error) {
        case EINTR:
        case ECONNABORTED:
        case EPERM:
        case EPROTO:
        case ENOPROTOOPT:
        case ENETDOWN:
        case ENETUNREACH:
        case EHOSTDOWN:
        case EHOSTUNREACH:
        case ENONET:
        case EOPNOTSUPP: return true;
        default: return false;
    }
}

}  // namespace

Acceptor::Acceptor(EventLoop& loop, int listener, std::string where, AcceptFaultReport& report, OnAccepted on_accepted)
    : loop_(loop),
      listener_(listener),
      where_(std::move(where)),
      report_(report),
      on_accepted_(std::move(on_accepted)) {
    watch();
}

Acceptor::~Acceptor() {
    if (watch_ != 0) loop_.unwatch(watch_);
    if (retry_ != 0) loop_.cancel(retry_);
}

bool Acceptor::accept_all() {
    for (;;) {
        const int fd = ::accept4(listener_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            on_accepted_(UniqueFd(fd));
            continue;
        }
        const int error = errno;
        if (error == EAGAIN || error == EWOULDBLOCK) {
            next_retry_ = first_retry;
            report_.caught_up(this);
            return true;
        }
        if (connection_error(error)) continue;
        // EMFILE, ENFILE, ENOBUFS, ENOMEM, or a listener gone wrong: none
        // clears by trying again at once.
        report_.failed(this, error, where_);
        return false;
    }
}

void Acceptor::pause() {
    if (watch_ != 0) {
        loop_.unwatch(watch_);
        watch_ = 0;
    }
    retry_ = loop_.call_after(next_retry_, [this] {
        retry_ = 0;
        resume();
    });
    next_retry_ = std::min(next_retry_ * 2, last_retry);
}

void Acceptor::resume() {
    if (!accept_all()) {
        pause();
        return;
    }
    watch();
}

void Acceptor::watch() {
    watch_ = loop_.watch(listener_, EPOLLIN, [this](std::uint32_t) {
        if (!accept_all()) pause();
    });
}

}  // namespace cardd::termsim
