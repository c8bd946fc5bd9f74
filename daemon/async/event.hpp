#pragma once
// A signal one coroutine raises and others wait for: set() wakes every
// waiter and stays set until reset(). A wait may carry a deadline. Use it
// from one thread (the executor it was made with); other threads post to it.

#include <chrono>
#include <cstdint>
#include <list>
#include <memory>

#include "daemon/async/asio.hpp"

namespace cardd::daemon::async {

class Event {
public:
    using Clock = std::chrono::steady_clock;

    explicit Event(boost::asio::any_io_executor executor) : state_(std::make_shared<State>(std::move(executor))) {}
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;

    /// Wakes every waiter; waits that start later return at once until reset().
    void set() {
        state_->set = true;
        ++state_->generation;
        for (auto* timer : state_->waiting) timer->cancel();
    }
    void reset() noexcept { state_->set = false; }
    bool is_set() const noexcept { return state_->set; }

    /// Until set() (at once when set already).
    boost::asio::awaitable<void> wait() { co_await wait_until(Clock::time_point::max()); }

    /// Until set() or `deadline`: true when set (before or during the wait,
    /// even if reset since), false when the deadline came first.
    boost::asio::awaitable<bool> wait_until(Clock::time_point deadline) {
        // The frame holds the state, so a wait never outlives what it reads.
        const std::shared_ptr<State> state = state_;
        if (state->set) co_return true;
        const std::uint64_t generation = state->generation;
        boost::asio::steady_timer timer(state->executor, deadline);
        const Listed listed(*state, &timer);
        boost::system::error_code ignored;
        co_await timer.async_wait(boost::asio::redirect_error(boost::asio::use_awaitable, ignored));
        co_return state->set || state->generation != generation;
    }

    boost::asio::awaitable<bool> wait_for(Clock::duration timeout) { return wait_until(Clock::now() + timeout); }

private:
    struct State {
        explicit State(boost::asio::any_io_executor ex) : executor(std::move(ex)) {}
        boost::asio::any_io_executor executor;
        bool set = false;
        std::uint64_t generation = 0;                   // counts set() calls
        std::list<boost::asio::steady_timer*> waiting;  // one timer per wait in progress
    };
    // A wait's timer, on the list set() cancels for as long as the wait lasts.
    struct Listed {
        Listed(State& s, boost::asio::steady_timer* timer) : state(s), at(s.waiting.insert(s.waiting.end(), timer)) {}
        Listed(const Listed&) = delete;
        ~Listed() { state.waiting.erase(at); }
        State& state;
        std::list<boost::asio::steady_timer*>::iterator at;
    };

    std::shared_ptr<State> state_;
};

}  // namespace cardd::daemon::async
