#pragma once
// cardd's settings: defaults, then cardd.conf (TOML), then command-line flags.

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/error.hpp"

namespace cardd::daemon {

struct Config {
    std::filesystem::path data_dir = "/var/lib/cardd";
    std::filesystem::path socket = "/run/cardd/cardd.sock";
    std::string database;  ///< empty: sqlite:DATA_DIR/cardd.sqlite
    std::string log_level = "info";

    std::string admin_group = "cardd-admin";
    std::string issuer_group = "cardd-issuer";
    std::string viewer_group = "cardd-viewer";
    /// Group owning the control socket (mode 0660); empty leaves cardd's own group.
    std::string socket_group;

    /// The staff console's user, a name or a numeric uid (docs/accounts.md):
    /// its requests act for the account whose session they carry. A name no
    /// user has allows no console.
    std::string console_user = "cardd-console";
    std::chrono::seconds console_session_idle{900};  ///< a console session unused this long ends
    std::int64_t console_lockout_failures = 5;       ///< wrong passwords in a row that lock an account
    std::chrono::seconds console_lockout{900};       ///< how long a locked account stays locked

    unsigned worker_threads = 8;  ///< bound on terminals served at once (TCP; each bus counts once)
    /// Bound on open TCP connections to terminals: past it the idle one opened
    /// last is closed. Below 1024, since libmodbus waits with select().
    unsigned max_terminal_connections = 512;
    std::chrono::milliseconds modbus_timeout{1000};
    std::chrono::milliseconds collect_timeout{5000};  ///< bound on collection before a loss report
    std::chrono::milliseconds push_timeout{10000};    ///< how long a loss report waits for terminals
    std::chrono::seconds retry_initial{2};
    std::chrono::seconds retry_cap{300};
    std::chrono::seconds collect_interval{300};  ///< periodic record collection; 0 disables
    std::chrono::seconds audit_interval{600};    ///< periodic checksum audit; 0 disables

    /// The card centre's master key; empty: DATA_DIR/master.key.
    std::filesystem::path master_key;
    std::chrono::seconds card_wait{30};  ///< how long a card workflow waits for the card by default
    int card_valid_years = 5;            ///< a new card's expiry, from its issue date

    /// The Prometheus endpoint, HOST:PORT with an IP address (IPv6 in
    /// brackets); empty: no endpoint. A non-loopback address needs
    /// metrics_allow_remote, since the endpoint has no authentication.
    std::string metrics_listen;
    bool metrics_allow_remote = false;

    /// This instance's name among several cardd instances sharing one store
    /// (docs/scale.md); empty: cardd drives every terminal alone, no leases.
    std::string instance;
    /// How long a terminal lease lasts unrenewed; rounds run every third of it.
    std::chrono::milliseconds lease_time{10000};
    /// Serial devices wired to this host: with `instance`, the RS-485
    /// terminals on them are this instance's, and no others' are.
    std::vector<std::string> buses;

    std::filesystem::path master_key_path() const { return master_key.empty() ? data_dir / "master.key" : master_key; }

    /// The database URL with the default filled in.
    std::string database_url() const;
};

/// An endpoint address read from "HOST:PORT".
struct ListenAddress {
    std::string host;  ///< an IPv4 or IPv6 address, without brackets
    int port = 0;
    bool loopback = false;  ///< 127.0.0.0/8 or ::1
};
/// Reads "127.0.0.1:9417" or "[::1]:9417"; the error says what is wrong. Host names are refused.
Result<ListenAddress> parse_listen_address(std::string_view text);

/// Reads a TOML file over `base`; unknown keys are refused so a typo does not
/// pass silently, and every refusal says the file, the line and the reason.
Result<Config> load_config_file(const std::filesystem::path& path, Config base);
/// The same, for text already read; `path` only names it in refusals.
Result<Config> parse_config_text(std::string_view text, const std::filesystem::path& path, Config base);

}  // namespace cardd::daemon
