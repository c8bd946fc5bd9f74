// cardd: the card centre daemon. Thin: flags and configuration, then the
// store, the distributor and the control socket on one io_context.

#include "daemon/async/asio.hpp"
#include "daemon/async/interval_loop.hpp"
#include "daemon/async/throttle.hpp"
#include <CLI/CLI.hpp>
#include <systemd/sd-daemon.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>
#include <time.h>

#include <cstdlib>
#include <expected>
#include <filesystem>
#include <iostream>
#include <string>

#include "daemon/config.hpp"
#include "daemon/encoders.hpp"
#include "daemon/master_key.hpp"
#include "daemon/private_files.hpp"
#include "daemon/process_secrecy.hpp"
#include "daemon/control/control_server.hpp"
#include "daemon/distributor.hpp"
#include "daemon/lease_keeper.hpp"
#include "daemon/log.hpp"
#include "daemon/metrics/metrics.hpp"
#include "daemon/metrics_feed.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/control/console_gate.hpp"
#include "daemon/control/sessions.hpp"
#include "daemon/passwords.hpp"
#include "daemon/service.hpp"
#include "store/card_store.hpp"
#include "store/database_url.hpp"
#include "store/store_copy.hpp"

namespace {

using namespace cardd;
using namespace cardd::daemon;

struct Flags {
    std::string config;
    std::string data_dir;
    std::string socket;
    std::string database;
    std::string log_level;
    std::string master_key;
};

Config apply_flags(Config config, const Flags& flags) {
    if (!flags.data_dir.empty()) config.data_dir = flags.data_dir;
    if (!flags.socket.empty()) config.socket = flags.socket;
    if (!flags.database.empty()) config.database = flags.database;
    if (!flags.log_level.empty()) config.log_level = flags.log_level;
    if (!flags.master_key.empty()) config.master_key = flags.master_key;
    return config;
}

Result<Config> read_config(const Flags& flags) {
    Config config;
    if (!flags.config.empty()) {
        auto loaded = load_config_file(flags.config, config);
        if (!loaded) return loaded;
        config = *loaded;
    }
    return apply_flags(config, flags);
}

// As knot's conf-check: the unit runs this before every start, so a bad
// setting is reported with its file and line and cardd is not started.
int check_config(const Flags& flags) {
    auto config = read_config(flags);
    if (!config) {
        std::cerr << "cardd: " << config.error().message << "\n";
        return 2;
    }
    if (auto parsed = store::parse_database_url(config->database_url()); !parsed) {
        std::cerr << "cardd: " << parsed.error().message << "\n";
        return 2;
    }
    std::cout << "cardd: " << (flags.config.empty() ? std::string("the defaults and flags") : flags.config)
              << ": the configuration is valid\n";
    return 0;
}

// The store named by `url`, for --migrate-store. A SQLite source must exist
// (opening creates a missing file); a new SQLite target is created 0600,
// since it will hold people's data.
std::expected<std::unique_ptr<store::SqlConnection>, std::string> open_for_copy(const std::string& url, bool source) {
    auto parsed = store::parse_database_url(url);
    if (!parsed) return std::unexpected(parsed.error().message);
    if (const auto* sqlite = std::get_if<store::SqliteUrl>(&*parsed)) {
        std::error_code ignored;
        if (source && !std::filesystem::is_regular_file(sqlite->path, ignored)) {
            return std::unexpected("no SQLite store at " + sqlite->path.string());
        }
        if (!source) {
            const int fd = ::open(sqlite->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
            if (fd >= 0) ::close(fd);
        }
    }
    auto connection = store::open_database(*parsed);
    if (!connection) return std::unexpected(connection.error().message);
    return std::move(*connection);
}

// cardd --migrate-store FROM TO: the whole store copied, verified, summed up.
// Run with cardd stopped on FROM (docs/store.md, "Moving from SQLite to MariaDB").
int migrate_store(const std::vector<std::string>& urls) {
    const std::string& from_url = urls.at(0);
    const std::string& to_url = urls.at(1);
    const std::string from_shown = store::redact_database_url(from_url);
    const std::string to_shown = store::redact_database_url(to_url);
    if (from_url == to_url) {
        std::cerr << "cardd: --migrate-store: FROM and TO are the same database (" << from_shown << ")\n";
        return 1;
    }
    auto from = open_for_copy(from_url, true);
    if (!from) {
        std::cerr << "cardd: --migrate-store: the source " << from_shown << ": " << from.error() << "\n";
        return 1;
    }
    auto to = open_for_copy(to_url, false);
    if (!to) {
        std::cerr << "cardd: --migrate-store: the target " << to_shown << ": " << to.error() << "\n";
        return 1;
    }
    auto copied = store::copy_store(**from, **to);
    if (!copied) {
        std::cerr << "cardd: --migrate-store " << from_shown << " -> " << to_shown
                  << " failed: " << copied.error().message << "\n";
        return 1;
    }
    std::cout << "cardd: copied the store from " << from_shown << " to " << to_shown << ", schema version "
              << copied->schema_version << "\n";
    for (const store::CopySummary::Table& table : copied->tables) {
        std::cout << "  " << table.name << ": " << table.rows << " rows\n";
    }
    std::cout << "cardd: verified: the row count of every table, and the ledger sum of each of " << copied->cards
              << " cards (total " << copied->balance_total << " cents), are equal on both sides\n";
    return 0;
}

// The soft limit on descriptors is often 1024 while the hard one is far
// higher: a site's control clients, console sessions and terminal links
// together may pass the first. Terminal links stay within
// max_terminal_connections whatever the limit (connection_budget.hpp).
void raise_descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return;
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
}

int run(const Flags& flags) {
    auto config = read_config(flags);
    if (!config) {
        std::cerr << "cardd: " << config.error().message << "\n";
        return 2;
    }
    setup_logging(config->log_level, stderr_is_journal());
    raise_descriptor_limit();

    if (auto made = create_data_dir(config->data_dir); !made) {
        std::cerr << "cardd: " << made.error().message << "\n";
        return 1;
    }
    const std::string url = config->database_url();
    auto parsed = store::parse_database_url(url);
    if (!parsed) {
        std::cerr << "cardd: " << parsed.error().message << "\n";
        return 2;
    }
    if (const auto* sqlite = std::get_if<store::SqliteUrl>(&*parsed)) {
        if (auto private_store = check_store_file(sqlite->path); !private_store) {
            std::cerr << "cardd: " << private_store.error().message << "\n";
            return 1;
        }
    }
    auto connection = store::open_database(*parsed);
    if (!connection) {
        std::cerr << "cardd: " << connection.error().message << "\n";
        return 1;
    }
    // Logged once per outage, not at every request that fails during it.
    (*connection)->observe_link([](store::LinkEvent event, const std::string& detail) {
        if (event == store::LinkEvent::lost) {
            log_event(msg::store_unreachable, {{"error", detail}});
        } else {
            log_event(msg::store_reconnected, {{"detail", detail}});
        }
    });
    auto opened = store::CardStore::open(std::move(*connection));
    if (!opened) {
        std::cerr << "cardd: " << opened.error().message << "\n";
        return 1;
    }
    store::CardStore& card_store = **opened;
    log_event(msg::store_opened,
              {{"database", store::redact_database_url(url)}, {"schema", card_store.schema_version().value_or(0)}});
    // A write left open by a crash is settled when its card is seen again;
    // until then the operator should know it is there.
    if (auto open = card_store.open_writes()) {
        const store::UnixTime now = store::system_clock_now();
        for (const store::WriteIntent& intent : *open) {
            log_event(msg::card_write_pending, {{"write", intent.id},
                                                {"kind", to_string(intent.kind)},
                                                {"card_no", intent.card_no},
                                                {"uid", intent.uid},
                                                {"age_s", now - intent.created_at},
                                                {"reason", "open at start"}});
        }
    }

    auto master_key = load_or_create_master_key(config->master_key_path());
    if (!master_key) {
        std::cerr << "cardd: " << master_key.error().message << "\n";
        return 1;
    }
    if (master_key->created) {
        log_event(msg::master_key_created, {{"file", config->master_key_path()}});
    }

    boost::asio::io_context io;
    Distributor distributor(io, card_store, *config,
                            modbus_links(LinkOptions{config->modbus_timeout}, config->max_terminal_connections));
    Encoders encoders(io, card_store, master_key->key, config->data_dir);
    Sessions sessions(SessionLimits{config->console_session_idle});
    Passwords passwords;
    Service service{*config,
                    card_store,
                    distributor,
                    encoders,
                    sessions,
                    passwords,
                    store::system_clock_now(),
                    store::redact_database_url(url)};
    // Each request of the console asks the store whether its account may
    // still act, so a change made through another cardd on the same
    // database ends its sessions here too.
    ConsoleGate console(sessions, [&card_store](const Session& session) -> store::Result<std::optional<Role>> {
        auto account = card_store.account(session.account);
        if (!account) {
            if (account.error().code == store::Errc::not_found) return std::optional<Role>{};
            return std::unexpected(account.error());
        }
        if (account->disabled || account->password_changed_at > session.created_unix) return std::optional<Role>{};
        return std::optional<Role>{role_of(account->role)};
    });
    const auto set_console_user = [&console](const std::string& user) {
        console.set_console_uid(console_uid_of(user));
        if (!console.console_uid()) log_event(msg::console_none, {{"console_user", user}});
    };
    set_console_user(config->console_user);
    if (const auto* sqlite = std::get_if<store::SqliteUrl>(&*parsed)) service.sqlite_file = sqlite->path;
    CommandRegistry registry;
    register_all_commands(registry, service);
    std::unique_ptr<ControlServer> server;
    try {
        ControlLimits limits;
        limits.socket_group = config->socket_group;
        server = std::make_unique<ControlServer>(
            io, config->socket, registry, RoleGroups{config->admin_group, config->issuer_group, config->viewer_group},
            limits);
        server->set_console(console);
    } catch (const std::exception& error) {
        std::cerr << "cardd: cannot serve " << config->socket << ": " << error.what() << "\n";
        return 1;
    }
    // systemd's status line (`systemctl status cardd`), sent again when it
    // changes; it reads every terminal, so at most once a second.
    std::string last_status;
    async::Throttle status_line(io.get_executor(), std::chrono::seconds(1), [&card_store, &last_status] {
        std::string status = "STATUS=" + service_status(card_store);
        if (status == last_status) return;
        sd_notify(0, status.c_str());
        last_status = std::move(status);
    });
    distributor.on_sync_done([&status_line] { status_line.request(); });

    // Off by default; on, the endpoint serves from its own thread what the
    // feed sets here on the io thread.
    metrics::Metrics metrics;
    std::optional<MetricsFeed> metrics_feed;
    if (!config->metrics_listen.empty()) {
        try {
            metrics.serve(config->metrics_listen);
        } catch (const std::exception& error) {
            std::cerr << "cardd: " << error.what() << "\n";
            return 1;
        }
        metrics_feed.emplace(io, card_store, metrics);
        distributor.set_events(metrics_feed->events());
        service.events = &metrics_feed->events();
        metrics_feed->observe(registry);
        metrics_feed->start(std::chrono::seconds(5));
        log_event(msg::metrics_serving, {{"listen", config->metrics_listen}});
    }
    // Several instances on one store share the terminals by leases; the
    // first round comes before anything drives a terminal.
    LeaseKeeper leases(io, card_store, *config, [&distributor](const std::vector<store::DeviceId>& claimed) {
        for (const store::DeviceId id : claimed) distributor.sync_in_background(id);
    });
    if (leases.leasing()) {
        distributor.drive_only([&leases](store::DeviceId id) { return leases.drives(id); });
        if (auto first = leases.start(); !first) {
            std::cerr << "cardd: cannot take part in the terminal leases as instance '" << config->instance
                      << "': " << first.error().message << "\n";
            return 1;
        }
    }
    server->start();
    distributor.start();

    boost::asio::signal_set stop_signals(io, SIGTERM, SIGINT);
    stop_signals.async_wait([&](const boost::system::error_code& error, int signal) {
        if (error) return;
        log_event(msg::stopping, {{"signal", signal}});
        sd_notify(0, "STOPPING=1");
        server->stop();
        distributor.stop();
        leases.stop();
        passwords.stop();
        if (metrics_feed) metrics_feed->stop();
        io.stop();
    });
    boost::asio::signal_set reload_signal(io, SIGHUP);
    std::function<void()> wait_reload = [&] {
        reload_signal.async_wait([&](const boost::system::error_code& error, int) {
            if (error) return;
            // systemd 253 and later want the reload's start on the monotonic
            // clock; 252 ignores the field.
            timespec now{};
            ::clock_gettime(CLOCK_MONOTONIC, &now);
            const std::string reloading =
                "RELOADING=1\nMONOTONIC_USEC=" + std::to_string(static_cast<std::uint64_t>(now.tv_sec) * 1000000u +
                                                                static_cast<std::uint64_t>(now.tv_nsec) / 1000u);
            sd_notify(0, reloading.c_str());
            // Settings read at start (database, socket, data directory, pool
            // size) need a restart; the log level, the role groups and the
            // console's settings apply now.
            auto reloaded = read_config(flags);
            if (!reloaded) {
                log_event(msg::reload_failed, {{"error", reloaded.error().message}});
            } else {
                spdlog::set_level(spdlog::level::from_str(reloaded->log_level));
                server->set_groups({reloaded->admin_group, reloaded->issuer_group, reloaded->viewer_group});
                // The console's settings: the handlers read them from the service's configuration.
                config->console_user = reloaded->console_user;
                config->console_session_idle = reloaded->console_session_idle;
                config->console_lockout_failures = reloaded->console_lockout_failures;
                config->console_lockout = reloaded->console_lockout;
                set_console_user(config->console_user);
                sessions.set_limits(SessionLimits{config->console_session_idle});
                log_event(msg::reloaded, {{"log_level", reloaded->log_level}});
            }
            sd_notify(0, "READY=1");
            wait_reload();
        });
    };
    wait_reload();

    // Pings systemd's watchdog from the io thread, twice a watchdog period: if
    // the loop stalls, systemd notices.
    async::IntervalLoop watchdog;
    std::uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) > 0) {
        sd_notify(0, "WATCHDOG=1");
        watchdog.start(io.get_executor(), std::chrono::microseconds(watchdog_usec) / 2,
                       []() -> boost::asio::awaitable<void> {
                           sd_notify(0, "WATCHDOG=1");
                           co_return;
                       });
    }

    log_event(msg::started, {{"socket", config->socket}, {"database", store::redact_database_url(url)}});
    sd_notify(0, "READY=1");
    status_line.request();
    std::cout << "cardd: serving " << config->socket.string() << std::endl;
    io.run();
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // Before anything secret is in memory.
    forbid_core_dumps();
    CLI::App app{"cardd: the card centre daemon of a cashless canteen"};
    Flags flags;
    bool messages = false;
    app.add_option("--config", flags.config, "cardd.conf (TOML); flags override it")->check(CLI::ExistingFile);
    app.add_option("--data-dir", flags.data_dir, "where the SQLite database and the master key live (/var/lib/cardd)");
    app.add_option("--socket", flags.socket, "control socket path (/run/cardd/cardd.sock)");
    app.add_option("--database", flags.database,
                   "sqlite:PATH or mariadb://USER:PASS@HOST[:PORT]/DB[?socket=PATH] (sqlite:DATA_DIR/cardd.sqlite)");
    app.add_option("--log-level", flags.log_level, "trace, debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
    app.add_option("--master-key", flags.master_key,
                   "the card centre's master key, 16 bytes, mode 0600; written at first start when absent "
                   "(DATA_DIR/master.key)");
    bool messages_markdown = false;
    bool check_only = false;
    std::vector<std::string> migrate;
    app.add_option("--migrate-store", migrate,
                   "copy the whole store from database FROM to database TO (URLs as --database takes them), "
                   "which must be empty, verify it, and exit; stop cardd on FROM first")
        ->expected(2)
        ->type_name("FROM TO");
    app.add_flag("--check-config", check_only,
                 "check the configuration file and flags, say what is wrong with its file and line, and exit");
    app.add_flag("--messages", messages, "print the log message catalogue and exit");
    app.add_flag("--messages-markdown", messages_markdown,
                 "print the catalogue as the table of docs/log-messages.md and exit");
    app.set_version_flag("--version", "cardd " CARDD_VERSION);
    CLI11_PARSE(app, argc, argv);
    // The flags hold their copies now; what `ps` shows loses the passwords.
    hide_url_passwords(argc, argv);
    if (messages_markdown) {
        std::cout << catalogue_markdown();
        return 0;
    }
    if (messages) {
        for (const Message* message : msg::catalogue) {
            std::cout << message->id << "\t" << level_name(message->level) << "\t" << message->meaning << "\n";
        }
        return 0;
    }
    if (check_only) return check_config(flags);
    if (!migrate.empty()) return migrate_store(migrate);
    return run(flags);
}
