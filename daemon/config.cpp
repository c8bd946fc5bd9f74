#include "daemon/config.hpp"

#include <toml++/toml.h>

#include <set>

namespace cardd::daemon {

std::string Config::database_url() const {
    if (!database.empty()) return database;
    return "sqlite:" + (data_dir / "cardd.sqlite").string();
}

namespace {

template <class T>
Result<T> positive(const toml::table& table, std::string_view key, T current) {
    const toml::node* node = table.get(key);
    if (!node) return current;
    const auto value = node->value<std::int64_t>();
    if (!value || *value < 0) {
        return fail(Errc::invalid, "cardd.conf: " + std::string(key) + " must be a whole number, 0 or more");
    }
    return static_cast<T>(*value);
}

}  // namespace

Result<Config> load_config_file(const std::filesystem::path& path, Config config) {
    toml::table table;
    try {
        table = toml::parse_file(path.string());
    } catch (const toml::parse_error& error) {
        const auto& where = error.source().begin;
        return fail(Errc::invalid, "cardd.conf: " + path.string() + ":" + std::to_string(where.line) + ":" +
                                                std::to_string(where.column) + ": " + std::string(error.description()));
    }
    static const std::set<std::string_view> known = {
        "data_dir",        "socket",          "database",       "log_level",      "admin_group",
        "issuer_group",    "viewer_group",   "socket_group",    "worker_threads", "modbus_timeout_ms", "collect_timeout_ms",
        "push_timeout_ms", "retry_initial_s", "retry_cap_s",    "collect_interval_s", "audit_interval_s",
        "master_key",      "card_wait_s",     "card_valid_years"};
    for (const auto& [key, node] : table) {
        (void)node;
        if (!known.contains(key.str())) {
            return fail(Errc::invalid, "cardd.conf: unknown setting '" + std::string(key.str()) + "'");
        }
    }
    const auto text = [&](std::string_view key, auto& field) -> Result<void> {
        const toml::node* node = table.get(key);
        if (!node) return {};
        const auto value = node->value<std::string>();
        if (!value) return fail(Errc::invalid, "cardd.conf: " + std::string(key) + " must be a string");
        field = *value;
        return {};
    };
    for (auto [key, field] : {std::pair<std::string_view, std::string*>{"database", &config.database},
                              {"log_level", &config.log_level},
                              {"admin_group", &config.admin_group},
                              {"issuer_group", &config.issuer_group},
                              {"viewer_group", &config.viewer_group},
                              {"socket_group", &config.socket_group}}) {
        if (auto done = text(key, *field); !done) return std::unexpected(done.error());
    }
    std::string path_text;
    if (auto done = text("data_dir", path_text); !done) return std::unexpected(done.error());
    if (!path_text.empty()) config.data_dir = path_text;
    path_text.clear();
    if (auto done = text("socket", path_text); !done) return std::unexpected(done.error());
    if (!path_text.empty()) config.socket = path_text;
    path_text.clear();
    if (auto done = text("master_key", path_text); !done) return std::unexpected(done.error());
    if (!path_text.empty()) config.master_key = path_text;
    auto years = positive<std::int64_t>(table, "card_valid_years", config.card_valid_years);
    if (!years) return std::unexpected(years.error());
    if (*years < 1 || *years > 100) {
        return fail(Errc::invalid, "cardd.conf: card_valid_years must be 1 to 100");
    }
    config.card_valid_years = static_cast<int>(*years);

    auto workers = positive<unsigned>(table, "worker_threads", config.worker_threads);
    if (!workers) return std::unexpected(workers.error());
    config.worker_threads = std::max(1u, *workers);
    const auto millis = [&](std::string_view key, std::chrono::milliseconds& field) -> Result<void> {
        auto value = positive<std::int64_t>(table, key, field.count());
        if (!value) return std::unexpected(value.error());
        field = std::chrono::milliseconds(*value);
        return {};
    };
    const auto seconds = [&](std::string_view key, std::chrono::seconds& field) -> Result<void> {
        auto value = positive<std::int64_t>(table, key, field.count());
        if (!value) return std::unexpected(value.error());
        field = std::chrono::seconds(*value);
        return {};
    };
    for (auto done : {millis("modbus_timeout_ms", config.modbus_timeout), millis("collect_timeout_ms", config.collect_timeout),
                      millis("push_timeout_ms", config.push_timeout), seconds("retry_initial_s", config.retry_initial),
                      seconds("retry_cap_s", config.retry_cap), seconds("collect_interval_s", config.collect_interval),
                      seconds("audit_interval_s", config.audit_interval), seconds("card_wait_s", config.card_wait)}) {
        if (!done) return std::unexpected(done.error());
    }
    return config;
}

}  // namespace cardd::daemon
