#include "daemon/retry_backoff.hpp"

#include <algorithm>
#include <cmath>

namespace cardd::daemon {

std::chrono::seconds retry_delay(std::int64_t failed_attempts, std::chrono::seconds base, std::chrono::seconds cap,
                                 double random) {
    const std::int64_t initial = std::max<std::int64_t>(1, base.count());
    const std::int64_t most = std::max<std::int64_t>(initial, cap.count());
    std::int64_t delay = initial;
    for (std::int64_t i = 0; i < failed_attempts && delay < most; ++i) delay *= 2;
    delay = std::min(delay, most);
    const std::int64_t half = delay / 2;
    // One of the half + 1 whole seconds 0..half, each as likely.
    const double clamped = std::clamp(random, 0.0, 1.0);
    const auto jitter = std::min(half, static_cast<std::int64_t>(std::floor(clamped * static_cast<double>(half + 1))));
    return std::chrono::seconds(delay - half + jitter);
}

}  // namespace cardd::daemon
