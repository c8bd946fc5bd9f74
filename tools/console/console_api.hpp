#pragma once
// What the console's HTTP paths do. The console decides nothing about cards
// or people: it checks that a request came from its own page in a logged-in
// browser (cookie, CSRF token, origin) and hands the command to cardd with
// the session cardd issued, and cardd decides with the account's role.
//
//   GET  /, /static/...   the page and its files
//   POST /api/login       {name, password} → cardd account-login; sets the cookie
//   GET  /api/session     who is logged in, and the CSRF token
//   POST /api/logout      ends the session in cardd; clears the cookie
//   POST /api/call        {command, arguments} → cardd's answer
//   POST /api/stream      the same, answered as an event stream: progress
//                         events, then the answer (card workflows)

#include <nlohmann/json.hpp>

#include <expected>
#include <functional>
#include <string>

#include "tools/console/beast.hpp"
#include "tools/console/cardd_client.hpp"
#include "tools/console/http_message.hpp"
#include "tools/console/http_policy.hpp"

namespace cardd::console {

/// Writes one event of a stream ("progress" or "answer").
using EventSink = std::function<boost::asio::awaitable<void>(std::string_view event, const nlohmann::json& data)>;
/// Starts an event stream on the connection (writes the response's headers).
using StreamStart = std::function<boost::asio::awaitable<EventSink>()>;

/// The largest request body the API reads.
inline constexpr std::size_t max_body = 1024 * 1024;

class ConsoleApi {
public:
    ConsoleApi(Backend& backend, CsrfKey csrf) : backend_(backend), csrf_(std::move(csrf)) {}

    boost::asio::awaitable<HttpResponse> handle(const HttpRequest& request, const StreamStart& start_stream);

private:
    boost::asio::awaitable<HttpResponse> login(const HttpRequest& request);
    boost::asio::awaitable<HttpResponse> session(const HttpRequest& request);
    boost::asio::awaitable<HttpResponse> logout(const HttpRequest& request);
    boost::asio::awaitable<HttpResponse> call(const HttpRequest& request, const StreamStart* start_stream);
    /// The session of a change: the cookie's, with the CSRF token that
    /// belongs to it; else the response that refuses the change.
    std::expected<std::string, HttpResponse> session_for_change(const HttpRequest& request) const;

    Backend& backend_;
    CsrfKey csrf_;
};

/// A JSON response: `{"error": code, "text": text}` with an HTTP status.
HttpResponse error_response(int status, std::string_view code, std::string_view text);

}  // namespace cardd::console
