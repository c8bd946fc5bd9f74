#pragma once
// What the benchmark tools built on the store library (seed_store,
// bare_topup) share: opening the store a DATABASE_URL names, and reporting a
// store error as the tool's one line on stderr.

#include <cstdio>
#include <memory>
#include <string>
#include <variant>

#include "store/card_store.hpp"
#include "store/database_url.hpp"

namespace cardd::bench {

/// Prints "TOOL: WHAT: the store's message" and gives the exit status 1.
inline int fail(const char* tool, const std::string& what, const store::Error& error) {
    std::fprintf(stderr, "%s: %s: %s\n", tool, what.c_str(), error.message.c_str());
    return 1;
}

/// The store at `url`, migrated. `unsynced` turns SQLite's fsyncs off, for
/// a scratch store being filled; other backends are opened as they are.
inline store::Result<std::unique_ptr<store::CardStore>> open_store(const std::string& url, bool unsynced = false) {
    auto parsed = store::parse_database_url(url);
    if (!parsed) return std::unexpected(parsed.error());
    auto connection = store::open_database(*parsed);
    if (!connection) return std::unexpected(connection.error());
    if (unsynced && std::holds_alternative<store::SqliteUrl>(*parsed)) {
        if (auto off = (*connection)->execute("PRAGMA synchronous = OFF", {}); !off) {
            return std::unexpected(off.error());
        }
    }
    return store::CardStore::open(std::move(*connection));
}

}  // namespace cardd::bench
