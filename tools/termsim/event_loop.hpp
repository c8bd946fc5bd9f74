#pragma once
// One thread, one epoll: file descriptors, timers (one timerfd) and SIGINT /
// SIGTERM (one signalfd). Every terminal of a card-termsim process is served
// from here, so 1000 terminals cost 1000 sockets, not 1000 threads.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <unordered_map>

#include "tools/termsim/unique_fd.hpp"

namespace cardd::termsim {

class EventLoop {
public:
    using Clock = std::chrono::steady_clock;
    using TimePoint = Clock::time_point;
    using FdCallback = std::function<void(std::uint32_t events)>;
    using TimerCallback = std::function<void()>;
    using WatchId = std::uint64_t;
    using TimerId = std::uint64_t;

    /// Blocks SIGINT and SIGTERM in the calling thread and takes them through
    /// a signalfd. Throws std::system_error.
    EventLoop();
    EventLoop(const EventLoop&) = delete;
    EventLoop& operator=(const EventLoop&) = delete;

    /// Calls `callback` with the epoll events whenever `fd` is ready.
    WatchId watch(int fd, std::uint32_t events, FdCallback callback);
    void modify(WatchId id, std::uint32_t events);
    /// Safe from inside any callback, its own included.
    void unwatch(WatchId id);

    TimerId call_at(TimePoint when, TimerCallback callback);
    TimerId call_after(std::chrono::nanoseconds delay, TimerCallback callback) {
        return call_at(Clock::now() + delay, std::move(callback));
    }
    void cancel(TimerId id);

    /// Runs until stop() or a signal; returns the signal number, or 0.
    int run();
    void stop() noexcept { stopping_ = true; }

private:
    struct Watch {
        int fd;
        FdCallback callback;
    };
    void arm_timerfd();
    void run_due_timers();

    UniqueFd epoll_;
    UniqueFd timer_fd_;
    UniqueFd signal_fd_;
    std::unordered_map<WatchId, Watch> watches_;
    std::multimap<TimePoint, std::pair<TimerId, TimerCallback>> timers_;
    std::unordered_map<TimerId, std::multimap<TimePoint, std::pair<TimerId, TimerCallback>>::iterator> timer_index_;
    WatchId next_watch_ = 3;  // 1 and 2 tag the timerfd and the signalfd
    TimerId next_timer_ = 1;
    bool stopping_ = false;
    int signal_ = 0;
};

}  // namespace cardd::termsim
