#pragma once
// Runs a function soon after it is asked for, but at most once per interval:
// a burst of a thousand requests (one per terminal of a push) runs it once at
// the start and once after the burst, not a thousand times. Work that reads
// the whole store to report on it (the systemd status line, the metrics'
// gauges) would otherwise make a push cost terminals².

#include <chrono>
#include <functional>
#include <memory>

#include "daemon/async/asio.hpp"

namespace cardd::daemon::async {

class Throttle {
public:
    Throttle(const boost::asio::any_io_executor& executor, std::chrono::steady_clock::duration interval,
             std::function<void()> run)
        : state_(std::make_shared<State>(executor, interval, std::move(run))) {}
    Throttle(const Throttle&) = delete;
    Throttle& operator=(const Throttle&) = delete;
    ~Throttle() { state_->timer.cancel(); }

    /// Asks for a run: at once (on the executor) when the last one is an
    /// interval old, else when it will be; asks while one is due add nothing.
    void request() {
        if (state_->due) return;
        state_->due = true;
        const auto now = std::chrono::steady_clock::now();
        const auto at = state_->last_run + state_->interval;
        state_->timer.expires_at(at > now ? at : now);
        // The handler holds the state weakly: a throttle destroyed with a run
        // due does not run it.
        state_->timer.async_wait([weak = std::weak_ptr<State>(state_)](const boost::system::error_code& error) {
            auto state = weak.lock();
            if (error || !state) return;
            state->due = false;
            state->last_run = std::chrono::steady_clock::now();
            state->run();
        });
    }

private:
    struct State {
        State(const boost::asio::any_io_executor& executor, std::chrono::steady_clock::duration every,
              std::function<void()> r)
            : timer(executor), interval(every), run(std::move(r)) {}
        boost::asio::steady_timer timer;
        std::chrono::steady_clock::duration interval;
        std::function<void()> run;
        std::chrono::steady_clock::time_point last_run{};
        bool due = false;
    };

    std::shared_ptr<State> state_;
};

}  // namespace cardd::daemon::async
