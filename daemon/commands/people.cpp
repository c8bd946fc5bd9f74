// person-search, departments.

#include "daemon/commands/people.hpp"

#include "daemon/control/co_try.hpp"
#include "daemon/json_view.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

/// "120 people match, 51 to 100 shown"
std::string search_summary(const store::PersonPage& page, const store::PersonQuery& query) {
    if (page.total == 0) return "no one matches";
    std::string text = page.total == 1 ? "1 person matches" : std::to_string(page.total) + " people match";
    if (page.people.empty()) return text + ", none from " + std::to_string(query.offset + 1);
    const std::int64_t first = query.offset + 1;
    const std::int64_t last = query.offset + static_cast<std::int64_t>(page.people.size());
    if (first == 1 && last == page.total) return text;
    return text + ", " + std::to_string(first) + " to " + std::to_string(last) + " shown";
}

}  // namespace

PersonSearchArgs parse_person_search(const json& a) {
    args::only(a, {"query", "department", "offset", "limit"});
    PersonSearchArgs parsed;
    parsed.query.text = args::optional_string(a, "query").value_or("");
    parsed.query.department = args::optional_string(a, "department");
    parsed.query.offset = args::optional_int(a, "offset").value_or(0);
    parsed.query.limit = args::optional_int(a, "limit").value_or(default_search_page);
    if (parsed.query.offset < 0) throw BadArgument("'offset' must be 0 or more");
    if (parsed.query.limit < 1 || parsed.query.limit > max_search_page) {
        throw BadArgument("'limit' must be 1 to " + std::to_string(max_search_page));
    }
    return parsed;
}

awaitable<Answer> person_search(Service& service, Request&, const PersonSearchArgs& arguments) {
    const store::PersonQuery& query = arguments.query;
    CARDD_CO_TRY(page, service.store.search_people(query));
    json people = json::array();
    for (const auto& match : page.people) people.push_back(to_json(match));
    co_return Answer::ok(
        search_summary(page, query),
        {{"people", std::move(people)}, {"total", page.total}, {"offset", query.offset}, {"limit", query.limit}});
}

awaitable<Answer> departments(Service& service, Request&, const NoArguments&) {
    CARDD_CO_TRY(found, service.store.departments());
    json list = json::array();
    for (const auto& department : found) list.push_back(to_json(department));
    co_return Answer::ok(std::to_string(found.size()) + (found.size() == 1 ? " department" : " departments"),
                         {{"departments", std::move(list)}});
}

}  // namespace cardd::daemon
