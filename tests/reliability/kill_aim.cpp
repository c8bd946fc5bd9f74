#include "tests/reliability/kill_aim.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace cardd::reliability {

namespace {

// Recent requests only: the store grows during a run and requests slow with it.
constexpr std::size_t kept_timings = 25;

}  // namespace

std::string_view to_string(Aim aim) {
    switch (aim) {
        case Aim::random_moment: return "a random moment";
        case Aim::write_by_delay: return "inside the card write, by delay";
        case Aim::intent_logged: return "when the write's intent was logged";
    }
    return "unknown";
}

std::string_view to_string(OpKind kind) {
    switch (kind) {
        case OpKind::issue: return "issue";
        case OpKind::top_up: return "top-up";
        case OpKind::refund_close: return "refund-close";
        case OpKind::loss: return "loss";
        case OpKind::unlock: return "unlock";
        case OpKind::replace: return "replacement";
        case OpKind::return_wipe: return "return with wipe";
        case OpKind::tap: return "purchase";
        case OpKind::collect: return "collection";
    }
    return "unknown";
}

void Timings::record(OpKind kind, std::chrono::microseconds took) {
    auto& recent = seen_[kind];
    recent.push_back(took);
    if (recent.size() > kept_timings) recent.pop_front();
}

std::chrono::microseconds Timings::typical(OpKind kind, std::chrono::microseconds fallback) const {
    const auto found = seen_.find(kind);
    if (found == seen_.end() || found->second.empty()) return fallback;
    std::vector<std::chrono::microseconds> sorted(found->second.begin(), found->second.end());
    std::ranges::sort(sorted);
    return sorted[sorted.size() / 2];
}

std::string Timings::describe() const {
    std::string text;
    for (const auto& [kind, recent] : seen_) {
        if (!text.empty()) text += ", ";
        char figure[32];
        std::snprintf(figure, sizeof figure, " %.1f ms (%zu)", static_cast<double>(typical(kind, {}).count()) / 1000.0,
                      recent.size());
        text += std::string(to_string(kind)) + figure;
    }
    return text.empty() ? "none yet" : text;
}

}  // namespace cardd::reliability
