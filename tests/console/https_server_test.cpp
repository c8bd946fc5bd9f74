// The console's HTTPS listener over a real TLS socket on loopback: the
// headers every response carries, an event stream's framing, and a request
// too large for it.

#include <gtest/gtest.h>

#include <sstream>

#include "tests/console/scripted_backend.hpp"
#include "tests/support/temp_dir.hpp"
#include "tools/console/https_server.hpp"
#include "tools/console/tls_identity.hpp"

namespace cardd::console {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using nlohmann::json;

const std::string token(64, 'd');
const std::array<unsigned char, 32> fixed_key{9};

class HttpsServerTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto identity = tls_identity({}, {}, dir.path());
        ASSERT_TRUE(identity) << identity.error();
        tls.use_certificate_chain_file(identity->certificate.string());
        tls.use_private_key_file(identity->private_key.string(), asio::ssl::context::pem);
        server = std::make_unique<HttpsServer>(io, tls, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                                               api, std::chrono::seconds(5));
        server->start();
    }

    /// Sends `request` over TLS and gives the whole response as received
    /// (raw), up to the server's close: the request asks for one.
    std::string exchange(http::request<http::string_body> request) {
        request.keep_alive(false);
        request.set(http::field::host, "127.0.0.1:" + std::to_string(server->local_endpoint().port()));
        request.prepare_payload();
        std::ostringstream text;
        text << request;
        return exchange_raw(text.str());
    }

    /// Sends `raw` bytes over TLS and gives all the server sends back until it closes.
    std::string exchange_raw(const std::string& request) {
        std::string raw;
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                asio::ssl::context client_tls(asio::ssl::context::tls_client);
                client_tls.set_verify_mode(asio::ssl::verify_none);
                beast::ssl_stream<beast::tcp_stream> stream(co_await asio::this_coro::executor, client_tls);
                co_await beast::get_lowest_layer(stream).async_connect(server->local_endpoint(), asio::use_awaitable);
                co_await stream.async_handshake(asio::ssl::stream_base::client, asio::use_awaitable);
                co_await asio::async_write(stream, asio::buffer(request), asio::use_awaitable);
                char buffer[4096];
                for (;;) {
                    boost::system::error_code error;
                    const std::size_t n = co_await stream.async_read_some(
                        asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, error));
                    raw.append(buffer, n);
                    if (error) break;
                }
                server->stop();
            },
            asio::detached);
        io.run();
        return raw;
    }

    test::TempDir dir;
    asio::io_context io;
    asio::ssl::context tls{asio::ssl::context::tls_server};
    testing::ScriptedBackend backend;
    ConsoleApi api{backend, CsrfKey(fixed_key)};
    std::unique_ptr<HttpsServer> server;
};

TEST_F(HttpsServerTest, EveryResponseCarriesTheSecurityHeaders) {
    http::request<http::string_body> get{http::verb::get, "/", 11};
    get.keep_alive(false);
    const std::string raw = exchange(get);
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 200 OK\r\n")) << raw.substr(0, 200);
    for (const char* header : {"Content-Security-Policy: default-src 'none'; script-src 'self'",
                               "Strict-Transport-Security: max-age=31536000", "X-Content-Type-Options: nosniff",
                               "X-Frame-Options: DENY", "Referrer-Policy: no-referrer"}) {
        EXPECT_NE(raw.find(header), std::string::npos) << header;
    }
    EXPECT_NE(raw.find("<!DOCTYPE html>"), std::string::npos);
}

TEST_F(HttpsServerTest, AStreamIsServerSentEventsEndedByClosing) {
    backend.will_answer({{"result", 0}, {"text", "done"}}, {{{"text", "place the card on encoder desk"}}});
    http::request<http::string_body> post{http::verb::post, "/api/stream", 11};
    post.set(http::field::content_type, "application/json");
    post.set(http::field::cookie, "__Host-cardd-session=" + token);
    post.set("X-CSRF-Token", CsrfKey(fixed_key).token_for(token));
    post.set(http::field::origin, "https://127.0.0.1:" + std::to_string(server->local_endpoint().port()));
    post.body() = json{{"command", "card-read"}}.dump();
    const std::string raw = exchange(post);
    EXPECT_NE(raw.find("Content-Type: text/event-stream"), std::string::npos) << raw;
    EXPECT_NE(raw.find("Content-Security-Policy:"), std::string::npos);
    const auto progress = raw.find("event: progress\ndata: {\"text\":\"place the card on encoder desk\"}\n\n");
    const auto answer = raw.find("event: answer\ndata: {\"result\":0,\"text\":\"done\"}\n\n");
    ASSERT_NE(progress, std::string::npos) << raw;
    ASSERT_NE(answer, std::string::npos) << raw;
    EXPECT_LT(progress, answer);
}

TEST_F(HttpsServerTest, ABodyPastTheLimitIsRefusedUnread) {
    // Refused on its Content-Length, before a byte of the body is read.
    const std::string raw = exchange_raw(
        "POST /api/call HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: " +
        std::to_string(max_body + 1) + "\r\n\r\n");
    EXPECT_TRUE(raw.starts_with("HTTP/1.1 413")) << raw.substr(0, 100);
    EXPECT_TRUE(backend.requests.empty());
}

}  // namespace
}  // namespace cardd::console
