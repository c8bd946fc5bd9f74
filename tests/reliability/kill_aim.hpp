#pragma once
// When cardd is killed: at a random moment of a random request, inside a
// card write by a delay calibrated from how long card writes take, or the
// moment cardd logs that it opened the write's intent.

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <string_view>

#include "tests/reliability/operation.hpp"

namespace cardd::reliability {

enum class Aim {
    random_moment,   ///< any request, a random delay after sending it
    write_by_delay,  ///< a card write, 0 to the time such a write takes
    intent_logged,   ///< a card write, as soon as the log shows its intent opened
};

std::string_view to_string(Aim aim);

/// The message id cardd logs once a card write's intent is committed, just
/// before the card is written.
inline constexpr std::string_view intent_opened_id = "CARDD_CARD_INTENT_OPENED";

/// How long each kind of request took when it was answered, for aiming.
class Timings {
public:
    void record(OpKind kind, std::chrono::microseconds took);
    /// The median of the recent ones, or `fallback` before there are any.
    std::chrono::microseconds typical(OpKind kind, std::chrono::microseconds fallback) const;
    /// "top-up 3.1 ms (12), issue 5.2 ms (4)"
    std::string describe() const;

private:
    std::map<OpKind, std::deque<std::chrono::microseconds>> seen_;
};

/// The name of a kind of operation, for summaries.
std::string_view to_string(OpKind kind);

}  // namespace cardd::reliability
