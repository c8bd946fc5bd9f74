#include "tools/termsim/event_loop.hpp"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>

#include <array>
#include <cerrno>
#include <system_error>

namespace cardd::termsim {

namespace {

constexpr std::uint64_t timer_tag = 1;
constexpr std::uint64_t signal_tag = 2;

[[noreturn]] void fail(const char* what) { throw std::system_error(errno, std::generic_category(), what); }

void add(int epoll, int fd, std::uint32_t events, std::uint64_t tag) {
    epoll_event event{};
    event.events = events;
    event.data.u64 = tag;
    if (::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) != 0) fail("epoll_ctl ADD");
}

}  // namespace

EventLoop::EventLoop() {
    epoll_.reset(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_) fail("epoll_create1");
    timer_fd_.reset(::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC));
    if (!timer_fd_) fail("timerfd_create");
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    if (::sigprocmask(SIG_BLOCK, &signals, nullptr) != 0) fail("sigprocmask");
    signal_fd_.reset(::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!signal_fd_) fail("signalfd");
    add(epoll_.get(), timer_fd_.get(), EPOLLIN, timer_tag);
    add(epoll_.get(), signal_fd_.get(), EPOLLIN, signal_tag);
}

EventLoop::WatchId EventLoop::watch(int fd, std::uint32_t events, FdCallback callback) {
    const WatchId id = next_watch_++;
    add(epoll_.get(), fd, events, id);
    watches_.emplace(id, Watch{fd, std::move(callback)});
    return id;
}

void EventLoop::modify(WatchId id, std::uint32_t events) {
    const auto it = watches_.find(id);
    if (it == watches_.end()) return;
    epoll_event event{};
    event.events = events;
    event.data.u64 = id;
    if (::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, it->second.fd, &event) != 0) fail("epoll_ctl MOD");
}

void EventLoop::unwatch(WatchId id) {
    const auto it = watches_.find(id);
    if (it == watches_.end()) return;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, it->second.fd, nullptr);
    watches_.erase(it);
}

EventLoop::TimerId EventLoop::call_at(TimePoint when, TimerCallback callback) {
    const TimerId id = next_timer_++;
    const auto it = timers_.emplace(when, std::make_pair(id, std::move(callback)));
    timer_index_.emplace(id, it);
    if (it == timers_.begin()) arm_timerfd();
    return id;
}

void EventLoop::cancel(TimerId id) {
    const auto it = timer_index_.find(id);
    if (it == timer_index_.end()) return;
    timers_.erase(it->second);
    timer_index_.erase(it);
}

void EventLoop::arm_timerfd() {
    itimerspec spec{};
    if (!timers_.empty()) {
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timers_.begin()->first.time_since_epoch());
        // An absolute time of 0 would disarm the timer; the clock is far past it.
        spec.it_value.tv_sec = static_cast<time_t>(ns.count() / 1'000'000'000);
        spec.it_value.tv_nsec = static_cast<long>(ns.count() % 1'000'000'000);
        if (spec.it_value.tv_sec == 0 && spec.it_value.tv_nsec == 0) spec.it_value.tv_nsec = 1;
    }
    if (::timerfd_settime(timer_fd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0) fail("timerfd_settime");
}

void EventLoop::run_due_timers() {
    std::uint64_t expirations = 0;
    while (::read(timer_fd_.get(), &expirations, sizeof expirations) > 0) {}
    const TimePoint now = Clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now && !stopping_) {
        auto node = timers_.extract(timers_.begin());
        timer_index_.erase(node.mapped().first);
        node.mapped().second();
    }
    arm_timerfd();
}

int EventLoop::run() {
    std::array<epoll_event, 64> events{};
    while (!stopping_) {
        const int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), -1);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("epoll_wait");
        }
        for (int i = 0; i < n && !stopping_; ++i) {
            const std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
            if (tag == timer_tag) {
                run_due_timers();
            } else if (tag == signal_tag) {
                signalfd_siginfo info{};
                if (::read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
                    signal_ = static_cast<int>(info.ssi_signo);
                    stopping_ = true;
                }
            } else {
                // The watch may have gone while an earlier event of this batch
                // was handled; its id is never reused, so a miss is safe.
                const auto it = watches_.find(tag);
                if (it == watches_.end()) continue;
                const FdCallback callback = it->second.callback;  // the callback may unwatch itself
                callback(events[static_cast<std::size_t>(i)].events);
            }
        }
    }
    return signal_;
}

}  // namespace cardd::termsim
