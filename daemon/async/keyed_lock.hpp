#pragma once
// One holder at a time per key, for coroutines on one thread: co_await
// lock(key) resumes when the key is free and returns a guard that frees it
// when destroyed. Waiters get the key in the order they asked (FIFO), handed
// over directly, so a newcomer never overtakes a waiter. Keys nobody holds
// take no room.

#include <deque>
#include <map>
#include <memory>
#include <utility>

#include "daemon/async/asio.hpp"
#include "daemon/async/event.hpp"

namespace cardd::daemon::async {

template <class Key>
class KeyedLock {
    struct Waiter;
    struct Entry {
        std::deque<std::weak_ptr<Waiter>> queue;  // a waiter whose coroutine is gone has expired
    };
    using Entries = std::map<Key, Entry>;  // a key is held while it has an entry

public:
    /// Holds one key; frees it (or hands it to the next waiter) when destroyed.
    class Guard {
    public:
        Guard(Guard&& other) noexcept : entries_(std::move(other.entries_)), key_(std::move(other.key_)) {}
        Guard& operator=(Guard&&) = delete;
        ~Guard() {
            if (entries_) release(*entries_, key_);
        }
        const Key& key() const noexcept { return key_; }

    private:
        friend class KeyedLock;
        Guard(std::shared_ptr<Entries> entries, Key key) : entries_(std::move(entries)), key_(std::move(key)) {}
        std::shared_ptr<Entries> entries_;
        Key key_;
    };

    KeyedLock() = default;
    KeyedLock(const KeyedLock&) = delete;
    KeyedLock& operator=(const KeyedLock&) = delete;

    /// Waits until `key` is free, then holds it.
    boost::asio::awaitable<Guard> lock(Key key) {
        const std::shared_ptr<Entries> entries = entries_;
        auto found = entries->find(key);
        if (found == entries->end()) {
            entries->emplace(key, Entry{});
            co_return Guard(entries, std::move(key));
        }
        const auto executor = co_await boost::asio::this_coro::executor;
        auto waiter = std::make_shared<Waiter>(executor, entries, key);
        found->second.queue.push_back(waiter);
        co_await waiter->granted.wait();
        waiter->taken = true;
        co_return Guard(entries, std::move(key));
    }

    /// Whether someone holds `key` now.
    bool locked(const Key& key) const { return entries_->contains(key); }

private:
    struct Waiter {
        Waiter(const boost::asio::any_io_executor& executor, const std::shared_ptr<Entries>& entries, Key k)
            : granted(executor), owner(entries), key(std::move(k)) {}
        // A waiter handed the key whose coroutine was destroyed before it
        // resumed (the io_context torn down) passes the key on.
        ~Waiter() {
            if (granted.is_set() && !taken) {
                if (auto entries = owner.lock()) release(*entries, key);
            }
        }
        Event granted;
        std::weak_ptr<Entries> owner;
        Key key;
        bool taken = false;
    };

    static void release(Entries& entries, const Key& key) {
        auto found = entries.find(key);
        if (found == entries.end()) return;
        auto& queue = found->second.queue;
        while (!queue.empty()) {
            auto next = queue.front().lock();
            queue.pop_front();
            if (next) {
                next->granted.set();  // the key stays held: it is the next waiter's now
                return;
            }
        }
        entries.erase(found);
    }

    std::shared_ptr<Entries> entries_ = std::make_shared<Entries>();
};

}  // namespace cardd::daemon::async
