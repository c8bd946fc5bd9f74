// person-add, person-list, card-issue, card-issue-batch.

#include "daemon/arguments.hpp"
#include "daemon/json_view.hpp"
#include "daemon/log.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

store::IssueOptions issue_options(const json& a) {
    store::IssueOptions options;
    options.opening = args::optional_int(a, "opening").value_or(0);
    options.cost = args::optional_int(a, "cost").value_or(0);
    return options;
}

std::string issued_text(const store::Card& card) {
    return "card " + std::to_string(card.card_no) + " issued to " + card.staff_no + " " + card.name + ", balance " +
           yuan(card.balance);
}

/// One row of a batch: issue to an existing person, or onboard when a name is given.
store::Result<store::Card> issue_row(Service& service, const store::Actor& actor, const json& row) {
    args::only(row, {"staff_no", "card_no", "opening", "cost", "name", "dept"});
    const std::string staff_no = args::required_string(row, "staff_no");
    const store::CardNo card_no = args::required_int(row, "card_no");
    const store::IssueOptions options = issue_options(row);
    if (auto name = args::optional_string(row, "name")) {
        return service.store.onboard(actor, {staff_no, *name, args::optional_string(row, "dept").value_or("")},
                                     card_no, options);
    }
    return service.store.issue_card(actor, staff_no, card_no, options);
}

}  // namespace

void register_issue_commands(CommandRegistry& registry, Service& service) {
    registry.add("person-add", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        const json& a = request.arguments;
        args::only(a, {"staff_no", "name", "dept", "issue"});
        const store::PersonInput person{args::required_string(a, "staff_no"), args::required_string(a, "name"),
                                        args::optional_string(a, "dept").value_or("")};
        if (const auto issue = a.find("issue"); issue != a.end() && !issue->is_null()) {
            if (!issue->is_object()) throw BadArgument("'issue' must be an object with card_no, opening, cost");
            args::only(*issue, {"card_no", "opening", "cost"});
            auto card = service.store.onboard(actor_of(request), person, args::required_int(*issue, "card_no"),
                                              issue_options(*issue));
            if (!card) co_return from_error(card.error());
            auto added = service.store.person(person.staff_no);
            if (!added) co_return from_error(added.error());
            co_return Answer::ok("person " + person.staff_no + " added; " + issued_text(*card),
                                 {{"person", to_json(*added)}, {"card", to_json(*card)}});
        }
        auto added = service.store.add_person(actor_of(request), person);
        if (!added) co_return from_error(added.error());
        co_return Answer::ok("person " + added->staff_no + " " + added->name + " added", {{"person", to_json(*added)}});
    });

    registry.add("person-list", Role::viewer, [&service](Request&) -> awaitable<Answer> {
        auto people = service.store.people();
        if (!people) co_return from_error(people.error());
        json list = json::array();
        for (const auto& person : *people) list.push_back(to_json(person));
        co_return Answer::ok(std::to_string(people->size()) + " people", {{"people", list}});
    });

    registry.add("card-issue", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        const json& a = request.arguments;
        args::only(a, {"staff_no", "card_no", "opening", "cost"});
        auto card = service.store.issue_card(actor_of(request), args::required_string(a, "staff_no"),
                                             args::required_int(a, "card_no"), issue_options(a));
        if (!card) co_return from_error(card.error());
        co_return Answer::ok(issued_text(*card), {{"card", to_json(*card)}});
    });

    registry.add("card-issue-batch", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"rows"});
        const auto rows = request.arguments.find("rows");
        if (rows == request.arguments.end() || !rows->is_array() || rows->empty()) {
            throw BadArgument("'rows' must be a non-empty array of {staff_no, card_no, ...}");
        }
        const store::Actor actor = actor_of(request);
        json issued = json::array();
        json failed = json::array();
        const std::size_t total = rows->size();
        for (std::size_t i = 0; i < total; ++i) {
            const json& row = (*rows)[i];
            std::string text;
            // Each row is its own transaction: a bad row is reported and the
            // batch goes on, and no row is ever half-issued.
            try {
                if (!row.is_object()) throw BadArgument("a row must be an object");
                auto card = issue_row(service, actor, row);
                if (card) {
                    issued.push_back(card->card_no);
                    text = "row " + std::to_string(i + 1) + ": " + issued_text(*card);
                } else {
                    const Answer refused = from_error(card.error());
                    failed.push_back({{"row", i + 1},
                                      {"staff_no", row.value("staff_no", json(nullptr))},
                                      {"result", static_cast<int>(refused.result)},
                                      {"text", refused.text}});
                    text = "row " + std::to_string(i + 1) + ": " + refused.text;
                }
            } catch (const std::exception& bad) {
                failed.push_back({{"row", i + 1}, {"staff_no", nullptr}, {"result", static_cast<int>(ResultCode::invalid)},
                                  {"text", bad.what()}});
                text = "row " + std::to_string(i + 1) + ": " + bad.what();
            }
            json progress = {{"done", i + 1}, {"total", total}, {"text", text}};
            co_await request.progress(std::move(progress));
        }
        co_return Answer::ok(std::to_string(issued.size()) + " of " + std::to_string(total) + " cards issued" +
                                 (failed.empty() ? std::string() : ", " + std::to_string(failed.size()) + (failed.size() == 1 ? " row failed" : " rows failed")),
                             {{"issued", issued}, {"failed", failed}});
    });
}

}  // namespace cardd::daemon
