#include "tools/termsim/tcp_transport.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "protocol/hex.hpp"

namespace cardd::termsim {

namespace {

void set_nonblocking(int fd) {
    const int flags = ::fcntl(fd, F_GETFL);
    ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

std::uint16_t bound_port(int fd) {
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return 0;
    if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
    if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
    return 0;
}

}  // namespace

TcpTransport::TcpTransport(EventLoop& loop, std::vector<Station*> stations, const std::string& host,
                           std::uint16_t base_port, bool verbose, AcceptFaultReport& accept_faults)
    : loop_(loop), verbose_(verbose) {
    for (std::size_t i = 0; i < stations.size(); ++i) {
        auto listener = std::make_unique<Listener>();
        const unsigned port = base_port == 0 ? 0u : base_port + static_cast<unsigned>(i);
        const std::string service = std::to_string(port);
        listener->context.reset(modbus_new_tcp_pi(host.c_str(), service.c_str()));
        if (!listener->context) {
            throw std::runtime_error("cannot make a Modbus TCP context for " + host + ": " + modbus_strerror(errno));
        }
        const int fd = modbus_tcp_pi_listen(listener->context.get(), 64);
        if (fd < 0) {
            throw std::runtime_error("cannot listen on " + host + ":" + service + ": " + std::strerror(errno));
        }
        listener->fd.reset(fd);
        set_nonblocking(fd);
        listener->port = bound_port(fd);
        listener->station = stations[i];
        listener->station->set_endpoint(listener->port, std::nullopt);
        Station* station = listener->station;
        listener->acceptor =
            std::make_unique<Acceptor>(loop_, fd, "port " + std::to_string(listener->port), accept_faults,
                                       [this, station](UniqueFd socket) { adopt(*station, std::move(socket)); });
        listeners_.push_back(std::move(listener));
    }
}

TcpTransport::~TcpTransport() {
    for (auto& [id, connection] : connections_) {
        loop_.unwatch(connection->watch);
        if (connection->timer != 0) loop_.cancel(connection->timer);
    }
}

void TcpTransport::adopt(Station& station, UniqueFd socket) {
    const int fd = socket.get();
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto connection = std::make_unique<Connection>();
    connection->id = next_connection_++;
    connection->fd = std::move(socket);
    connection->station = &station;
    const std::uint64_t id = connection->id;
    connection->watch = loop_.watch(fd, EPOLLIN, [this, id](std::uint32_t events) {
        // Each step may close the connection, so look it up again each time.
        if (auto it = connections_.find(id); it != connections_.end() && (events & EPOLLOUT) != 0) {
            flush(*it->second);
        }
        if (auto it = connections_.find(id);
            it != connections_.end() && (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) != 0) {
            on_readable(*it->second);
        }
    });
    connections_.emplace(id, std::move(connection));
}

void TcpTransport::on_readable(Connection& connection) {
    const std::uint64_t id = connection.id;
    std::uint8_t buffer[4096];
    bool ended = false;
    for (;;) {
        const ssize_t n = ::recv(connection.fd.get(), buffer, sizeof buffer, 0);
        if (n > 0) {
            connection.framer.feed(std::span(buffer, static_cast<std::size_t>(n)));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        ended = true;  // end of stream or a hard error
        break;
    }
    // Requests that arrived before the end are still answered.
    process(connection);
    if (ended && connections_.contains(id)) close(connection);
}

void TcpTransport::process(Connection& connection) {
    const std::uint64_t id = connection.id;
    while (!connection.answer_pending) {
        auto frame = connection.framer.next();
        if (!frame) {
            std::fprintf(stderr, "card-termsim: port %u: %s; closing the connection\n",
                         connection.station->tcp_port().value_or(0), frame.error().c_str());
            close(connection);
            return;
        }
        if (!*frame) return;
        const MbapFrame& request = **frame;
        if (request.protocol != 0) continue;  // not Modbus: dropped unanswered
        const Answer answer = connection.station->handle(request.pdu);
        if (verbose_) {
            std::fprintf(stderr, "card-termsim: port %u tid %u fc %s -> %s%s\n",
                         connection.station->tcp_port().value_or(0), request.transaction,
                         protocol::hex(request.pdu[0]).c_str(), protocol::hex(answer.pdu[0]).c_str(),
                         answer_note(answer).c_str());
        }
        if (answer.drop) {
            connection.station->stats().count(request.pdu, MbapFramer::header_bytes + request.pdu.size(), 0,
                                              std::chrono::system_clock::now());
            continue;
        }
        std::uint8_t unit = request.unit;
        std::vector<std::uint8_t> pdu = answer.pdu;
        spoil_answer(answer.spoil, unit, pdu);
        std::vector<std::uint8_t> adu = mbap_frame(request.transaction, unit, pdu);
        connection.station->stats().count(request.pdu, MbapFramer::header_bytes + request.pdu.size(), adu.size(),
                                          std::chrono::system_clock::now());
        if (answer.spoil == Spoil::checksum) {
            // TCP has no CRC to spoil; spoil the ids a client must match.
            for (std::size_t i = 0; i < 4; ++i) adu[i] ^= 0xFF;
        }
        if (answer.delay.count() > 0) {
            connection.answer_pending = true;
            connection.timer = loop_.call_after(answer.delay, [this, id, adu = std::move(adu)]() mutable {
                const auto it = connections_.find(id);
                if (it == connections_.end()) return;
                Connection& c = *it->second;
                c.timer = 0;
                c.answer_pending = false;
                send(c, std::move(adu));
                if (connections_.contains(id)) process(c);
            });
            return;
        }
        send(connection, std::move(adu));
        if (!connections_.contains(id)) return;  // the send failed and closed it
    }
}

void TcpTransport::send(Connection& connection, std::vector<std::uint8_t> bytes) {
    connection.out.insert(connection.out.end(), bytes.begin(), bytes.end());
    flush(connection);
}

void TcpTransport::flush(Connection& connection) {
    std::size_t sent = 0;
    while (sent < connection.out.size()) {
        const ssize_t n =
            ::send(connection.fd.get(), connection.out.data() + sent, connection.out.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        close(connection);
        return;
    }
    connection.out.erase(connection.out.begin(), connection.out.begin() + static_cast<std::ptrdiff_t>(sent));
    const bool want_write = !connection.out.empty();
    if (want_write != connection.want_write) {
        connection.want_write = want_write;
        loop_.modify(connection.watch, want_write ? EPOLLIN | EPOLLOUT : EPOLLIN);
    }
}

void TcpTransport::close(Connection& connection) {
    loop_.unwatch(connection.watch);
    if (connection.timer != 0) loop_.cancel(connection.timer);
    connections_.erase(connection.id);  // destroys `connection`
}

}  // namespace cardd::termsim
