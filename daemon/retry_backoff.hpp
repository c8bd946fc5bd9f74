#pragma once
// How long a terminal that failed waits before the next attempt: capped
// exponential backoff with "equal jitter", half the delay fixed and half
// random, so terminals that failed together do not retry together.

#include <chrono>
#include <cstdint>

namespace cardd::daemon {

/// The delay after `failed_attempts` failures in a row (0 for the first
/// failure): base * 2^failed_attempts, at most `cap`, of which the upper half
/// is scaled by `random` (in [0, 1)). A base below 1 s counts as 1 s, a cap
/// below the base as the base. The result is in [delay - delay/2, delay].
std::chrono::seconds retry_delay(std::int64_t failed_attempts, std::chrono::seconds base, std::chrono::seconds cap,
                                 double random);

}  // namespace cardd::daemon
