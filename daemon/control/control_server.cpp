#include "daemon/control/control_server.hpp"

#include <grp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <sys/stat.h>

#include "daemon/async/asio.hpp"

#include <openssl/crypto.h>

#include "daemon/async/event.hpp"
#include "daemon/control/secret.hpp"
#include "daemon/log.hpp"
#include "daemon/control/request_line.hpp"

namespace cardd::daemon {

namespace asio = boost::asio;
using asio::use_awaitable;
using local = asio::local::stream_protocol;

ControlServer::ControlServer(asio::io_context& io, const std::filesystem::path& path, const CommandRegistry& registry,
                             RoleGroups groups, ControlLimits limits)
    : io_(io), path_(path), registry_(registry), groups_(std::move(groups)), limits_(limits), acceptor_(io) {
    std::optional<gid_t> group_id;
    if (!limits_.socket_group.empty()) {
        const group* owner = ::getgrnam(limits_.socket_group.c_str());
        if (!owner) throw std::runtime_error("socket_group '" + limits_.socket_group + "' does not exist");
        group_id = owner->gr_gid;
    }
    // A directory cardd makes for its socket is entered by cardd and the
    // socket's group only (0750), as the unit's RuntimeDirectory is: others
    // cannot even see that the socket is there. One that exists is the
    // operator's, and is left as it is.
    const std::filesystem::path directory = path_.parent_path();
    std::error_code ignored;
    if (!directory.empty() && !std::filesystem::exists(directory, ignored)) {
        std::filesystem::create_directories(directory, ignored);
        ::chmod(directory.c_str(), 0750);
        if (group_id && ::chown(directory.c_str(), static_cast<uid_t>(-1), *group_id) != 0) {
            throw std::runtime_error("cannot give the socket's directory to group '" + limits_.socket_group + "'");
        }
    }
    std::filesystem::remove(path_, ignored);
    acceptor_.open(local());
    acceptor_.bind(local::endpoint(path_.string()));
    // Group members reach the socket; the role check decides what they may do.
    ::chmod(path_.c_str(), 0660);
    if (group_id && ::chown(path_.c_str(), static_cast<uid_t>(-1), *group_id) != 0) {
        throw std::runtime_error("cannot give the socket to group '" + limits_.socket_group + "'");
    }
    acceptor_.listen();
}

ControlServer::~ControlServer() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
}

void ControlServer::start() { asio::co_spawn(io_, accept_loop(), asio::detached); }

void ControlServer::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

