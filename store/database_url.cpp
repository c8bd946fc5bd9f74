#include "store/database_url.hpp"

#include <charconv>
#include <vector>

#include "store/sqlite_connection.hpp"

namespace cardd::store {
namespace {

constexpr std::string_view sqlite_prefix = "sqlite:";
constexpr std::string_view mariadb_prefix = "mariadb://";

// Percent-decoding lets a password carry '@', ':' or '/'.
Result<std::string> percent_decode(std::string_view in) {
    std::string out;
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        unsigned value = 0;
        if (i + 2 >= in.size()) {
            return fail(Errc::invalid_argument, "database URL: incomplete %-escape");
        }
        auto [ptr, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
        if (ec != std::errc{} || ptr != in.data() + i + 3) {
            return fail(Errc::invalid_argument, "database URL: bad %-escape");
        }
        out.push_back(static_cast<char>(value));
        i += 2;
    }
    return out;
}

Result<MariadbParams> parse_mariadb(std::string_view rest) {
    MariadbParams params;
    const auto at = rest.rfind('@');
    if (at == std::string_view::npos) {
        return fail(Errc::invalid_argument,
                    "database URL: expected mariadb://USER[:PASS]@HOST[:PORT][,HOST[:PORT]...]/DB[?socket=PATH]");
    }
    const std::string_view credentials = rest.substr(0, at);
    std::string_view location = rest.substr(at + 1);

    const auto colon = credentials.find(':');
    auto user = percent_decode(credentials.substr(0, colon));
    if (!user) return std::unexpected(user.error());
    params.user = *user;
    if (colon != std::string_view::npos) {
        auto password = percent_decode(credentials.substr(colon + 1));
        if (!password) return std::unexpected(password.error());
        params.password = *password;
    }
    if (params.user.empty()) return fail(Errc::invalid_argument, "database URL: the MariaDB user is empty");

    const auto question = location.find('?');
    std::string_view query;
    if (question != std::string_view::npos) {
        query = location.substr(question + 1);
        location = location.substr(0, question);
    }
    const auto slash = location.find('/');
    if (slash == std::string_view::npos || slash + 1 == location.size()) {
        return fail(Errc::invalid_argument, "database URL: the MariaDB database name is missing (…@HOST/DB)");
    }
    params.database = std::string(location.substr(slash + 1));
    // HOST[:PORT], or several of a Galera cluster: HOST[:PORT],HOST[:PORT]...
    std::vector<MariadbEndpoint> hosts;
    const std::string_view host_list = location.substr(0, slash);
    for (std::size_t from = 0;;) {
        const auto comma = host_list.find(',', from);
        std::string_view host = host_list.substr(from, comma == std::string_view::npos ? comma : comma - from);
        MariadbEndpoint endpoint;
        if (const auto port_colon = host.rfind(':'); port_colon != std::string_view::npos) {
            const std::string_view port = host.substr(port_colon + 1);
            auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), endpoint.port);
            if (ec != std::errc{} || ptr != port.data() + port.size() || endpoint.port == 0 || endpoint.port > 65535) {
                return fail(Errc::invalid_argument, "database URL: bad port '" + std::string(port) + "'");
            }
            host = host.substr(0, port_colon);
        }
        endpoint.host = std::string(host);
        const bool listed = comma != std::string_view::npos || !hosts.empty();
        if (endpoint.host.empty() && listed) {
            return fail(Errc::invalid_argument, "database URL: an empty host in the list of hosts");
        }
        hosts.push_back(std::move(endpoint));
        if (comma == std::string_view::npos) break;
        from = comma + 1;
    }

    // socket=PATH, repeated for several nodes on this host; they come before the hosts.
    std::vector<MariadbEndpoint> sockets;
    while (!query.empty()) {
        const auto amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const auto eq = pair.find('=');
        const std::string_view key = pair.substr(0, eq);
        if (key != "socket" || eq == std::string_view::npos) {
            return fail(Errc::invalid_argument,
                        "database URL: unknown option '" + std::string(key) + "' (only socket=PATH)");
        }
        auto socket = percent_decode(pair.substr(eq + 1));
        if (!socket) return std::unexpected(socket.error());
        if (socket->empty()) return fail(Errc::invalid_argument, "database URL: socket= needs a path");
        sockets.push_back({"", *socket, 0});
    }
    // The first socket and the first host are the first node, as with one
    // of each (the socket is used); the other sockets, then the other
    // hosts, are the nodes to fail over to.
    params.host = hosts.front().host;
    params.port = hosts.front().port;
    if (!sockets.empty()) params.socket = sockets.front().socket;
    if (params.host.empty() && params.socket.empty()) {
        return fail(Errc::invalid_argument, "database URL: give a host or ?socket=PATH");
    }
    for (std::size_t n = 1; n < sockets.size(); ++n) params.others.push_back(std::move(sockets[n]));
    for (std::size_t n = 1; n < hosts.size(); ++n) params.others.push_back(std::move(hosts[n]));
    return params;
}

}  // namespace

Result<DatabaseUrl> parse_database_url(std::string_view url) {
    if (url.starts_with(sqlite_prefix)) {
        const std::string_view path = url.substr(sqlite_prefix.size());
        if (path.empty()) return fail(Errc::invalid_argument, "database URL: sqlite: needs a file path");
        return SqliteUrl{std::filesystem::path(path)};
    }
    if (url.starts_with(mariadb_prefix)) {
        auto params = parse_mariadb(url.substr(mariadb_prefix.size()));
        if (!params) return std::unexpected(params.error());
        return *params;
    }
    return fail(Errc::invalid_argument,
                "database URL must start with sqlite: or mariadb:// (got '" + redact_database_url(url) + "')");
}

std::string redact_database_url(std::string_view url) {
    std::string out(url);
    const auto scheme = out.find("://");
    const auto at = out.rfind('@');
    if (scheme == std::string::npos || at == std::string::npos || at < scheme) return out;
    const auto colon = out.find(':', scheme + 3);
    if (colon == std::string::npos || colon > at) return out;
    return out.replace(colon + 1, at - colon - 1, "***");
}

Result<std::unique_ptr<SqlConnection>> open_database(const DatabaseUrl& url) {
    if (const auto* sqlite = std::get_if<SqliteUrl>(&url)) return open_sqlite(sqlite->path);
    return open_mariadb(std::get<MariadbParams>(url));
}

}  // namespace cardd::store
