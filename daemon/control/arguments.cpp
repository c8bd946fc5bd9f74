#include "daemon/control/arguments.hpp"

#include <algorithm>
#include <limits>

#include "daemon/control/answer.hpp"

namespace cardd::daemon::args {

using nlohmann::json;

namespace {

const json* find(const json& arguments, std::string_view key) {
    const auto found = arguments.find(key);
    if (found == arguments.end() || found->is_null()) return nullptr;
    return &*found;
}

[[noreturn]] void bad(std::string_view key, std::string_view wanted) {
    throw BadArgument("argument '" + std::string(key) + "' must be " + std::string(wanted));
}

// nlohmann reads a literal above INT64_MAX as an unsigned integer, which
// get<std::int64_t>() would wrap into a negative one; it is out of range.
std::int64_t integer(const json& value, std::string_view key, std::string_view wanted) {
    if (!value.is_number_integer()) bad(key, wanted);
    if (value.is_number_unsigned() &&
        value.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw BadArgument("argument '" + std::string(key) + "' is out of range");
    }
    return value.get<std::int64_t>();
}

}  // namespace

std::optional<std::int64_t> optional_int(const json& arguments, std::string_view key) {
    const json* value = find(arguments, key);
    if (!value) return std::nullopt;
    return integer(*value, key, "an integer");
}

std::int64_t required_int(const json& arguments, std::string_view key) {
    auto value = optional_int(arguments, key);
    if (!value) throw BadArgument("argument '" + std::string(key) + "' is required");
    return *value;
}

std::optional<int> optional_int32(const json& arguments, std::string_view key) {
    const auto value = optional_int(arguments, key);
    if (!value) return std::nullopt;
    if (*value < std::numeric_limits<int>::min() || *value > std::numeric_limits<int>::max()) {
        throw BadArgument("argument '" + std::string(key) + "' is out of range");
    }
    return static_cast<int>(*value);
}

int required_int32(const json& arguments, std::string_view key) {
    auto value = optional_int32(arguments, key);
    if (!value) throw BadArgument("argument '" + std::string(key) + "' is required");
    return *value;
}

std::optional<std::string> optional_string(const json& arguments, std::string_view key) {
    const json* value = find(arguments, key);
    if (!value) return std::nullopt;
    if (!value->is_string()) bad(key, "a string");
    return value->get<std::string>();
}

std::string required_string(const json& arguments, std::string_view key) {
    auto value = optional_string(arguments, key);
    if (!value) throw BadArgument("argument '" + std::string(key) + "' is required");
    return *value;
}

std::optional<bool> optional_bool(const json& arguments, std::string_view key) {
    const json* value = find(arguments, key);
    if (!value) return std::nullopt;
    if (!value->is_boolean()) bad(key, "true or false");
    return value->get<bool>();
}

bool optional_bool(const json& arguments, std::string_view key, bool fallback) {
    return optional_bool(arguments, key).value_or(fallback);
}

std::vector<std::int64_t> int_list(const json& arguments, std::string_view key) {
    const json* value = find(arguments, key);
    if (!value) return {};
    if (!value->is_array()) bad(key, "an array of integers");
    std::vector<std::int64_t> out;
    for (const json& item : *value) out.push_back(integer(item, key, "an array of integers"));
    return out;
}

std::optional<store::PushTarget> devices(const json& arguments) {
    const json* value = find(arguments, "devices");
    if (!value) return std::nullopt;
    if (value->is_string() && value->get<std::string>() == "all") return store::PushTarget::all();
    if (!value->is_array() || value->empty()) bad("devices", "\"all\" or a non-empty array of device names");
    std::vector<std::string> names;
    for (const json& item : *value) {
        if (!item.is_string()) bad("devices", "\"all\" or a non-empty array of device names");
        names.push_back(item.get<std::string>());
    }
    return store::PushTarget::named(std::move(names));
}

store::PushTarget push_target(const json& arguments) {
    const bool push = optional_bool(arguments, "push", false);
    auto target = devices(arguments);
    if (!push) {
        if (target) throw BadArgument("'devices' is given only with 'push': true");
        return store::PushTarget::none();
    }
    if (!target) throw BadArgument("'push': true needs 'devices': \"all\" or an array of terminal names");
    return *target;
}

void only(const json& arguments, std::initializer_list<std::string_view> known) {
    for (const auto& [key, value] : arguments.items()) {
        if (std::find(known.begin(), known.end(), key) == known.end()) {
            throw BadArgument("unknown argument '" + key + "'");
        }
    }
}

}  // namespace cardd::daemon::args

namespace cardd::daemon {

NoArguments ignored_arguments(const nlohmann::json&) { return {}; }

NoArguments no_arguments(const nlohmann::json& arguments) {
    args::only(arguments, {});
    return {};
}

}  // namespace cardd::daemon