asio::awaitable<void> ControlServer::accept_loop() {
    while (acceptor_.is_open()) {
        boost::system::error_code error;
        local::socket socket = co_await acceptor_.async_accept(asio::redirect_error(use_awaitable, error));
        if (error) {
            if (error == asio::error::operation_aborted) co_return;
            continue;
        }
        asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
}

namespace {

Caller caller_of(const Peer& peer, const RoleGroups& groups) {
    Caller caller;
    caller.uid = peer.uid;
    caller.gid = peer.gid;
    caller.pid = peer.pid;
    caller.role = role_of(peer.uid, peer.gid, groups);
    return caller;
}

// The moment a connection is closed unless it makes progress; moving it wakes
// the watchdog so it waits for the new time.
struct Deadline {
    explicit Deadline(const asio::any_io_executor& executor) : moved(executor) {}
    void set(std::chrono::steady_clock::time_point when) {
        at = when;
        moved.set();
    }
    async::Event moved;
    std::chrono::steady_clock::time_point at = std::chrono::steady_clock::time_point::max();
};

// Closes the connection when its deadline passes, so a client that never
// finishes a line holds nothing but its own socket.
asio::awaitable<void> watchdog(std::shared_ptr<local::socket> socket, std::shared_ptr<Deadline> deadline) {
    while (socket->is_open()) {
        deadline->moved.reset();
        co_await deadline->moved.wait_until(deadline->at);
        if (socket->is_open() && std::chrono::steady_clock::now() >= deadline->at) {
            log_event(msg::client_dropped, {{"reason", "idle"}});
            boost::system::error_code ignored;
            socket->close(ignored);
        }
    }
}

}  // namespace

asio::awaitable<void> ControlServer::serve(local::socket accepted) {
    auto socket = std::make_shared<local::socket>(std::move(accepted));
    auto deadline = std::make_shared<Deadline>(socket->get_executor());
    deadline->at = std::chrono::steady_clock::now() + limits_.idle;
    asio::co_spawn(io_, watchdog(socket, deadline), asio::detached);
    const std::optional<Peer> peer = peer_of(socket->native_handle());
    if (!peer) {
        log_event(msg::client_dropped, {{"reason", "unidentified"}});
        const std::string line =
            render_answer(Answer::failure(ResultCode::denied,
                                          "cardd cannot tell who is calling (SO_PEERCRED failed); nothing was done"),
                          nullptr) +
            "\n";
        boost::system::error_code ignored;
        co_await asio::async_write(*socket, asio::buffer(line), asio::redirect_error(use_awaitable, ignored));
        socket->close(ignored);
        deadline->moved.set();
        co_return;
    }
    const Caller caller = caller_of(*peer, groups_);
    std::string buffer;
    for (;;) {
        boost::system::error_code error;
        const std::size_t length =
            co_await asio::async_read_until(*socket, asio::dynamic_buffer(buffer, limits_.max_line + 1), '\n',
                                            asio::redirect_error(use_awaitable, error));
        if (error == asio::error::not_found) {
            // The line passed the limit: answer once, then hang up, since the
            // rest of it cannot be told apart from the next request.
            log_event(msg::client_dropped, {{"reason", "line-too-long"}, {"uid", caller.uid}});
            const std::string line =
                render_answer(Answer::failure(ResultCode::invalid, "request line longer than " +
                                                                       std::to_string(limits_.max_line) + " bytes"),
                              nullptr) +
                "\n";
            deadline->set(std::chrono::steady_clock::now() + limits_.idle);
            co_await asio::async_write(*socket, asio::buffer(line), asio::redirect_error(use_awaitable, error));
            break;
        }
        if (error) break;
        std::string line = buffer.substr(0, length - 1);
        // The line may hold a password: its bytes are wiped, not just freed.
        OPENSSL_cleanse(buffer.data(), length);
        buffer.erase(0, length);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        // A request being served is not idle; the deadline covers reading and writing only.
        deadline->set(std::chrono::steady_clock::time_point::max());
        if (line.find_first_not_of(" \t") == std::string::npos) {
            deadline->set(std::chrono::steady_clock::now() + limits_.idle);
            continue;
        }

        ParsedLine parsed = parse_request_line(line);
        wipe(line);
        Answer answer;
        if (parsed.error) {
            answer = std::move(*parsed.error);
        } else {
            Request& request = *parsed.request;
            request.caller = caller;
            std::optional<Answer> refused;
            if (console_) refused = console_->admit(request, registry_.logs_in(request.command));
            const nlohmann::json id = parsed.id;
            request.progress = [socket, id](nlohmann::json progress) -> asio::awaitable<void> {
                nlohmann::json json = {{"progress", std::move(progress)}, {"id", id}};
                const std::string text = json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
                boost::system::error_code ignored;
                co_await asio::async_write(*socket, asio::buffer(text), asio::redirect_error(use_awaitable, ignored));
            };
            if (refused) {
                answer = std::move(*refused);
            } else {
                answer = co_await registry_.dispatch(request);
            }
            wipe_passwords(request.arguments);
        }
        const std::string out = render_answer(answer, parsed.id) + "\n";
        deadline->set(std::chrono::steady_clock::now() + limits_.idle);
        co_await asio::async_write(*socket, asio::buffer(out), asio::redirect_error(use_awaitable, error));
        if (error) break;
        deadline->set(std::chrono::steady_clock::now() + limits_.idle);
    }
    boost::system::error_code ignored;
    socket->close(ignored);
    deadline->moved.set();
}

}  // namespace cardd::daemon
