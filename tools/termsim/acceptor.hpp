#pragma once
// Accepts the connections of one listening socket on the event loop. When
// accept4 fails for want of descriptors (or memory) the socket stays
// readable, so a level-triggered watch would call back at once, forever:
// the acceptor stops watching it and tries again on a timer, 100 ms doubling
// to 1 s, while the loop goes on serving the connections already open.

#include <chrono>
#include <functional>
#include <string>

#include "tools/termsim/accept_fault_report.hpp"
#include "tools/termsim/event_loop.hpp"
#include "tools/termsim/unique_fd.hpp"

namespace cardd::termsim {

class Acceptor {
public:
    /// Called with each accepted socket (non-blocking, close-on-exec).
    using OnAccepted = std::function<void(UniqueFd)>;

    static constexpr std::chrono::milliseconds first_retry{100};
    static constexpr std::chrono::milliseconds last_retry{1000};

    /// Watches `listener` (non-blocking, not owned); `where` names it in
    /// the report (e.g. "port 1502").
    Acceptor(EventLoop& loop, int listener, std::string where, AcceptFaultReport& report, OnAccepted on_accepted);
    ~Acceptor();
    Acceptor(const Acceptor&) = delete;
    Acceptor& operator=(const Acceptor&) = delete;

private:
    /// Accepts until the backlog is empty; false when it had to pause.
    bool accept_all();
    void watch();
    void pause();
    void resume();

    EventLoop& loop_;
    int listener_;
    std::string where_;
    AcceptFaultReport& report_;
    OnAccepted on_accepted_;
    EventLoop::WatchId watch_ = 0;
    EventLoop::TimerId retry_ = 0;
    std::chrono::milliseconds next_retry_ = first_retry;
};

}  // namespace cardd::termsim
