#pragma once
// The daemon's own failures as values: a setting cardd.conf cannot have, a
// master key file cardd refuses, a system call that failed. The store's
// errors stay store::Error; the control socket maps those to result codes
// (daemon/control/answer.hpp), these only ever reach the operator at start
// or at a reload.

#include <expected>
#include <string>
#include <utility>

namespace cardd::daemon {

enum class Errc {
    invalid,  ///< what was read cannot be used as it is (a setting, the key file's mode or size)
    system,   ///< the operating system refused (open, write, sync, random bytes)
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

}  // namespace cardd::daemon
