#pragma once
// Group commit of terminals found level. A push to many terminals finishes
// many syncs within one fsync of each other: each waits here, and every
// report queued while the io thread was busy is written in one transaction,
// so a push of N terminals costs a few commits, not N. A waiter resumes once
// its report is durable. Used on the io thread only.

#include <optional>
#include <string>
#include <vector>

#include "daemon/async/asio.hpp"
#include "daemon/async/event.hpp"
#include "store/card_store.hpp"

namespace cardd::daemon {

class LevelCommit {
public:
    LevelCommit(boost::asio::any_io_executor executor, store::CardStore& store)
        : executor_(std::move(executor)), store_(store) {}

    /// Records the report with the others queued beside it; the store's
    /// refusal of this one, or of the whole commit, as text, or nullopt when
    /// it was kept.
    boost::asio::awaitable<std::optional<std::string>> record(store::LevelReport report);

private:
    struct Waiting {
        store::LevelReport report;
        std::optional<std::string>* outcome;
        async::Event* written;
    };
    void flush();

    boost::asio::any_io_executor executor_;
    store::CardStore& store_;
    std::vector<Waiting> queue_;
};

}  // namespace cardd::daemon
