#pragma once
// Runs a coroutine every interval until stopped: the first run one interval
// after start(), each next one an interval after the previous run ended.
// stop() ends the wait at once; a run in progress finishes, and no run starts
// after stop().

#include <chrono>
#include <functional>
#include <memory>

#include "daemon/async/asio.hpp"
#include "daemon/async/event.hpp"

namespace cardd::daemon::async {

class IntervalLoop {
public:
    using Tick = std::function<boost::asio::awaitable<void>()>;

    IntervalLoop() = default;
    IntervalLoop(const IntervalLoop&) = delete;
    IntervalLoop& operator=(const IntervalLoop&) = delete;
    ~IntervalLoop() { stop(); }

    /// Starts the loop on `executor`; a loop already running is stopped first.
    void start(const boost::asio::any_io_executor& executor, std::chrono::steady_clock::duration interval, Tick tick) {
        stop();
        state_ = std::make_shared<State>(executor, interval, std::move(tick));
        boost::asio::co_spawn(executor, run(state_), boost::asio::detached);
    }

    void stop() {
        if (state_) state_->stopped.set();
        state_.reset();
    }

    bool running() const noexcept { return state_ != nullptr; }

private:
    struct State {
        State(const boost::asio::any_io_executor& executor, std::chrono::steady_clock::duration every, Tick t)
            : stopped(executor), interval(every), tick(std::move(t)) {}
        Event stopped;
        std::chrono::steady_clock::duration interval;
        Tick tick;  // lives here, beside the loop that calls it
    };

    static boost::asio::awaitable<void> run(std::shared_ptr<State> state) {
        while (!state->stopped.is_set()) {
            const bool stopped = co_await state->stopped.wait_for(state->interval);
            if (stopped) break;
            co_await state->tick();
        }
    }

    std::shared_ptr<State> state_;
};

}  // namespace cardd::daemon::async
