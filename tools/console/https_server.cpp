#include "tools/console/https_server.hpp"

#include <cctype>

#include "tools/console/console_log.hpp"

namespace cardd::console {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using asio::use_awaitable;

HttpsServer::HttpsServer(asio::io_context& io, asio::ssl::context& tls, const tcp::endpoint& endpoint, ConsoleApi& api,
                         std::chrono::seconds idle)
    : io_(io), tls_(tls), acceptor_(io), api_(api), idle_(idle) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen();
}

void HttpsServer::start() { asio::co_spawn(io_, accept_loop(), asio::detached); }

void HttpsServer::stop() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

asio::awaitable<void> HttpsServer::accept_loop() {
    while (acceptor_.is_open()) {
        boost::system::error_code error;
        tcp::socket socket = co_await acceptor_.async_accept(asio::redirect_error(use_awaitable, error));
        if (error) {
            if (error == asio::error::operation_aborted) co_return;
            continue;
        }
        if (open_ >= max_connections) {
            log_line("warning", "console_connections_full", {{"limit", std::to_string(max_connections)}});
            socket.close(error);
            continue;
        }
        asio::co_spawn(io_, serve(std::move(socket)), asio::detached);
    }
}

namespace {

using Stream = beast::ssl_stream<beast::tcp_stream>;

HttpRequest plain_request(const http::request<http::string_body>& message) {
    HttpRequest request;
    request.method = std::string(message.method_string());
    request.target = std::string(message.target());
    request.body = message.body();
    for (const auto& field : message) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        request.headers.emplace(std::move(name), std::string(field.value()));
    }
    return request;
}

http::response<http::string_body> beast_response(const HttpResponse& response, unsigned version, bool keep_alive) {
    http::response<http::string_body> message{static_cast<http::status>(response.status), version};
    for (const auto& [name, value] : security_headers()) {
        message.set(boost::beast::string_view(name.data(), name.size()),
                    boost::beast::string_view(value.data(), value.size()));
    }
    message.set(http::field::content_type, response.content_type);
    message.set(http::field::cache_control, response.cacheable ? "no-cache" : "no-store");
    for (const auto& [name, value] : response.headers) message.insert(name, value);
    message.keep_alive(keep_alive);
    message.body() = response.body;
    message.prepare_payload();
    return message;
}

/// The head of an event stream: written before cardd has answered, ended by
/// closing the connection.
std::string stream_head() {
    std::string head =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n"
        "Connection: close\r\n";
    for (const auto& [name, value] : security_headers()) {
        head += std::string(name) + ": " + std::string(value) + "\r\n";
    }
    return head + "\r\n";
}

}  // namespace

asio::awaitable<void> HttpsServer::serve(tcp::socket socket) {
    ++open_;
    struct Count {
        std::size_t& open;
        ~Count() { --open; }
    } count{open_};
    Stream stream(beast::tcp_stream(std::move(socket)), tls_);
    beast::get_lowest_layer(stream).expires_after(idle_);
    boost::system::error_code error;
    co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(use_awaitable, error));
    if (error) co_return;
    beast::flat_buffer buffer;
    for (;;) {
        beast::get_lowest_layer(stream).expires_after(idle_);
        http::request_parser<http::string_body> parser;
        parser.header_limit(16 * 1024);
        parser.body_limit(max_body);
        co_await http::async_read(stream, buffer, parser, asio::redirect_error(use_awaitable, error));
        if (error) {
            if (error == http::error::body_limit || error == http::error::header_limit) {
                auto refused = beast_response(error_response(413, "too-large", "the request is too large"), 11, false);
                co_await http::async_write(stream, refused, asio::redirect_error(use_awaitable, error));
            } else if (error != http::error::end_of_stream && error != beast::error::timeout &&
                       error != asio::error::eof && error != asio::ssl::error::stream_truncated) {
                auto refused = beast_response(error_response(400, "http", "malformed HTTP request"), 11, false);
                co_await http::async_write(stream, refused, asio::redirect_error(use_awaitable, error));
            }
            break;
        }
        const auto& message = parser.get();
        const bool keep_alive = message.keep_alive();
        const unsigned version = message.version();
        const HttpRequest request = plain_request(message);

        bool stream_failed = false;
        StreamStart start_stream = [&stream, &stream_failed]() -> asio::awaitable<EventSink> {
            // A card workflow may wait minutes for a card: cardd's client
            // bounds the silence, not the browser connection.
            beast::get_lowest_layer(stream).expires_never();
            const std::string head = stream_head();
            boost::system::error_code write_error;
            co_await asio::async_write(stream, asio::buffer(head), asio::redirect_error(use_awaitable, write_error));
            if (write_error) stream_failed = true;
            co_return
                [&stream, &stream_failed](std::string_view event, const nlohmann::json& data) -> asio::awaitable<void> {
                    if (stream_failed) co_return;
                    const std::string text =
                        "event: " + std::string(event) +
                        "\ndata: " + data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n";
                    boost::system::error_code event_error;
                    co_await asio::async_write(stream, asio::buffer(text),
                                               asio::redirect_error(use_awaitable, event_error));
                    if (event_error) stream_failed = true;
                };
        };
        HttpResponse response = co_await api_.handle(request, start_stream);
        if (response.streamed) break;
        auto reply = beast_response(response, version, keep_alive);
        beast::get_lowest_layer(stream).expires_after(idle_);
        co_await http::async_write(stream, reply, asio::redirect_error(use_awaitable, error));
        if (error || !keep_alive) break;
    }
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(5));
    co_await stream.async_shutdown(asio::redirect_error(use_awaitable, error));
}

}  // namespace cardd::console
