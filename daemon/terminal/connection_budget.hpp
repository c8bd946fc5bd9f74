#pragma once
// A bound on the TCP connections open to terminals at once.
//
// A site with thousands of TCP terminals cannot keep a connection to each:
// every one is a descriptor, and libmodbus waits with select(), which cannot
// watch a descriptor past 1023 (tcp_connect.hpp). Links keep their
// connection between requests, since a reconnect costs a round trip; when a
// link must connect and the budget is spent, the idle connection opened last
// is closed to make room. Its terminal reconnects on its next request, which
// every CT-1 request is safe to be the first of.
//
// Newest first, not least recently used: a push goes round every terminal
// in turn, and with more terminals than the budget LRU closes each
// connection just before its next use, so every terminal reconnects on
// every push. Closing the newest keeps the connections open longest in
// place; only the terminals beyond the budget take turns in what is left.

#include <cstddef>
#include <list>
#include <mutex>
#include <unordered_map>

namespace cardd::daemon {

class ConnectionBudget {
public:
    /// One connection's owner, which can be asked to close it.
    class Holder {
    public:
        /// Closes the connection if no request is using it now, without
        /// waiting for one that is; true when closed. Must not call back into
        /// the budget.
        virtual bool close_if_idle() noexcept = 0;

    protected:
        ~Holder() = default;
    };

    /// `limit` connections at most (at least 1).
    explicit ConnectionBudget(std::size_t limit) : limit_(limit < 1 ? 1 : limit) {}

    /// Before `holder` connects (it holds its own lock): closes idle
    /// connections, the last opened first, until one more fits, and counts
    /// `holder` as open. When every open connection is busy it is let over
    /// the limit rather than made to wait; with the limit at least the
    /// number of workers that cannot happen.
    void opening(Holder& holder);
    /// The holder's connection is closed (a failed connect, an error, or the
    /// holder going away): it no longer counts.
    void closed(Holder& holder) noexcept;

    std::size_t open() const;
    std::size_t limit() const noexcept { return limit_; }
    /// Connections closed to make room since the start.
    std::size_t evicted() const;

private:
    mutable std::mutex mutex_;
    const std::size_t limit_;
    std::size_t evicted_ = 0;
    std::list<Holder*> by_open_;  // front: opened first
    std::unordered_map<Holder*, std::list<Holder*>::iterator> place_;
};

}  // namespace cardd::daemon
