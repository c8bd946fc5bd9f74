#pragma once
// The failures of a crash run, each named with the seed, the kill and the
// operation it was killed in. A fault that stays (the same check on the same
// card, round after round) is reported the first time and counted after, so
// that each distinct fault is seen once with its context.

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>

namespace cardd::reliability {

class Findings {
public:
    explicit Findings(std::string run) : run_(std::move(run)) {}

    /// What the next failures happened after: "kill 3 of 8, ..." and the evidence
    /// to attach to the first of them (the killed cardd's last log lines).
    void round(std::string context, std::function<std::string()> evidence);

    /// A failed check: `check` names it, `subject` what it failed on (a card,
    /// a terminal), `detail` what was found against what was expected.
    void fail(std::string_view check, const std::string& subject, const std::string& detail);

    /// The run cannot go on (cardd did not come back, a request went unanswered).
    void fatal(const std::string& what);

    int distinct() const { return static_cast<int>(seen_.size()); }
    /// Adds a failure listing each check that failed, on how many subjects
    /// and how often, when any did.
    void summarise();

private:
    std::string run_;
    std::string context_;
    std::function<std::string()> evidence_;
    bool evidence_given_ = false;
    std::map<std::string, int> seen_;  ///< "check: subject" → times found
    std::set<std::string> checks_seen_;
    int reported_ = 0;
};

}  // namespace cardd::reliability
