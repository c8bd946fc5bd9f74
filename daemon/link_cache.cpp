#include "daemon/link_cache.hpp"

#include "daemon/terminal/modbus_link.hpp"

namespace cardd::daemon {

LinkSource modbus_links(LinkOptions options, std::size_t max_tcp_connections) {
    auto factory = std::make_shared<LinkFactory>(options, max_tcp_connections);
    return [factory](const TerminalAddress& address) { return factory->link_for(address); };
}

LinkResult<std::shared_ptr<TerminalLink>> LinkCache::link_for(std::int64_t id, const TerminalAddress& address) {
    if (auto found = links_.find(id); found != links_.end() && found->second.address == address) {
        return found->second.link;
    }
    auto link = source_(address);
    if (!link) return std::unexpected(link.error());
    links_[id] = Entry{address, *link};
    return *link;
}

}  // namespace cardd::daemon
