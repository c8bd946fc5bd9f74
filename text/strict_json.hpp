#pragma once
// JSON as clients send it, refused where nlohmann would quietly choose: a key
// given twice in one object keeps only its last value, so
// {"command":"status","command":"card-topup",...} runs a top-up that a
// reader of the request, or a filter in front of cardd, takes for a status.

#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cardd::text {

struct JsonRefusal {
    enum class Kind {
        invalid,        ///< not JSON at all
        duplicate_key,  ///< `key` given twice in one object
    };
    Kind kind = Kind::invalid;
    std::string key;  ///< the duplicated key, at most 64 bytes of it
};

/// Parses `text`, refusing invalid JSON and any object, at any depth, that
/// names a key twice.
std::expected<nlohmann::json, JsonRefusal> parse_strict_json(std::string_view text);

}  // namespace cardd::text
