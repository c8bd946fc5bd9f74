#include "tools/console/console_api.hpp"

#include <set>

#include "text/strict_json.hpp"
#include "tools/console/assets.hpp"

namespace cardd::console {

namespace asio = boost::asio;
using nlohmann::json;

HttpResponse error_response(int status, std::string_view code, std::string_view text) {
    HttpResponse response;
    response.status = status;
    response.body = json{{"error", std::string(code)}, {"text", std::string(text)}}.dump();
    return response;
}

namespace {

HttpResponse json_response(const json& body) {
    HttpResponse response;
    response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
    return response;
}

/// The session token the browser's cookie carries, when it looks like one.
std::optional<std::string> session_of(const HttpRequest& request) {
    const auto header = request.header("cookie");
    if (!header) return std::nullopt;
    const auto cookies = parse_cookies(*header);
    const auto found = cookies.find(session_cookie_name);
    if (found == cookies.end() || !looks_like_session_token(found->second)) return std::nullopt;
    return found->second;
}

/// A change must come from this console's page: JSON (a form of another
/// site cannot send it without a preflight the console never answers) and
/// same origin.
std::optional<HttpResponse> refuse_foreign(const HttpRequest& request) {
    const auto type = request.header("content-type");
    if (!type || !type->starts_with("application/json")) {
        return error_response(415, "content-type", "requests to the console's API are application/json");
    }
    if (!same_origin(request.header("origin"), request.header("sec-fetch-site"), request.header("host").value_or(""))) {
        return error_response(403, "origin", "the request did not come from the console's own page");
    }
    return std::nullopt;
}

/// The request's JSON body. A key given twice is refused here, not passed
/// on: the console rebuilds the request for cardd, which would then see
/// only the last value.
std::expected<json, HttpResponse> parse_body(const HttpRequest& request) {
    auto parsed = text::parse_strict_json(request.body);
    if (parsed) return std::move(*parsed);
    if (parsed.error().kind == text::JsonRefusal::Kind::duplicate_key) {
        return std::unexpected(error_response(
            400, "body",
            "the body gives the key \"" + parsed.error().key + "\" twice; each key may appear once in an object"));
    }
    return std::unexpected(error_response(400, "body", "the body is not valid JSON"));
}

/// cardd said the session is missing or over: the browser logs in again.
bool session_refused(const json& answer) {
    const auto arguments = answer.find("arguments");
    return answer.value("result", -1) == 5 && arguments != answer.end() && arguments->is_object() &&
           arguments->contains("session");
}

HttpResponse logged_out(std::string_view text) {
    HttpResponse response = error_response(401, "session", text);
    response.headers.emplace_back("Set-Cookie", cleared_session_cookie());
    return response;
}

/// cardd's answer as the page gets it: result, text and arguments, nothing
/// the page must not see (a session token).
json answer_for_page(const json& answer) {
    json out = {{"result", answer.value("result", 1)}, {"text", answer.value("text", "")}};
    if (const auto arguments = answer.find("arguments"); arguments != answer.end()) {
        out["arguments"] = *arguments;
        if (out["arguments"].is_object()) out["arguments"].erase("session");
    }
    return out;
}

// Named, not literal: GCC 12 cannot compile a string literal among the
// arguments of a co_await expression ("array used as initializer").
constexpr std::string_view progress_event = "progress";
constexpr std::string_view answer_event = "answer";

// These have their own paths, which set and clear the cookie.
const std::set<std::string, std::less<>> own_path_commands = {"account-login", "account-logout", "account-session"};

}  // namespace

asio::awaitable<HttpResponse> ConsoleApi::handle(const HttpRequest& request, const StreamStart& start_stream) {
    std::string_view path = request.target;
    if (const auto query = path.find('?'); query != std::string_view::npos) path = path.substr(0, query);
    if (!path.starts_with("/api/")) {
        if (request.method != "GET") {
            co_return error_response(405, "method", "only GET reads the console's files");
        }
        const auto& files = assets();
        const auto found = files.find(path == "/index.html" ? std::string_view("/") : path);
        if (found == files.end()) co_return error_response(404, "not-found", "no such page");
        HttpResponse response;
        response.content_type = std::string(content_type_of(found->first == "/" ? "index.html" : found->first));
        response.body = std::string(found->second);
        response.cacheable = true;
        co_return response;
    }
    if (path == "/api/session") {
        if (request.method != "GET") co_return error_response(405, "method", "GET /api/session");
        co_return co_await session(request);
    }
    if (request.method != "POST") co_return error_response(405, "method", "the console's API takes POST");
    if (auto refused = refuse_foreign(request)) co_return std::move(*refused);
    if (path == "/api/login") co_return co_await login(request);
    if (path == "/api/logout") co_return co_await logout(request);
    if (path == "/api/call") co_return co_await call(request, nullptr);
    if (path == "/api/stream") co_return co_await call(request, &start_stream);
    co_return error_response(404, "not-found", "no such API path");
}

std::expected<std::string, HttpResponse> ConsoleApi::session_for_change(const HttpRequest& request) const {
    auto token = session_of(request);
    if (!token) return std::unexpected(logged_out("not logged in"));
    if (!csrf_.check(*token, request.header("x-csrf-token").value_or(""))) {
        return std::unexpected(error_response(403, "csrf", "the request carries no valid CSRF token; reload the page"));
    }
    return std::move(*token);
}

asio::awaitable<HttpResponse> ConsoleApi::login(const HttpRequest& request) {
    auto parsed = parse_body(request);
    if (!parsed) co_return std::move(parsed.error());
    const json& body = *parsed;
    if (!body.is_object() || !body.contains("name") || !body["name"].is_string() || !body.contains("password") ||
        !body["password"].is_string()) {
        co_return error_response(400, "body", "a login is {\"name\": ..., \"password\": ...}");
    }
    json ask = {{"command", "account-login"}, {"arguments", {{"name", body["name"]}, {"password", body["password"]}}}};
    const BackendAnswer answer = co_await backend_.call(std::move(ask), {});
    if (!answer) co_return error_response(502, "cardd", answer.error());
    if (answer->value("result", 1) != 0) co_return json_response(answer_for_page(*answer));
    const json& arguments = (*answer)["arguments"];
    const std::string token = arguments.value("session", "");
    if (!looks_like_session_token(token)) co_return error_response(502, "cardd", "cardd gave no session");
    HttpResponse response = json_response({{"result", 0},
                                           {"text", answer->value("text", "")},
                                           {"account", arguments.value("account", "")},
                                           {"role", arguments.value("role", "")},
                                           {"idle_timeout_s", arguments.value("idle_timeout_s", 0)},
                                           {"csrf", csrf_.token_for(token)}});
    response.headers.emplace_back("Set-Cookie", session_cookie(token));
    co_return response;
}

asio::awaitable<HttpResponse> ConsoleApi::session(const HttpRequest& request) {
    const auto token = session_of(request);
    if (!token) co_return error_response(401, "session", "not logged in");
    json ask = {{"command", "account-session"}, {"session", *token}};
    const BackendAnswer answer = co_await backend_.call(std::move(ask), {});
    if (!answer) co_return error_response(502, "cardd", answer.error());
    if (session_refused(*answer)) co_return logged_out(answer->value("text", "log in again"));
    if (answer->value("result", 1) != 0) co_return json_response(answer_for_page(*answer));
    const json& arguments = (*answer)["arguments"];
    co_return json_response({{"result", 0},
                             {"account", arguments.value("account", "")},
                             {"role", arguments.value("role", "")},
                             {"idle_timeout_s", arguments.value("idle_timeout_s", 0)},
                             {"csrf", csrf_.token_for(*token)}});
}

asio::awaitable<HttpResponse> ConsoleApi::logout(const HttpRequest& request) {
    auto token = session_for_change(request);
    if (!token) co_return std::move(token.error());
    json ask = {{"command", "account-logout"}, {"session", *token}};
    const BackendAnswer answer = co_await backend_.call(std::move(ask), {});
    if (!answer) co_return error_response(502, "cardd", answer.error());
    HttpResponse response = json_response(answer_for_page(*answer));
    response.headers.emplace_back("Set-Cookie", cleared_session_cookie());
    co_return response;
}

asio::awaitable<HttpResponse> ConsoleApi::call(const HttpRequest& request, const StreamStart* start_stream) {
    auto token = session_for_change(request);
    if (!token) co_return std::move(token.error());
    auto parsed = parse_body(request);
    if (!parsed) co_return std::move(parsed.error());
    const json& body = *parsed;
    if (!body.is_object() || !body.contains("command") || !body["command"].is_string()) {
        co_return error_response(400, "body", "a call is {\"command\": ..., \"arguments\": {...}}");
    }
    const std::string command = body["command"];
    if (own_path_commands.contains(command)) {
        co_return error_response(400, "body", "'" + command + "' has its own path");
    }
    json ask = {{"command", command}, {"session", *token}};
    if (const auto arguments = body.find("arguments"); arguments != body.end() && !arguments->is_null()) {
        if (!arguments->is_object()) co_return error_response(400, "body", "\"arguments\" must be an object");
        ask["arguments"] = *arguments;
    }
    if (!start_stream) {
        const BackendAnswer answer = co_await backend_.call(std::move(ask), {});
        if (!answer) co_return error_response(502, "cardd", answer.error());
        if (session_refused(*answer)) co_return logged_out(answer->value("text", "log in again"));
        co_return json_response(answer_for_page(*answer));
    }
    // A stream's status is sent before cardd answers, so what the page must
    // know (a session that ended) comes as the answer event's content.
    EventSink sink = co_await (*start_stream)();
    ProgressFn forward = [&sink](const json& progress) -> asio::awaitable<void> {
        co_await sink(progress_event, progress);
    };
    const BackendAnswer answer = co_await backend_.call(std::move(ask), std::move(forward));
    json page = answer ? answer_for_page(*answer) : json{{"result", 1}, {"text", answer.error()}};
    if (answer && session_refused(*answer)) page["session"] = "expired";
    co_await sink(answer_event, page);
    HttpResponse response;
    response.streamed = true;
    co_return response;
}

}  // namespace cardd::console
