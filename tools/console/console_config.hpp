#pragma once
// What cardd-console is told: where to listen, which cardd to talk to, and
// its TLS identity. Read from /etc/cardd/console.conf (TOML), then the
// command line, which wins.

#include <expected>
#include <filesystem>
#include <optional>
#include <string>

namespace cardd::console {

struct ListenAddress {
    std::string host = "127.0.0.1";
    unsigned short port = 8443;
};

struct ConsoleConfig {
    ListenAddress listen;
    std::filesystem::path socket = "/run/cardd/cardd.sock";
    /// PEM certificate chain and key; both empty: a self-signed pair kept in state_directory.
    std::filesystem::path certificate;
    std::filesystem::path private_key;
    std::filesystem::path state_directory = "/var/lib/cardd-console";
    /// Seconds of silence after which a browser connection is closed.
    int idle_connection_s = 60;
};

/// "127.0.0.1:8443", "[::1]:8443", "0.0.0.0:443". An address without a port is refused.
std::expected<ListenAddress, std::string> parse_listen(std::string_view text);

/// Reads the TOML file into `config`; an unknown key, a wrong type or a bad
/// value is refused with the file and line.
std::expected<void, std::string> read_config_file(const std::filesystem::path& path, ConsoleConfig& config);

/// Whether `host` is a loopback address (127.0.0.0/8, ::1, localhost).
bool is_loopback(std::string_view host);

}  // namespace cardd::console
