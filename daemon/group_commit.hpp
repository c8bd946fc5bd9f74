#pragma once
// Group commit. A push to many terminals finishes many of them within one
// fsync of each other: each waits here with what it would write (a terminal
// found level, a terminal collected with nothing new), and every item queued
// while the io thread was busy is written in one transaction, so a push of N
// terminals costs a few commits, not N. A waiter resumes once its item is
// durable. Used on the io thread only.

#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "daemon/async/asio.hpp"
#include "daemon/async/event.hpp"

namespace cardd::daemon {

template <typename Item>
class GroupCommit {
public:
    /// What the store said of each item of a group, in order: nullopt when it
    /// was kept, else why not. The whole group's refusal is every item's.
    using Outcomes = std::vector<std::optional<std::string>>;
    using Write = std::function<Outcomes(std::span<const Item>)>;

    GroupCommit(boost::asio::any_io_executor executor, Write write)
        : executor_(std::move(executor)), write_(std::move(write)) {}

    /// Writes the item with the others queued beside it; the store's refusal
    /// of it as text, or nullopt when it was kept.
    boost::asio::awaitable<std::optional<std::string>> record(Item item) {
        async::Event written(executor_);
        std::optional<std::string> outcome;
        queue_.push_back({std::move(item), &outcome, &written});
        // The first of a group posts the flush: it runs after every completion
        // already queued on the io thread, which joins the group meanwhile.
        if (queue_.size() == 1) boost::asio::post(executor_, [this] { flush(); });
        co_await written.wait();
        co_return outcome;
    }

private:
    struct Waiting {
        Item item;
        std::optional<std::string>* outcome;
        async::Event* written;
    };

    void flush() {
        std::vector<Waiting> group = std::move(queue_);
        queue_.clear();
        std::vector<Item> items;
        items.reserve(group.size());
        for (const Waiting& waiting : group) items.push_back(waiting.item);
        const Outcomes outcomes = write_(items);
        for (std::size_t i = 0; i < group.size(); ++i) {
            if (i < outcomes.size()) *group[i].outcome = outcomes[i];
            group[i].written->set();
        }
    }

    boost::asio::any_io_executor executor_;
    Write write_;
    std::vector<Waiting> queue_;
};

}  // namespace cardd::daemon
