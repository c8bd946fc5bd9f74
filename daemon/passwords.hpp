#pragma once
// The console accounts' passwords: the policy a new one must meet, and
// Argon2id (RFC 9106) through libargon2, run on a pool of threads of its
// own. A hash takes 64 MiB and some hundred milliseconds, so it never runs
// on the io thread, where terminals and other callers would wait behind it;
// and two threads bound the memory that logins can take at once.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/async/asio.hpp"
#include "daemon/async/worker_pool.hpp"
#include "daemon/control/secret.hpp"
#include "daemon/error.hpp"

namespace cardd::daemon {

/// Why `password` may not be an account's password, or nothing when it may:
/// at least 10 characters, at most 1024 bytes, UTF-8.
std::optional<std::string> password_refusal(std::string_view password);

/// Argon2id's cost. The default is RFC 9106's second recommended option
/// (section 4): 3 passes over 64 MiB with 4 lanes, for a machine that cannot
/// spend 2 GiB a hash (docs/accounts.md says why).
struct Argon2Cost {
    std::uint32_t passes = 3;
    std::uint32_t memory_kib = 64 * 1024;
    std::uint32_t lanes = 4;
};
inline constexpr std::size_t argon2_salt_bytes = 16;
inline constexpr std::size_t argon2_tag_bytes = 32;

/// Argon2id of `password` with a fresh random salt, as its encoded string
/// ($argon2id$v=19$m=65536,t=3,p=4$SALT$TAG). Blocking: the pool's work.
Result<std::string> hash_password(std::string_view password, const Argon2Cost& cost);
/// Whether `password` is the one `encoded` was made from, at the cost the
/// string names, compared in constant time. Blocking.
Result<bool> password_matches(const std::string& encoded, std::string_view password);

class Passwords {
public:
    explicit Passwords(Argon2Cost cost = {}, unsigned threads = 2);
    ~Passwords();
    Passwords(const Passwords&) = delete;
    Passwords& operator=(const Passwords&) = delete;

    boost::asio::awaitable<Result<std::string>> hash(Secret password);
    boost::asio::awaitable<Result<bool>> matches(std::string encoded, Secret password);
    /// What checking a password costs, spent on a name that has no account,
    /// so that the answer's time does not tell which names exist (true once spent).
    boost::asio::awaitable<bool> spend(Secret password);

    void stop() { pool_.stop(); }

private:
    struct StandIn;
    Argon2Cost cost_;
    std::shared_ptr<StandIn> stand_in_;
    async::WorkerPool pool_;
};

}  // namespace cardd::daemon
