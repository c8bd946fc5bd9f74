#pragma once
// Errors as values: every store and domain operation returns Result<T>.

#include <expected>
#include <string>
#include <utility>

namespace cardd::store {

/// What kind of failure: callers map these to control-socket result codes.
enum class Errc {
    invalid_argument,  ///< the request itself is wrong (bad amount, card number out of range)
    not_found,         ///< a named thing does not exist
    conflict,          ///< the request clashes with current state (duplicate, wrong card state)
    storage,           ///< the database failed (I/O, connection, constraint we did not foresee)
    /// A concurrent change of the same rows won: a deadlock, or on Galera a
    /// certification failure at COMMIT (both ER_LOCK_DEADLOCK, 1213). Nothing
    /// of this transaction was kept; running it again from its reads is safe.
    contention,
    /// A write about a terminal whose lease this instance no longer holds
    /// at the generation it carries: another instance drives it now.
    fenced,
    schema_too_new,  ///< the database was written by a newer cardd
    card,            ///< the card on the encoder could not be read or written
};

struct Error {
    Errc code;
    std::string message;
};

template <class T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Errc code, std::string message) {
    return std::unexpected(Error{code, std::move(message)});
}

const char* to_string(Errc code) noexcept;

}  // namespace cardd::store
