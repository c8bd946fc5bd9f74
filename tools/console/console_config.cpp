#include "tools/console/console_config.hpp"

#include <toml++/toml.h>

#include <charconv>
#include <set>

namespace cardd::console {

std::expected<ListenAddress, std::string> parse_listen(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
        return std::unexpected("listen address '" + std::string(text) + "' must be HOST:PORT");
    }
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.front() == '[') {
        if (host.back() != ']') return std::unexpected("listen address '" + std::string(text) + "' has an unclosed [");
        host = host.substr(1, host.size() - 2);
    }
    unsigned port = 0;
    const auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port == 0 || port > 65535) {
        return std::unexpected("listen port '" + std::string(port_text) + "' must be 1 to 65535");
    }
    if (host.empty()) return std::unexpected("listen address '" + std::string(text) + "' has no host");
    return ListenAddress{std::string(host), static_cast<unsigned short>(port)};
}

bool is_loopback(std::string_view host) { return host == "localhost" || host == "::1" || host.starts_with("127."); }

std::expected<void, std::string> read_config_file(const std::filesystem::path& path, ConsoleConfig& config) {
    toml::table table;
    try {
        table = toml::parse_file(path.string());
    } catch (const toml::parse_error& error) {
        return std::unexpected(path.string() + ":" + std::to_string(error.source().begin.line) + ": " +
                               std::string(error.description()));
    }
    const auto where = [&](const toml::node& node) {
        return path.string() + ":" + std::to_string(node.source().begin.line) + ": ";
    };
    static const std::set<std::string, std::less<>> known = {"listen",      "socket",          "certificate",
                                                             "private_key", "state_directory", "idle_connection_s"};
    for (const auto& [key, node] : table) {
        if (!known.contains(key.str())) return std::unexpected(where(node) + "unknown key '" + std::string(key) + "'");
    }
    const auto text = [&](std::string_view key, auto assign) -> std::expected<void, std::string> {
        const toml::node* node = table.get(key);
        if (!node) return {};
        const auto value = node->value<std::string>();
        if (!value) return std::unexpected(where(*node) + "'" + std::string(key) + "' must be a string");
        return assign(*value, *node);
    };
    auto path_into = [&](std::filesystem::path& into) {
        return [&into](const std::string& value, const toml::node&) -> std::expected<void, std::string> {
            into = value;
            return {};
        };
    };
    if (auto done = text("listen",
                         [&](const std::string& value, const toml::node& node) -> std::expected<void, std::string> {
                             auto parsed = parse_listen(value);
                             if (!parsed) return std::unexpected(where(node) + parsed.error());
                             config.listen = *parsed;
                             return {};
                         });
        !done)
        return done;
    for (const auto& [key, into] : {std::pair<std::string_view, std::filesystem::path*>{"socket", &config.socket},
                                    {"certificate", &config.certificate},
                                    {"private_key", &config.private_key},
                                    {"state_directory", &config.state_directory}}) {
        if (auto done = text(key, path_into(*into)); !done) return done;
    }
    if (const toml::node* node = table.get("idle_connection_s")) {
        const auto value = node->value<std::int64_t>();
        if (!value || *value < 5 || *value > 3600) {
            return std::unexpected(where(*node) + "'idle_connection_s' must be a number of seconds, 5 to 3600");
        }
        config.idle_connection_s = static_cast<int>(*value);
    }
    if (config.certificate.empty() != config.private_key.empty()) {
        return std::unexpected(path.string() + ": 'certificate' and 'private_key' go together: give both or neither");
    }
    return {};
}

}  // namespace cardd::console
