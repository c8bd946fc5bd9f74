#pragma once
// The staff console's sessions, kept in cardd's memory only: a session is a
// random token the console got at login, standing for one account until it
// is idle too long, reaches its lifetime, or is ended (logout, or the
// account disabled, removed or given a new password). cardd keeps only the
// token's SHA-256, so its memory (a core dump) holds nothing the console
// could be impersonated with. A restart of cardd ends every session.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace cardd::daemon {

struct SessionLimits {
    std::chrono::seconds idle{900};            ///< unused this long: ended
    std::chrono::seconds lifetime{12 * 3600};  ///< this long after login: ended however busy
};

struct Session {
    std::string account;
    std::chrono::steady_clock::time_point created;
    std::chrono::steady_clock::time_point last_used;
    std::int64_t created_unix = 0;  ///< the login's wall-clock second, to compare with the store's times
};

class Sessions {
public:
    using Clock = std::function<std::chrono::steady_clock::time_point()>;

    explicit Sessions(SessionLimits limits = {}, Clock clock = std::chrono::steady_clock::now);

    /// Opens a session for `account`: its token, 64 hex digits of 32 random bytes.
    /// `created_unix` is the login's wall-clock time.
    std::string open(const std::string& account, std::int64_t created_unix);

    /// What became of a token.
    struct Lookup {
        enum class State { valid, expired, unknown };
        State state = State::unknown;
        std::optional<Session> session;  ///< valid: the session (its idle time restarted); expired: as it was
        std::string_view why;            ///< expired: "idle" or "lifetime"
    };
    /// Finds the session of `token` and restarts its idle time; an expired
    /// one is ended and said to be so, once (after that it is unknown).
    Lookup use(std::string_view token);

    /// Ends the session of `token`: its account, or nothing when it had none.
    std::optional<std::string> end(std::string_view token);
    /// Ends every session of `account`: how many.
    std::size_t end_account(std::string_view account);

    void set_limits(SessionLimits limits) { limits_ = limits; }
    const SessionLimits& limits() const noexcept { return limits_; }
    /// Sessions not yet ended (expired ones not yet found included).
    std::size_t size() const noexcept { return sessions_.size(); }

private:
    std::optional<std::string_view> expiry(const Session& session) const;
    void sweep();

    SessionLimits limits_;
    Clock clock_;
    std::map<std::string, Session, std::less<>> sessions_;  ///< by SHA-256 of the token, raw bytes
};

/// SHA-256 of `token` as raw bytes: how a session is found.
std::string token_digest(std::string_view token);

}  // namespace cardd::daemon
