#pragma once
// The one way an error value leaves a coroutine handler or a workflow step:
//
//     CARDD_CO_TRY(card, service.store.card(card_no));   // store::Result<Card>
//     CARDD_CO_TRY(use, co_await EncoderUse::begin(...)); // std::expected<..., Answer>
//     CARDD_CO_TRY_VOID(rehearse_write(service, intent));
//
// On an error the coroutine co_returns it as an answer (from_error: a store
// error gets its result code, an Answer stays itself), whether the coroutine
// gives an Answer or a std::expected<T, Answer>. GCC allows no co_await in a
// statement expression, so these are statements: a named result, a test, a
// reference to the value.

#include <expected>
#include <utility>

#include "daemon/control/answer.hpp"

namespace cardd::daemon {

/// An answer already decided, for from_error's callers that carry one.
inline Answer from_error(Answer answer) { return answer; }

/// An error on its way out of a coroutine: it becomes the Answer a handler
/// returns or the error of a step's std::expected<T, Answer>.
struct Refusal {
    Answer answer;

    operator Answer() && { return std::move(answer); }
    template <class T>
    operator std::expected<T, Answer>() && {
        return std::unexpected(std::move(answer));
    }
};

}  // namespace cardd::daemon

#define CARDD_CO_TRY(name, expr)                                                                             \
    auto name##_or_error = (expr);                                                                           \
    if (!name##_or_error) {                                                                                  \
        co_return ::cardd::daemon::Refusal{::cardd::daemon::from_error(std::move(name##_or_error.error()))}; \
    }                                                                                                        \
    auto& name = *name##_or_error

#define CARDD_CO_TRY_VOID(expr)                                                                              \
    do {                                                                                                     \
        auto cardd_done_ = (expr);                                                                           \
        if (!cardd_done_) {                                                                                  \
            co_return ::cardd::daemon::Refusal{::cardd::daemon::from_error(std::move(cardd_done_.error()))}; \
        }                                                                                                    \
    } while (false)
