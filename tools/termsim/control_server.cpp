#include "tools/termsim/control_server.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <nlohmann/json.hpp>

#include "tools/termsim/control_command.hpp"

namespace cardd::termsim {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

}  // namespace

ControlServer::ControlServer(EventLoop& loop, std::filesystem::path path, std::vector<Station*> stations,
                             AcceptFaultReport& accept_faults)
    : loop_(loop), path_(std::move(path)), stations_(std::move(stations)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    const std::string text = path_.string();
    if (text.size() >= sizeof address.sun_path) {
        errno = ENAMETOOLONG;
        fail("control socket path " + text);
    }
    std::memcpy(address.sun_path, text.c_str(), text.size() + 1);
    listener_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!listener_) fail("socket");
    std::error_code ec;
    if (std::filesystem::is_socket(path_, ec)) std::filesystem::remove(path_, ec);
    if (::bind(listener_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        fail("cannot bind control socket " + text);
    }
    if (::listen(listener_.get(), 16) != 0) fail("listen on " + text);
    acceptor_ = std::make_unique<Acceptor>(loop_, listener_.get(), "the control socket " + text, accept_faults,
                                           [this](UniqueFd socket) { adopt(std::move(socket)); });
}

ControlServer::~ControlServer() {
    for (auto& [id, client] : clients_) loop_.unwatch(client->watch);
    acceptor_.reset();
    std::error_code ec;
    std::filesystem::remove(path_, ec);
}

std::string ControlServer::answer(std::string_view line) {
    const auto request = parse_control_line(line);
    if (!request) return "error " + request.error();
    if (std::holds_alternative<TerminalsRequest>(request->command)) {
        nlohmann::json list = nlohmann::json::array();
        for (std::size_t i = 0; i < stations_.size(); ++i) {
            nlohmann::json one{{"index", i}, {"serial", stations_[i]->terminal().config().serial}};
            if (const auto port = stations_[i]->tcp_port()) one["port"] = *port;
            if (const auto unit = stations_[i]->rtu_unit()) one["unit"] = *unit;
            list.push_back(std::move(one));
        }
        return list.dump();
    }
    if (std::holds_alternative<StatsRequest>(request->command)) return stats_json(stations_);
    const std::size_t index = request->terminal.value_or(0);
    if (index >= stations_.size()) {
        return "error no terminal " + std::to_string(index) + " (this process serves 0.." +
               std::to_string(stations_.size() - 1) + ")";
    }
    return stations_[index]->control(*request);
}

void ControlServer::adopt(UniqueFd socket) {
    auto client = std::make_unique<Client>();
    const int fd = socket.get();
    client->fd = std::move(socket);
    const std::uint64_t id = next_client_++;
    client->watch = loop_.watch(fd, EPOLLIN, [this, id](std::uint32_t events) { on_ready(id, events); });
    clients_.emplace(id, std::move(client));
}

void ControlServer::on_ready(std::uint64_t id, std::uint32_t events) {
    if ((events & EPOLLOUT) != 0) flush(id);
    auto it = clients_.find(id);
    if (it == clients_.end() || (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) == 0) return;
    Client& client = *it->second;
    char buffer[4096];
    bool ended = false;
    for (;;) {
        const ssize_t n = ::recv(client.fd.get(), buffer, sizeof buffer, 0);
        if (n > 0) {
            client.in.append(buffer, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        ended = true;
        break;
    }
    std::size_t start = 0;
    for (std::size_t newline; (newline = client.in.find('\n', start)) != std::string::npos; start = newline + 1) {
        client.out += answer(std::string_view(client.in).substr(start, newline - start));
        client.out += '\n';
    }
    client.in.erase(0, start);
    if (client.in.size() > max_line) {
        client.out += "error line longer than " + std::to_string(max_line) + " bytes\n";
        ended = true;
    }
    flush(id);
    if (ended) drop(id);
}

void ControlServer::flush(std::uint64_t id) {
    const auto it = clients_.find(id);
    if (it == clients_.end()) return;
    Client& client = *it->second;
    std::size_t sent = 0;
    while (sent < client.out.size()) {
        const ssize_t n = ::send(client.fd.get(), client.out.data() + sent, client.out.size() - sent, MSG_NOSIGNAL);
        if (n > 0) {
            sent += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        drop(id);
        return;
    }
    client.out.erase(0, sent);
    const bool want_write = !client.out.empty();
    if (want_write != client.want_write) {
        client.want_write = want_write;
        loop_.modify(client.watch, want_write ? EPOLLIN | EPOLLOUT : EPOLLIN);
    }
}

void ControlServer::drop(std::uint64_t id) {
    const auto it = clients_.find(id);
    if (it == clients_.end()) return;
    loop_.unwatch(it->second->watch);
    clients_.erase(it);
}

}  // namespace cardd::termsim
