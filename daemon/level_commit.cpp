#include "daemon/level_commit.hpp"

namespace cardd::daemon {

namespace asio = boost::asio;

asio::awaitable<std::optional<std::string>> LevelCommit::record(store::LevelReport report) {
    async::Event written(executor_);
    std::optional<std::string> outcome;
    queue_.push_back({report, &outcome, &written});
    // The first of a group posts the flush: it runs after every completion
    // already queued on the io thread, which joins the group meanwhile.
    if (queue_.size() == 1) asio::post(executor_, [this] { flush(); });
    co_await written.wait();
    co_return outcome;
}

void LevelCommit::flush() {
    std::vector<Waiting> group = std::move(queue_);
    queue_.clear();
    std::vector<store::LevelReport> reports;
    reports.reserve(group.size());
    for (const Waiting& waiting : group) reports.push_back(waiting.report);
    auto recorded = store_.record_levels(reports);
    for (std::size_t i = 0; i < group.size(); ++i) {
        if (!recorded) {
            *group[i].outcome = recorded.error().message;
        } else if ((*recorded)[i]) {
            *group[i].outcome = (*recorded)[i]->message;
        }
        group[i].written->set();
    }
}

}  // namespace cardd::daemon
