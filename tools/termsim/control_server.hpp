#pragma once
// The --control socket: a Unix stream socket taking one line at a time and
// answering each with one line (control_command.hpp lists the lines).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "tools/termsim/accept_fault_report.hpp"
#include "tools/termsim/acceptor.hpp"
#include "tools/termsim/event_loop.hpp"
#include "tools/termsim/station.hpp"
#include "tools/termsim/unique_fd.hpp"

namespace cardd::termsim {

class ControlServer {
public:
    /// Binds `path` (an old socket file there is replaced). Throws
    /// std::system_error. Failing accepts are said through `accept_faults`,
    /// which outlives this.
    ControlServer(EventLoop& loop, std::filesystem::path path, std::vector<Station*> stations,
                  AcceptFaultReport& accept_faults);
    ~ControlServer();  // removes the socket file
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    /// The answer to one line, without newline.
    std::string answer(std::string_view line);

private:
    struct Client {
        UniqueFd fd;
        EventLoop::WatchId watch = 0;
        std::string in;
        std::string out;
        bool want_write = false;
    };
    void adopt(UniqueFd socket);
    void on_ready(std::uint64_t id, std::uint32_t events);
    void flush(std::uint64_t id);
    void drop(std::uint64_t id);

    static constexpr std::size_t max_line = 4096;

    EventLoop& loop_;
    std::filesystem::path path_;
    std::vector<Station*> stations_;
    UniqueFd listener_;
    std::unique_ptr<Acceptor> acceptor_;  // declared after listener_: stops watching it before it closes
    std::unordered_map<std::uint64_t, std::unique_ptr<Client>> clients_;
    std::uint64_t next_client_ = 1;
};

}  // namespace cardd::termsim
