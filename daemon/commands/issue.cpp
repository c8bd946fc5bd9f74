// person-add, person-list, card-issue.

#include "daemon/commands/issue.hpp"

#include "daemon/card_write.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/json_view.hpp"
#include "daemon/log.hpp"
#include "daemon/service.hpp"
#include "protocol/money.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

store::IssueOptions issue_options(const json& a) {
    store::IssueOptions options;
    options.opening = args::optional_int(a, "opening").value_or(0);
    options.cost = args::optional_int(a, "cost").value_or(0);
    return options;
}

std::string issued_text(const store::Card& card) {
    return "card " + std::to_string(card.card_no) + " issued to " + card.staff_no + " " + card.name + ", balance " +
           protocol::format_yuan(card.balance);
}

store::WriteIntent issue_intent(const store::Actor& actor, const store::PersonInput& person, store::CardNo card_no,
                                const store::IssueOptions& options) {
    store::WriteIntent intent;
    intent.kind = person.name.empty() ? store::WriteKind::issue : store::WriteKind::onboard;
    intent.actor = actor;
    intent.card_no = card_no;
    intent.person = person;
    intent.opening = options.opening;
    intent.cost = options.cost;
    return intent;
}

namespace {

/// Rehearses the issue, waits for the card, writes it through the journal.
awaitable<std::expected<store::Card, Answer>> issue_on_card(Service& service, Request& request,
                                                            const EncoderChoice& encoder,
                                                            const store::WriteIntent& intent) {
    CARDD_CO_TRY_VOID(rehearse_write(service, intent));
    CARDD_CO_TRY(use, co_await EncoderUse::begin(service, request, encoder));
    CARDD_CO_TRY_VOID(co_await use->wait_for_card());
    CARDD_CO_TRY(applied, write_new_card(service, *use, intent, intent.opening));
    co_return *applied.card;
}

}  // namespace

PersonAddArgs parse_person_add(const json& a) {
    args::only(a, {"staff_no", "name", "dept", "issue"});
    PersonAddArgs parsed;
    parsed.person = {args::required_string(a, "staff_no"), args::required_string(a, "name"),
                     args::optional_string(a, "dept").value_or("")};
    if (const auto issue = a.find("issue"); issue != a.end() && !issue->is_null()) {
        if (!issue->is_object()) throw BadArgument("'issue' must be an object with card_no, opening, cost");
        args::only(*issue, {"card_no", "opening", "cost", "encoder", "wait_s"});
        parsed.issue =
            CardToIssue{args::required_int(*issue, "card_no"), issue_options(*issue), parse_encoder_choice(*issue)};
    }
    return parsed;
}

CardIssueArgs parse_card_issue(const json& a) {
    args::only(a, {"staff_no", "card_no", "opening", "cost", "encoder", "wait_s"});
    CardIssueArgs parsed;
    parsed.staff_no = args::required_string(a, "staff_no");
    parsed.card.card_no = args::required_int(a, "card_no");
    parsed.card.options = issue_options(a);
    parsed.card.encoder = parse_encoder_choice(a);
    return parsed;
}

awaitable<Answer> person_add(Service& service, Request& request, const PersonAddArgs& arguments) {
    const store::PersonInput& person = arguments.person;
    if (arguments.issue) {
        const CardToIssue& issue = *arguments.issue;
        const store::WriteIntent intent = issue_intent(actor_of(request), person, issue.card_no, issue.options);
        CARDD_CO_TRY(card, co_await issue_on_card(service, request, issue.encoder, intent));
        CARDD_CO_TRY(added, service.store.person(person.staff_no));
        co_return Answer::ok("person " + person.staff_no + " added; " + issued_text(card),
                             {{"person", to_json(added)}, {"card", to_json(card)}});
    }
    CARDD_CO_TRY(added, service.store.add_person(actor_of(request), person));
    co_return Answer::ok("person " + added.staff_no + " " + added.name + " added", {{"person", to_json(added)}});
}

awaitable<Answer> person_list(Service& service, Request&, const NoArguments&) {
    CARDD_CO_TRY(people, service.store.people());
    json list = json::array();
    for (const auto& person : people) list.push_back(to_json(person));
    co_return Answer::ok(std::to_string(people.size()) + " people", {{"people", list}});
}

awaitable<Answer> card_issue(Service& service, Request& request, const CardIssueArgs& arguments) {
    const store::PersonInput holder{arguments.staff_no, "", ""};
    const store::WriteIntent intent =
        issue_intent(actor_of(request), holder, arguments.card.card_no, arguments.card.options);
    CARDD_CO_TRY(card, co_await issue_on_card(service, request, arguments.card.encoder, intent));
    co_return Answer::ok(issued_text(card), {{"card", to_json(card)}});
}

}  // namespace cardd::daemon
