#include "tools/console/cardd_client.hpp"

namespace cardd::console {

namespace asio = boost::asio;
using local = asio::local::stream_protocol;

namespace {

// An answer line longer than this is a broken daemon, not a big answer.
constexpr std::size_t answer_line_limit = 16 * 1024 * 1024;

}  // namespace

asio::awaitable<BackendAnswer> CarddClient::call(nlohmann::json request, ProgressFn progress) {
    const auto executor = co_await asio::this_coro::executor;
    auto socket = std::make_shared<local::socket>(executor);
    boost::system::error_code error;
    co_await socket->async_connect(local::endpoint(socket_.string()), asio::redirect_error(asio::use_awaitable, error));
    if (error) co_return std::unexpected("cardd is not answering on " + socket_.string() + ": " + error.message());

    // One watchdog for the whole call: each line received pushes it back.
    auto timer = std::make_shared<asio::steady_timer>(executor);
    auto arm = [timer, socket, timeout = timeout_] {
        timer->expires_after(timeout);
        timer->async_wait([socket](boost::system::error_code cancelled) {
            if (!cancelled) {
                boost::system::error_code ignored;
                socket->close(ignored);
            }
        });
    };
    arm();
    request["id"] = 1;
    const std::string line = request.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    co_await asio::async_write(*socket, asio::buffer(line), asio::redirect_error(asio::use_awaitable, error));
    std::string buffer;
    while (!error) {
        const std::size_t length =
            co_await asio::async_read_until(*socket, asio::dynamic_buffer(buffer, answer_line_limit), '\n',
                                            asio::redirect_error(asio::use_awaitable, error));
        if (error) break;
        arm();
        nlohmann::json message = nlohmann::json::parse(std::string_view(buffer).substr(0, length), nullptr, false);
        buffer.erase(0, length);
        if (!message.is_object()) break;
        if (message.contains("result")) {
            timer->cancel();
            co_return message;
        }
        if (const auto found = message.find("progress"); found != message.end() && progress) {
            co_await progress(*found);
        }
    }
    timer->cancel();
    co_return std::unexpected(std::string("the connection to cardd broke before its answer") +
                              (error ? ": " + error.message() : std::string()));
}

}  // namespace cardd::console
