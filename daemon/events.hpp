#pragma once
// What the service tells whoever watches it, the metrics in cardd: plain
// calls with names and numbers, so the distributor and the card workflows
// know nothing of Prometheus. Each is called on the io thread; an unset one
// is not called.

#include <functional>
#include <string_view>

namespace cardd::daemon {

struct Events {
    /// A card write ended: written, failed (nothing changed), pending (left
    /// open) or settled (an open write decided later, from the card or from
    /// terminal records).
    std::function<void(std::string_view outcome)> card_write;
    /// A terminal confirmed blacklist batches, `seconds` after the oldest of them was written.
    std::function<void(double seconds)> push_confirmed;
    /// What the health shows may have changed (a terminal failed or became
    /// level, records were collected, a write opened or closed).
    std::function<void()> changed;

    void card_write_ended(std::string_view outcome) const {
        if (card_write) card_write(outcome);
    }
    void push_confirmed_after(double seconds) const {
        if (push_confirmed) push_confirmed(seconds);
    }
    void health_changed() const {
        if (changed) changed();
    }
};

}  // namespace cardd::daemon
