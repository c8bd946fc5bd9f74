#include "daemon/config.hpp"

#include <toml++/toml.h>

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace cardd::daemon {

std::string Config::database_url() const {
    if (!database.empty()) return database;
    return "sqlite:" + (data_dir / "cardd.sqlite").string();
}

Result<ListenAddress> parse_listen_address(std::string_view text) {
    const auto bad = [&](std::string_view why) {
        return fail(Errc::invalid, "'" + std::string(text) + "' " + std::string(why));
    };
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return bad("must be HOST:PORT, e.g. 127.0.0.1:9417");
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    const bool bracketed = host.size() >= 2 && host.front() == '[' && host.back() == ']';
    if (bracketed) host = host.substr(1, host.size() - 2);
    ListenAddress address;
    address.host = std::string(host);
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), address.port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || address.port < 1 || address.port > 65535)
        return bad("must end in a port from 1 to 65535");
    in_addr v4{};
    in6_addr v6{};
    if (!bracketed && ::inet_pton(AF_INET, address.host.c_str(), &v4) == 1) {
        address.loopback = (ntohl(v4.s_addr) >> 24) == 127;
    } else if (bracketed && ::inet_pton(AF_INET6, address.host.c_str(), &v6) == 1) {
        address.loopback = IN6_IS_ADDR_LOOPBACK(&v6);
    } else {
        return bad("must name an IP address (IPv6 in brackets, as [::1]:9417), not a host name");
    }
    return address;
}

namespace {

constexpr std::array<std::string_view, 7> log_levels = {"trace", "debug", "info", "warn", "error", "critical", "off"};

// Reads settings out of one parsed file; every refusal names the file, the
// line and the setting, so a sysadmin finds it at once.
class SettingsReader {
public:
    SettingsReader(const std::filesystem::path& path, const toml::table& table) : path_(path.string()), table_(table) {}

    Error refusal(const toml::node& node, std::string_view key, std::string_view reason) const {
        return Error{Errc::invalid, path_ + ":" + std::to_string(node.source().begin.line) + ": " + std::string(key) +
                                        " " + std::string(reason)};
    }

    /// After every setting was read: a key in the file that no reader asked
    /// for is a typo, or a setting of another version, and is refused.
    Result<void> only_known() const {
        for (const auto& [key, node] : table_) {
            if (!asked_.contains(key.str()))
                return std::unexpected(refusal(node, key.str(), "is not a setting of cardd"));
        }
        return {};
    }

    Result<void> text(std::string_view key, std::string& field) const {
        const toml::node* node = setting(key);
        if (!node) return {};
        const auto value = node->value<std::string>();
        if (!value) return std::unexpected(refusal(*node, key, "must be a string"));
        field = *value;
        return {};
    }

    /// An array of non-empty strings.
    Result<void> texts(std::string_view key, std::vector<std::string>& field) const {
        const toml::node* node = setting(key);
        if (!node) return {};
        const toml::array* array = node->as_array();
        if (!array) return std::unexpected(refusal(*node, key, "must be an array of strings"));
        std::vector<std::string> values;
        for (const toml::node& element : *array) {
            const auto value = element.value<std::string>();
            if (!value || value->empty())
                return std::unexpected(refusal(element, key, "must be an array of non-empty strings"));
            values.push_back(*value);
        }
        field = std::move(values);
        return {};
    }

    Result<void> path(std::string_view key, std::filesystem::path& field) const {
        std::string value;
        if (auto read = text(key, value); !read) return read;
        if (setting(key) && value.empty()) return std::unexpected(refusal(*setting(key), key, "must not be empty"));
        if (!value.empty()) field = value;
        return {};
    }

    template <class T>
    Result<void> whole(std::string_view key, T& field, std::int64_t least, std::int64_t most) const {
        const toml::node* node = setting(key);
        if (!node) return {};
        const auto value = node->value_exact<std::int64_t>();
        if (!value || *value < least || *value > most) {
            return std::unexpected(refusal(
                *node, key, "must be a whole number from " + std::to_string(least) + " to " + std::to_string(most)));
        }
        field = static_cast<T>(*value);
        return {};
    }

    /// Checks that `key`'s value is at least `other`'s once both are read;
    /// the refusal names whichever of the two the file sets.
    template <class T>
    Result<void> at_least(std::string_view key, const T& value, std::string_view other, const T& least) const {
        if (value >= least) return {};
        const toml::node* node = setting(key) ? setting(key) : setting(other);
        const std::string reason = "(" + std::to_string(value) + ") must be at least " + std::string(other) + " (" +
                                   std::to_string(least) + ")";
        if (!node) return fail(Errc::invalid, std::string(key) + " " + reason);
        return std::unexpected(refusal(*node, key, reason));
    }

    template <class Duration>
    Result<void> duration(std::string_view key, Duration& field) const {
        auto count = static_cast<std::int64_t>(field.count());
        if (auto read = whole(key, count, 0, std::int64_t{1} << 40); !read) return read;
        field = Duration(count);
        return {};
    }

    /// A duration within a range: settings whose zero or huge values mean nothing.
    template <class Duration>
    Result<void> within(std::string_view key, Duration& field, std::int64_t least, std::int64_t most) const {
        auto count = static_cast<std::int64_t>(field.count());
        if (auto read = whole(key, count, least, most); !read) return read;
        field = Duration(count);
        return {};
    }

