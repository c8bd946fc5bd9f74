#pragma once
// What a control-socket command answers: a result code, a sentence, data.

#include <nlohmann/json.hpp>

#include <string>

#include "store/error.hpp"

namespace cardd::daemon {

/// Result codes of the control socket; docs/control-socket.md explains each.
enum class ResultCode : int {
    success = 0,
    error = 1,
    unsupported = 2,
    not_found = 3,
    conflict = 4,
    denied = 5,
    invalid = 6,
    card_failed = 7,  ///< the card or the encoder failed (no card, card taken away, wrong key); nothing changed
};

struct Answer {
    ResultCode result = ResultCode::success;
    std::string text;
    nlohmann::json arguments;  ///< null when there is nothing to add

    static Answer ok(std::string text, nlohmann::json arguments = nullptr) {
        return {ResultCode::success, std::move(text), std::move(arguments)};
    }
    static Answer failure(ResultCode code, std::string text) { return {code, std::move(text), nullptr}; }
};

/// A store error as the caller should see it.
inline Answer from_error(const store::Error& error) {
    switch (error.code) {
        case store::Errc::invalid_argument: return Answer::failure(ResultCode::invalid, error.message);
        case store::Errc::not_found: return Answer::failure(ResultCode::not_found, error.message);
        case store::Errc::conflict: return Answer::failure(ResultCode::conflict, error.message);
        case store::Errc::card: return Answer::failure(ResultCode::card_failed, error.message);
        case store::Errc::storage:
        case store::Errc::contention:
        case store::Errc::fenced:
        case store::Errc::schema_too_new: break;
    }
    return Answer::failure(ResultCode::error, error.message);
}

/// Thrown by argument readers inside handlers; the registry turns it into result 6.
struct BadArgument : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace cardd::daemon
