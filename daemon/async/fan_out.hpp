#pragma once
// Jobs run side by side with a deadline: fan_out() starts every job at once,
// tells `on_finish` of each as it finishes, and returns when all are done or
// at the deadline, whichever is first. A job unfinished then is reported by
// the placeholder the caller gave for it, and goes on in the background; its
// result is dropped when it comes.

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

#include "daemon/async/asio.hpp"
#include "daemon/async/event.hpp"

namespace cardd::daemon::async {

template <class Result>
using Job = std::function<boost::asio::awaitable<Result>()>;

/// Hears of a job as it finishes: how many have finished so far (1, 2, ...)
/// and the job's result. The fan-out waits for it before it reports the next.
template <class Result>
using FinishSink = std::function<boost::asio::awaitable<void>(std::size_t finished, const Result& result)>;

/// Runs `jobs` on the calling coroutine's executor. `unfinished[i]` is what
/// job i reports if the deadline comes first; it must have jobs.size() items.
template <class Result>
boost::asio::awaitable<std::vector<Result>> fan_out(std::vector<Job<Result>> jobs, std::vector<Result> unfinished,
                                                    std::chrono::steady_clock::duration timeout,
                                                    FinishSink<Result> on_finish = {}) {
    struct State {
        State(const boost::asio::any_io_executor& executor, std::vector<Result> initial, std::vector<Job<Result>> j)
            : changed(executor),
              results(std::move(initial)),
              done(results.size(), false),
              remaining(results.size()),
              jobs(std::move(j)) {}
        Event changed;  // set as each job finishes
        std::vector<Result> results;
        std::vector<bool> done;
        std::size_t remaining;
        std::vector<Job<Result>> jobs;  // live as long as the last job
    };
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    const auto executor = co_await boost::asio::this_coro::executor;
    auto state = std::make_shared<State>(executor, std::move(unfinished), std::move(jobs));
    for (std::size_t i = 0; i < state->jobs.size(); ++i) {
        boost::asio::co_spawn(
            executor,
            [state, i]() -> boost::asio::awaitable<void> {
                Result result = co_await state->jobs[i]();
                state->results[i] = std::move(result);
                state->done[i] = true;
                --state->remaining;
                state->changed.set();
            },
            boost::asio::detached);
    }
    std::vector<bool> reported(state->results.size(), false);
    std::size_t finished = 0;
    for (;;) {
        // Reset before looking: a job finishing while on_finish runs sets it
        // again, so the wait below returns at once and the next pass sees it.
        state->changed.reset();
        for (std::size_t i = 0; i < state->results.size(); ++i) {
            if (!state->done[i] || reported[i]) continue;
            reported[i] = true;
            ++finished;
            if (on_finish) co_await on_finish(finished, state->results[i]);
        }
        if (state->remaining == 0 || std::chrono::steady_clock::now() >= deadline) break;
        co_await state->changed.wait_until(deadline);
    }
    co_return state->results;
}

}  // namespace cardd::daemon::async
