#include "daemon/control/sessions.hpp"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <array>
#include <stdexcept>

#include <openssl/crypto.h>

namespace cardd::daemon {

std::string token_digest(std::string_view token) {
    std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
    SHA256(reinterpret_cast<const unsigned char*>(token.data()), token.size(), digest.data());
    return std::string(reinterpret_cast<const char*>(digest.data()), digest.size());
}

Sessions::Sessions(SessionLimits limits, Clock clock) : limits_(limits), clock_(std::move(clock)) {}

std::string Sessions::open(const std::string& account, std::int64_t created_unix) {
    sweep();
    std::array<unsigned char, 32> random{};
    // A session that could be guessed would be a login without a password.
    if (RAND_bytes(random.data(), static_cast<int>(random.size())) != 1) {
        throw std::runtime_error("no random bytes for a session token (OpenSSL RAND_bytes failed)");
    }
    static constexpr char digits[] = "0123456789abcdef";
    std::string token;
    token.reserve(random.size() * 2);
    for (unsigned char byte : random) {
        token.push_back(digits[byte >> 4]);
        token.push_back(digits[byte & 0x0F]);
    }
    OPENSSL_cleanse(random.data(), random.size());
    const auto now = clock_();
    sessions_[token_digest(token)] = Session{account, now, now, created_unix};
    return token;
}

std::optional<std::string_view> Sessions::expiry(const Session& session) const {
    const auto now = clock_();
    if (now - session.created >= limits_.lifetime) return "lifetime";
    if (now - session.last_used >= limits_.idle) return "idle";
    return std::nullopt;
}

Sessions::Lookup Sessions::use(std::string_view token) {
    const auto found = sessions_.find(token_digest(token));
    if (found == sessions_.end()) return {};
    if (const auto why = expiry(found->second)) {
        Lookup lookup{Lookup::State::expired, std::move(found->second), *why};
        sessions_.erase(found);
        return lookup;
    }
    found->second.last_used = clock_();
    return {Lookup::State::valid, found->second, {}};
}

std::optional<std::string> Sessions::end(std::string_view token) {
    const auto found = sessions_.find(token_digest(token));
    if (found == sessions_.end()) return std::nullopt;
    std::string account = std::move(found->second.account);
    sessions_.erase(found);
    return account;
}

std::size_t Sessions::end_account(std::string_view account) {
    return std::erase_if(sessions_, [&](const auto& entry) { return entry.second.account == account; });
}

// Expired sessions nobody asks about again would stay for ever: each login
// clears them, so their number stays that of the logins of the last hours.
void Sessions::sweep() {
    std::erase_if(sessions_, [&](const auto& entry) { return expiry(entry.second).has_value(); });
}

}  // namespace cardd::daemon
