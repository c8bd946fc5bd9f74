#include "tools/console/http_policy.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace cardd::console {

namespace {

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::string hex(const unsigned char* bytes, std::size_t size) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(size * 2);
    for (std::size_t i = 0; i < size; ++i) {
        out += digits[bytes[i] >> 4];
        out += digits[bytes[i] & 0x0f];
    }
    return out;
}

}  // namespace

std::map<std::string, std::string, std::less<>> parse_cookies(std::string_view header) {
    std::map<std::string, std::string, std::less<>> cookies;
    while (!header.empty()) {
        const auto end = header.find(';');
        const std::string_view pair = trim(header.substr(0, end));
        header = end == std::string_view::npos ? std::string_view() : header.substr(end + 1);
        const auto equals = pair.find('=');
        if (equals == std::string_view::npos || equals == 0) continue;
        std::string_view value = trim(pair.substr(equals + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        // The first of two cookies with one name is the more specific (RFC 6265 5.4).
        cookies.emplace(std::string(trim(pair.substr(0, equals))), std::string(value));
    }
    return cookies;
}

std::string session_cookie(std::string_view token) {
    return std::string(session_cookie_name) + "=" + std::string(token) + "; Path=/; Secure; HttpOnly; SameSite=Strict";
}

std::string cleared_session_cookie() {
    return std::string(session_cookie_name) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

bool looks_like_session_token(std::string_view token) {
    if (token.size() != 64) return false;
    for (char c : token) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    }
    return true;
}

CsrfKey::CsrfKey() {
    if (RAND_bytes(key_.data(), static_cast<int>(key_.size())) != 1) {
        throw std::runtime_error("no random bytes for the CSRF key");
    }
}

std::string CsrfKey::token_for(std::string_view session_token) const {
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t length = 0;
    if (!EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, key_.data(), key_.size(),
                   reinterpret_cast<const unsigned char*>(session_token.data()), session_token.size(), mac, sizeof mac,
                   &length)) {
        throw std::runtime_error("HMAC-SHA256 failed");
    }
    return hex(mac, length);
}

bool CsrfKey::check(std::string_view session_token, std::string_view given) const {
    const std::string expected = token_for(session_token);
    return given.size() == expected.size() && CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

bool same_origin(std::optional<std::string_view> origin, std::optional<std::string_view> sec_fetch_site,
                 std::string_view host) {
    if (origin) return !host.empty() && *origin == "https://" + std::string(host);
    // Browsers send Origin on every POST; without one, only a browser that
    // says the request is its own page's passes.
    return sec_fetch_site && *sec_fetch_site == "same-origin";
}

const std::vector<std::pair<std::string_view, std::string_view>>& security_headers() {
    static const std::vector<std::pair<std::string_view, std::string_view>> headers = {
        {"Content-Security-Policy",
         "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
         "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
        {"Strict-Transport-Security", "max-age=31536000"},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"Referrer-Policy", "no-referrer"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
        {"Permissions-Policy", "camera=(), microphone=(), geolocation=(), usb=()"},
    };
    return headers;
}

std::string_view content_type_of(std::string_view path) {
    const auto ends = [&](std::string_view suffix) { return path.ends_with(suffix); };
    if (ends(".html")) return "text/html; charset=utf-8";
    if (ends(".js")) return "text/javascript; charset=utf-8";
    if (ends(".css")) return "text/css; charset=utf-8";
    if (ends(".svg")) return "image/svg+xml";
    if (ends(".png")) return "image/png";
    if (ends(".json")) return "application/json";
    return "application/octet-stream";
}

}  // namespace cardd::console
