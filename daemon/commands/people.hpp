#pragma once
// person-search, departments: what a staff console needs to pick people
// from a list, by department or by a name or staff number typed in.

#include "daemon/control/arguments.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

/// The most people one page of a search gives, and the page it gives unasked.
inline constexpr std::int64_t max_search_page = 500;
inline constexpr std::int64_t default_search_page = 50;

/// Who to find ("query" in the name, staff number or department; exactly
/// "department") and which page ("offset", "limit").
struct PersonSearchArgs {
    store::PersonQuery query;
};
PersonSearchArgs parse_person_search(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> person_search(Service& service, Request& request, const PersonSearchArgs& arguments);
boost::asio::awaitable<Answer> departments(Service& service, Request& request, const NoArguments& arguments);

}  // namespace cardd::daemon
