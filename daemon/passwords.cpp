#include "daemon/passwords.hpp"

#include <argon2.h>
#include <openssl/rand.h>

#include <array>
#include <mutex>
#include <vector>

namespace cardd::daemon {

namespace {

constexpr std::size_t least_characters = 10;
constexpr std::size_t most_bytes = 1024;

/// The code points of `text`, or nothing when it is not UTF-8 (overlong
/// forms, surrogates and values past U+10FFFF included).
std::optional<std::size_t> utf8_characters(std::string_view text) {
    std::size_t count = 0;
    for (std::size_t i = 0; i < text.size(); ++count) {
        const auto lead = static_cast<unsigned char>(text[i]);
        std::size_t length = 0;
        std::uint32_t point = 0;
        if (lead < 0x80) {
            length = 1;
            point = lead;
        } else if ((lead & 0xE0) == 0xC0) {
            length = 2;
            point = lead & 0x1F;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            point = lead & 0x0F;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            point = lead & 0x07;
        } else {
            return std::nullopt;
        }
        if (i + length > text.size()) return std::nullopt;
        for (std::size_t k = 1; k < length; ++k) {
            const auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return std::nullopt;
            point = (point << 6) | (next & 0x3F);
        }
        constexpr std::uint32_t least_of[] = {0, 0, 0x80, 0x800, 0x10000};
        if (point < least_of[length] || point > 0x10FFFF || (point >= 0xD800 && point <= 0xDFFF)) return std::nullopt;
        i += length;
    }
    return count;
}

}  // namespace

std::optional<std::string> password_refusal(std::string_view password) {
    if (password.size() > most_bytes) {
        return "the password is longer than " + std::to_string(most_bytes) + " bytes";
    }
    const auto characters = utf8_characters(password);
    if (!characters) return std::string("the password is not valid UTF-8");
    if (*characters < least_characters) {
        return "the password has " + std::to_string(*characters) + " characters: it needs at least " +
               std::to_string(least_characters);
    }
    return std::nullopt;
}

Result<std::string> hash_password(std::string_view password, const Argon2Cost& cost) {
    std::array<unsigned char, argon2_salt_bytes> salt{};
    if (RAND_bytes(salt.data(), static_cast<int>(salt.size())) != 1) {
        return fail(Errc::system, "no random bytes for a password's salt (OpenSSL RAND_bytes failed)");
    }
    std::vector<char> encoded(argon2_encodedlen(cost.passes, cost.memory_kib, cost.lanes,
                                                static_cast<std::uint32_t>(salt.size()), argon2_tag_bytes, Argon2_id));
    const int done = argon2id_hash_encoded(cost.passes, cost.memory_kib, cost.lanes, password.data(), password.size(),
                                           salt.data(), salt.size(), argon2_tag_bytes, encoded.data(), encoded.size());
    if (done != ARGON2_OK) return fail(Errc::system, std::string("Argon2id failed: ") + argon2_error_message(done));
    return std::string(encoded.data());
}

Result<bool> password_matches(const std::string& encoded, std::string_view password) {
    const int done = argon2id_verify(encoded.c_str(), password.data(), password.size());
    if (done == ARGON2_OK) return true;
    if (done == ARGON2_VERIFY_MISMATCH) return false;
    return fail(Errc::system, std::string("Argon2id could not check a password: ") + argon2_error_message(done));
}

// The hash an unknown name's password is checked against: made once, on
// the pool, the first time one is needed (that first time, making it costs
// what a check costs).
struct Passwords::StandIn {
    std::once_flag made;
    std::string encoded;
};

Passwords::Passwords(Argon2Cost cost, unsigned threads)
    : cost_(cost), stand_in_(std::make_shared<StandIn>()), pool_(threads) {}

Passwords::~Passwords() = default;

// hash and matches are plain functions that hand the pool its work, not
// coroutines: GCC 12 corrupts a lambda that captures a coroutine's
// parameters, so the work is made here, outside any coroutine frame.
boost::asio::awaitable<Result<std::string>> Passwords::hash(Secret password) {
    return async::WorkerPool::run(pool_.executor(), [cost = cost_, password = std::move(password)]() {
        return hash_password(password.view(), cost);
    });
}

boost::asio::awaitable<Result<bool>> Passwords::matches(std::string encoded, Secret password) {
    return async::WorkerPool::run(pool_.executor(), [encoded = std::move(encoded), password = std::move(password)]() {
        return password_matches(encoded, password.view());
    });
}

boost::asio::awaitable<bool> Passwords::spend(Secret password) {
    return async::WorkerPool::run(pool_.executor(),
                                  [cost = cost_, stand_in = stand_in_, password = std::move(password)]() {
                                      bool made_now = false;
                                      std::call_once(stand_in->made, [&] {
                                          auto made = hash_password(password.view(), cost);
                                          stand_in->encoded = made ? *made : std::string();
                                          made_now = true;
                                      });
                                      if (!made_now && !stand_in->encoded.empty())
                                          (void)password_matches(stand_in->encoded, password.view());
                                      return true;
                                  });
}

}  // namespace cardd::daemon
