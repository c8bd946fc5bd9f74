// cardd-console: the card centre's staff console, served over HTTPS to
// browsers and backed by cardd's control socket (docs/console.md).

#include <CLI/CLI.hpp>
#include <systemd/sd-daemon.h>

#include <cstdio>
#include <filesystem>
#include <iostream>

#include "tools/console/beast.hpp"
#include "tools/console/cardd_client.hpp"
#include "tools/console/console_api.hpp"
#include "tools/console/console_config.hpp"
#include "tools/console/console_log.hpp"
#include "tools/console/https_server.hpp"
#include "tools/console/tls_identity.hpp"

namespace {

namespace asio = boost::asio;
using namespace cardd::console;

constexpr const char* default_config = "/etc/cardd/console.conf";

/// A sentence for the person who started it, and exit status 2: systemd
/// does not restart a console whose configuration is wrong.
int refuse(const std::string& why) {
    log_line("error", "console_refused", {{"error", why}});
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"cardd-console: the card centre's staff console over HTTPS"};
    std::string config_path = default_config;
    std::string listen;
    std::string socket;
    std::string state_directory;
    std::string certificate;
    std::string private_key;
    bool check_only = false;
    bool version = false;
    app.add_option("-c,--config", config_path, "configuration file (TOML)");
    app.add_option("--listen", listen, "HOST:PORT to serve HTTPS on (default 127.0.0.1:8443)");
    app.add_option("--socket", socket, "cardd's control socket (default /run/cardd/cardd.sock)");
    app.add_option("--state-dir", state_directory, "where a self-signed certificate is kept");
    app.add_option("--certificate", certificate, "PEM certificate chain");
    app.add_option("--private-key", private_key, "PEM private key of the certificate");
    app.add_flag("--check-config", check_only, "read the configuration and the TLS pair, then exit");
    app.add_flag("--version", version, "print the version");
    CLI11_PARSE(app, argc, argv);
    if (version) {
        std::cout << "cardd-console " << CARDD_VERSION << "\n";
        return 0;
    }

    ConsoleConfig config;
    // The default file is optional; one asked for by name must exist.
    if (config_path != default_config || std::filesystem::exists(config_path)) {
        if (auto read = read_config_file(config_path, config); !read) return refuse(read.error());
    }
    if (!listen.empty()) {
        auto parsed = parse_listen(listen);
        if (!parsed) return refuse(parsed.error());
        config.listen = *parsed;
    }
    if (!socket.empty()) config.socket = socket;
    if (!state_directory.empty()) config.state_directory = state_directory;
    if (!certificate.empty()) config.certificate = certificate;
    if (!private_key.empty()) config.private_key = private_key;
    if (config.certificate.empty() != config.private_key.empty()) {
        return refuse("--certificate and --private-key go together: give both or neither");
    }

    auto identity = tls_identity(config.certificate, config.private_key, config.state_directory);
    if (!identity) return refuse(identity.error());
    if (identity->made_now) {
        log_line("info", "console_certificate_made",
                 {{"certificate", identity->certificate.string()}, {"sha256", identity->fingerprint}});
    }
    asio::ssl::context tls(asio::ssl::context::tls_server);
    tls.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                    asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1 |
                    asio::ssl::context::single_dh_use);
    try {
        tls.use_certificate_chain_file(identity->certificate.string());
        tls.use_private_key_file(identity->private_key.string(), asio::ssl::context::pem);
    } catch (const boost::system::system_error& error) {
        return refuse("cannot use the TLS pair " + identity->certificate.string() + " / " +
                      identity->private_key.string() + ": " + error.code().message());
    }
    if (check_only) {
        std::cout << "cardd-console: configuration is valid; certificate SHA-256 " << identity->fingerprint << "\n";
        return 0;
    }

    asio::io_context io;
    boost::system::error_code error;
    const auto address =
        asio::ip::make_address(config.listen.host == "localhost" ? "127.0.0.1" : config.listen.host, error);
    if (error) return refuse("listen host '" + config.listen.host + "' is not an IP address");
    CarddClient cardd(config.socket, std::chrono::seconds(3700));
    ConsoleApi api(cardd, CsrfKey());
    std::unique_ptr<HttpsServer> server;
    try {
        server = std::make_unique<HttpsServer>(io, tls, asio::ip::tcp::endpoint(address, config.listen.port), api,
                                               std::chrono::seconds(config.idle_connection_s));
    } catch (const boost::system::system_error& bind_error) {
        return refuse("cannot listen on " + config.listen.host + ":" + std::to_string(config.listen.port) + ": " +
                      bind_error.code().message());
    }
    server->start();
    const auto bound = server->local_endpoint();
    const std::string url =
        "https://" + (bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string()) +
        ":" + std::to_string(bound.port()) + "/";
    if (!is_loopback(config.listen.host)) {
        log_line("warning", "console_not_loopback",
                 {{"listen", config.listen.host}, {"hint", "reachable from the network: put it behind a firewall"}});
    }
    log_line("info", "console_listening",
             {{"url", url}, {"cardd", config.socket.string()}, {"sha256", identity->fingerprint}});

    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const boost::system::error_code&, int) {
        sd_notify(0, "STOPPING=1");
        server->stop();
        io.stop();
    });
    sd_notify(0, ("READY=1\nSTATUS=serving " + url).c_str());
    io.run();
    return 0;
}
