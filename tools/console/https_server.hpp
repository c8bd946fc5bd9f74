#pragma once
// The console's HTTPS listener: TLS by Boost.Beast over OpenSSL, HTTP/1.1
// with keep-alive, each request handed to the API. A connection silent for
// the idle time is closed, and past a bound on open connections a new one is
// closed at once, so browsers that linger cannot exhaust the console.

#include <chrono>
#include <cstddef>

#include "tools/console/beast.hpp"
#include "tools/console/console_api.hpp"

namespace cardd::console {

class HttpsServer {
public:
    HttpsServer(boost::asio::io_context& io, boost::asio::ssl::context& tls,
                const boost::asio::ip::tcp::endpoint& endpoint, ConsoleApi& api, std::chrono::seconds idle);

    void start();
    void stop();
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

    static constexpr std::size_t max_connections = 256;

private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& io_;
    boost::asio::ssl::context& tls_;
    boost::asio::ip::tcp::acceptor acceptor_;
    ConsoleApi& api_;
    std::chrono::seconds idle_;
    std::size_t open_ = 0;
};

}  // namespace cardd::console
