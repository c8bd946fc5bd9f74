#include "tests/reliability/findings.hpp"

#include <gtest/gtest.h>

namespace cardd::reliability {

namespace {

// Past this many, a broken cardd would bury the first findings in output;
// the rest are counted in the summary, but for the first of each check.
constexpr int most_reported = 40;

}  // namespace

void Findings::round(std::string context, std::function<std::string()> evidence) {
    context_ = std::move(context);
    evidence_ = std::move(evidence);
    evidence_given_ = false;
}

void Findings::fail(std::string_view check, const std::string& subject, const std::string& detail) {
    const std::string key = std::string(check) + ": " + subject;
    if (seen_[key]++ > 0) return;
    // Past the bound, only a check not seen failing before is printed, so
    // that a rare fault is not hidden behind many of a common one.
    const bool new_check = checks_seen_.insert(std::string(check)).second;
    if (++reported_ > most_reported && !new_check) return;
    std::string message = "[" + run_ + "] after " + context_ + "\n  check '" + std::string(check) + "' failed for " +
                          subject + ":\n  " + detail;
    if (!evidence_given_ && evidence_) {
        evidence_given_ = true;
        message += "\n  the killed cardd's last log lines:\n" + evidence_();
    }
    ADD_FAILURE() << message;
}

void Findings::fatal(const std::string& what) {
    std::string message = "[" + run_ + "] after " + context_ + "\n  the run stopped: " + what;
    if (evidence_) message += "\n  the killed cardd's last log lines:\n" + evidence_();
    ADD_FAILURE() << message;
}

void Findings::summarise() {
    if (seen_.empty()) return;
    // Per check: on how many subjects it failed, and how often in all.
    std::map<std::string, std::pair<int, int>> per_check;
    for (const auto& [key, times] : seen_) {
        auto& [subjects, total] = per_check[key.substr(0, key.find(": "))];
        ++subjects;
        total += times;
    }
    std::string text;
    for (const auto& [check, counts] : per_check) {
        text += "\n  '" + check + "': " + std::to_string(counts.first) +
                (counts.first == 1 ? " subject, " : " subjects, ") + std::to_string(counts.second) + " times";
    }
    if (reported_ > most_reported) {
        text += "\n  (past the first " + std::to_string(most_reported) +
                ", only the first finding of each check was printed)";
    }
    ADD_FAILURE() << "[" + run_ + "] the checks that failed:" << text;
}

}  // namespace cardd::reliability
