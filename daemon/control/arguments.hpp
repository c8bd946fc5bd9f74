#pragma once
// Reading a request's arguments: each reader names the argument and the type
// it wanted, and throws BadArgument (result 6) on anything else. A command's
// parser (registered with it, see command_registry.hpp) uses these to fill
// its typed argument struct before the handler runs.

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/domain.hpp"

namespace cardd::daemon::args {

std::int64_t required_int(const nlohmann::json& arguments, std::string_view key);
std::optional<std::int64_t> optional_int(const nlohmann::json& arguments, std::string_view key);
/// As the above, for values kept in an int (sector, unit id, baud): one outside
/// int's range is refused, never wrapped into a valid one.
int required_int32(const nlohmann::json& arguments, std::string_view key);
std::optional<int> optional_int32(const nlohmann::json& arguments, std::string_view key);
std::string required_string(const nlohmann::json& arguments, std::string_view key);
std::optional<std::string> optional_string(const nlohmann::json& arguments, std::string_view key);
bool optional_bool(const nlohmann::json& arguments, std::string_view key, bool fallback);
std::optional<bool> optional_bool(const nlohmann::json& arguments, std::string_view key);
std::vector<std::int64_t> int_list(const nlohmann::json& arguments, std::string_view key);

/// `devices`: "all" or an array of names; absent gives nothing.
std::optional<store::PushTarget> devices(const nlohmann::json& arguments);

/// `push` and `devices` of a loss or an unlock: no push → none; push → devices required.
store::PushTarget push_target(const nlohmann::json& arguments);

/// Refuses arguments the command does not know, so a typo is not ignored.
void only(const nlohmann::json& arguments, std::initializer_list<std::string_view> known);

}  // namespace cardd::daemon::args

namespace cardd::daemon {

/// The arguments of a command that takes none.
struct NoArguments {};

/// Takes whatever arguments come and reads none (status, the lists).
NoArguments ignored_arguments(const nlohmann::json& arguments);
/// Refuses any argument (failed, pending).
NoArguments no_arguments(const nlohmann::json& arguments);

}  // namespace cardd::daemon