    /// The console's user: a name or a numeric uid, never root.
    Result<void> console_user(std::string_view key, std::string& field) const {
        if (auto read = text(key, field); !read) return read;
        if (field == "root" || field == "0") {
            return std::unexpected(refusal(*setting(key), key,
                                           "must not be root: the console's user has no role of its own, and root "
                                           "is admin on the socket"));
        }
        return {};
    }

    Result<void> boolean(std::string_view key, bool& field) const {
        const toml::node* node = setting(key);
        if (!node) return {};
        const auto value = node->value_exact<bool>();
        if (!value) return std::unexpected(refusal(*node, key, "must be true or false"));
        field = *value;
        return {};
    }

    /// The metrics endpoint: empty for none, else an address that
    /// parse_listen_address reads, on loopback unless `allow_remote`.
    Result<void> listen(std::string_view key, std::string& field, bool allow_remote) const {
        if (auto read = text(key, field); !read) return read;
        if (field.empty()) return {};
        auto address = parse_listen_address(field);
        if (!address) return std::unexpected(refusal(*setting(key), key, address.error().message));
        if (!address->loopback && !allow_remote) {
            return std::unexpected(refusal(*setting(key), key,
                                           "'" + field +
                                               "' is not a loopback address; the endpoint has no authentication, "
                                               "so set metrics_allow_remote = true to serve it beyond this host"));
        }
        return {};
    }

    Result<void> log_level(std::string_view key, std::string& field) const {
        if (auto read = text(key, field); !read) return read;
        if (std::ranges::find(log_levels, field) == log_levels.end()) {
            return std::unexpected(
                refusal(*setting(key), key, "must be one of trace, debug, info, warn, error, critical, off"));
        }
        return {};
    }

private:
    // Every reader looks a key up here, so the keys cardd knows are the ones
    // it reads, never a list kept beside them.
    const toml::node* setting(std::string_view key) const {
        asked_.emplace(key);
        return table_.get(key);
    }

    std::string path_;
    const toml::table& table_;
    mutable std::set<std::string, std::less<>> asked_;
};

}  // namespace

Result<Config> load_config_file(const std::filesystem::path& path, Config base) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Errc::invalid, path.string() + ": cannot open: " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) return fail(Errc::invalid, path.string() + ": cannot read: " + std::strerror(errno));
    return parse_config_text(text.view(), path, std::move(base));
}

Result<Config> parse_config_text(std::string_view text, const std::filesystem::path& path, Config config) {
    toml::table table;
    try {
        table = toml::parse(text, path.string());
    } catch (const toml::parse_error& error) {
        const auto& where = error.source().begin;
        return fail(Errc::invalid, path.string() + ":" + std::to_string(where.line) + ":" +
                                       std::to_string(where.column) + ": " + std::string(error.description()));
    }
    const SettingsReader read(path, table);
    // The address is checked against the allowance, so the allowance is read first.
    if (auto allowed = read.boolean("metrics_allow_remote", config.metrics_allow_remote); !allowed)
        return std::unexpected(allowed.error());
    const std::array<Result<void>, 28> steps = {
        read.path("data_dir", config.data_dir),
        read.path("socket", config.socket),
        read.text("database", config.database),
        read.log_level("log_level", config.log_level),
        read.text("admin_group", config.admin_group),
        read.text("issuer_group", config.issuer_group),
        read.text("viewer_group", config.viewer_group),
        read.text("socket_group", config.socket_group),
        read.path("master_key", config.master_key),
        read.whole("worker_threads", config.worker_threads, 1, 1024),
        read.whole("max_terminal_connections", config.max_terminal_connections, 1, 1000),
        read.whole("card_valid_years", config.card_valid_years, 1, 100),
        read.duration("modbus_timeout_ms", config.modbus_timeout),
        read.duration("collect_timeout_ms", config.collect_timeout),
        read.duration("push_timeout_ms", config.push_timeout),
        read.duration("retry_initial_s", config.retry_initial),
        read.duration("retry_cap_s", config.retry_cap),
        read.duration("collect_interval_s", config.collect_interval),
        read.duration("audit_interval_s", config.audit_interval),
        read.duration("card_wait_s", config.card_wait),
        read.listen("metrics_listen", config.metrics_listen, config.metrics_allow_remote),
        read.console_user("console_user", config.console_user),
        read.within("console_session_idle_s", config.console_session_idle, 1, 86400),
        read.whole("console_lockout_failures", config.console_lockout_failures, 1, 100),
        read.within("console_lockout_s", config.console_lockout, 1, 86400),
        read.text("instance", config.instance),
        read.within("lease_time_ms", config.lease_time, 300, 3600000),
        read.texts("buses", config.buses),
    };
    // Every setting is read; an unknown key is reported first, then the
    // first refusal in the order above.
    if (auto known = read.only_known(); !known) return std::unexpected(known.error());
    for (const auto& step : steps) {
        if (!step) return std::unexpected(step.error());
    }
    // Every worker may hold a connection while it waits for a terminal; a
    // smaller budget would have workers close each other's links mid-request.
    if (auto fits = read.at_least("max_terminal_connections", config.max_terminal_connections, "worker_threads",
                                  config.worker_threads);
        !fits)
        return std::unexpected(fits.error());
    return config;
}

}  // namespace cardd::daemon
