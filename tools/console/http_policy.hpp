#pragma once
// The console's rules for what a browser may send and is sent back: the
// session cookie, the CSRF token, same-origin checks and the security
// headers of every response. Pure functions, no I/O.

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cardd::console {

/// `__Host-`: the browser keeps it only when it is Secure, for Path=/ and
/// with no Domain, so no other site or subdomain can set or read it.
inline constexpr std::string_view session_cookie_name = "__Host-cardd-session";
/// The header a page sends its CSRF token in; a cross-site form cannot set it.
inline constexpr std::string_view csrf_header = "X-CSRF-Token";

/// name → value of a Cookie header; malformed pairs are skipped.
std::map<std::string, std::string, std::less<>> parse_cookies(std::string_view header);

/// The cookie that carries cardd's session token: HttpOnly (no script reads
/// it), Secure, SameSite=Strict (never sent on a request another site starts).
std::string session_cookie(std::string_view token);
/// The same cookie, expired: the browser drops it.
std::string cleared_session_cookie();

/// Whether a token is what cardd issues: 64 lower-case hex digits.
bool looks_like_session_token(std::string_view token);

/// The CSRF token of a session is an HMAC of its token under a key only this
/// process knows, so the console keeps no table of them and a restart
/// invalidates them all (the page asks for a new one).
class CsrfKey {
public:
    CsrfKey();  ///< a random key
    explicit CsrfKey(std::array<unsigned char, 32> key) : key_(key) {}
    std::string token_for(std::string_view session_token) const;
    /// Constant-time comparison of `given` with the session's token.
    bool check(std::string_view session_token, std::string_view given) const;

private:
    std::array<unsigned char, 32> key_{};
};

/// Whether a request's Origin (or, without one, Sec-Fetch-Site) shows it came
/// from a page of this console: Origin "https://HOST" must name the Host the
/// browser connected to.
bool same_origin(std::optional<std::string_view> origin, std::optional<std::string_view> sec_fetch_site,
                 std::string_view host);

/// The headers on every response: a Content-Security-Policy that allows
/// scripts and styles only from the console's own files (no inline script,
/// no eval), no framing, no referrer, no sniffing, HSTS.
const std::vector<std::pair<std::string_view, std::string_view>>& security_headers();

/// The Content-Type of a static file by its name's extension.
std::string_view content_type_of(std::string_view path);

}  // namespace cardd::console
