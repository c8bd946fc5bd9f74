#pragma once
// One link per terminal, kept while the terminal's address stays the same:
// a TCP link keeps its connection and an RTU link its bus from one use to the
// next. A terminal whose address changed gets a new link. Where links come
// from is injected: libmodbus in the daemon (modbus_links), simulated
// terminals in tests. Used on the io thread only.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "daemon/terminal/modbus_context.hpp"
#include "daemon/terminal/terminal_address.hpp"
#include "daemon/terminal/terminal_link.hpp"

namespace cardd::daemon {

/// Makes a new link to the terminal at an address.
using LinkSource = std::function<LinkResult<std::shared_ptr<TerminalLink>>(const TerminalAddress&)>;

/// Links over libmodbus (LinkFactory, which the source keeps), with at most
/// `max_tcp_connections` TCP connections open at once (0: unbounded).
LinkSource modbus_links(LinkOptions options, std::size_t max_tcp_connections);

class LinkCache {
public:
    explicit LinkCache(LinkSource source) : source_(std::move(source)) {}

    /// The link of terminal `id`: the one made before if its address is the
    /// same, a new one otherwise. A source error is passed on, and nothing kept.
    LinkResult<std::shared_ptr<TerminalLink>> link_for(std::int64_t id, const TerminalAddress& address);

private:
    struct Entry {
        TerminalAddress address;
        std::shared_ptr<TerminalLink> link;
    };
    LinkSource source_;
    std::map<std::int64_t, Entry> links_;
};

}  // namespace cardd::daemon
