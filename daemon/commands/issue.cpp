// person-add, person-list, card-issue, card-issue-batch.

#include "daemon/control/arguments.hpp"
#include "daemon/card_workflow.hpp"
#include "daemon/card_write.hpp"
#include "daemon/json_view.hpp"
#include "daemon/log.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/service.hpp"
#include "protocol/money.hpp"

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
           protocol::format_yuan(card.balance);
}

/// An issue to an existing person, or an onboarding when `person` has a name.
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

/// One row of a batch as an intent: issue to an existing person, or onboard when a name is given.
store::WriteIntent row_intent(const store::Actor& actor, const json& row) {
    args::only(row, {"staff_no", "card_no", "opening", "cost", "name", "dept"});
    store::PersonInput person{args::required_string(row, "staff_no"), "", ""};
    if (auto name = args::optional_string(row, "name")) {
        person.name = *name;
        person.department = args::optional_string(row, "dept").value_or("");
    }
    return issue_intent(actor, person, args::required_int(row, "card_no"), issue_options(row));
}

/// Rehearses the issue, waits for the card, writes it through the journal.
awaitable<std::expected<store::Card, Answer>> issue_on_card(Service& service, Request& request, const json& arguments,
                                                           const store::WriteIntent& intent) {
    if (auto rehearsed = rehearse_write(service, intent); !rehearsed) {
        co_return std::unexpected(from_error(rehearsed.error()));
    }
    auto use = co_await EncoderUse::begin(service, request, arguments);
    if (!use) co_return std::unexpected(use.error());
    auto none = co_await (*use)->wait_for_card();
    if (none) co_return std::unexpected(*none);
    auto applied = write_new_card(service, **use, intent, intent.opening);
    if (!applied) co_return std::unexpected(from_error(applied.error()));
    co_return *applied->card;
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
            args::only(*issue, {"card_no", "opening", "cost", "encoder", "wait_s"});
            const store::WriteIntent intent =
                issue_intent(actor_of(request), person, args::required_int(*issue, "card_no"), issue_options(*issue));
            auto card = co_await issue_on_card(service, request, *issue, intent);
            if (!card) co_return card.error();
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
        args::only(a, {"staff_no", "card_no", "opening", "cost", "encoder", "wait_s"});
        const store::PersonInput holder{args::required_string(a, "staff_no"), "", ""};
        const store::WriteIntent intent =
            issue_intent(actor_of(request), holder, args::required_int(a, "card_no"), issue_options(a));
        auto card = co_await issue_on_card(service, request, a, intent);
        if (!card) co_return card.error();
        co_return Answer::ok(issued_text(*card), {{"card", to_json(*card)}});
    });

    registry.add("card-issue-batch", Role::issuer, [&service](Request& request) -> awaitable<Answer> {
        args::only(request.arguments, {"rows", "encoder", "wait_s"});
        const auto rows = request.arguments.find("rows");
        if (rows == request.arguments.end() || !rows->is_array() || rows->empty()) {
            throw BadArgument("'rows' must be a non-empty array of {staff_no, card_no, ...}");
        }
        const store::Actor actor = actor_of(request);
        // One lease for the whole batch: the cards come one after another.
        auto use = co_await EncoderUse::begin(service, request);
        if (!use) co_return use.error();
        json issued = json::array();
        json failed = json::array();
        const std::size_t total = rows->size();
        std::optional<std::vector<std::uint8_t>> last_card;
        bool stopped = false;
        for (std::size_t i = 0; i < total; ++i) {
            const json& row = (*rows)[i];
            const std::string number = "row " + std::to_string(i + 1) + ": ";
            std::string text;
            const auto refuse = [&](ResultCode code, const std::string& why) {
                failed.push_back({{"row", i + 1},
                                  {"staff_no", row.is_object() ? row.value("staff_no", json(nullptr)) : json(nullptr)},
                                  {"result", static_cast<int>(code)},
                                  {"text", why}});
                text = number + why;
            };
            // Each row is its own transaction with its own card: a bad row is
            // reported and the batch goes on, and no row is ever half-issued.
            if (stopped) {
                refuse(ResultCode::card_failed, "not issued: the batch stopped waiting for a card");
            } else {
                try {
                    if (!row.is_object()) throw BadArgument("a row must be an object");
                    const store::WriteIntent intent = row_intent(actor, row);
                    if (auto rehearsed = rehearse_write(service, intent); !rehearsed) {
                        const Answer refused = from_error(rehearsed.error());
                        refuse(refused.result, refused.text);
                    } else {
                        json prompt = {{"done", i},
                                       {"total", total},
                                       {"text", number + "place the card for " + row.value("staff_no", std::string()) +
                                                    " on encoder " + (*use)->name()}};
                        co_await request.progress(std::move(prompt));
                        auto none = co_await (*use)->wait_for_card(last_card, false);
                        if (none) {
                            stopped = true;
                            refuse(none->result, none->text);
                        } else {
                            auto applied = write_new_card(service, **use, intent, intent.opening);
                            if (applied) {
                                issued.push_back(applied->card->card_no);
                                text = number + issued_text(*applied->card);
                                last_card = (*use)->session().uid().value_or(std::vector<std::uint8_t>{});
                                // The simulated operator takes the written card off the reader.
                                if ((*use)->station().sim) (*use)->station().sim->remove();
                            } else {
                                const Answer refused = from_error(applied.error());
                                refuse(refused.result, refused.text);
                            }
                        }
                    }
                } catch (const std::exception& bad) {
                    refuse(ResultCode::invalid, bad.what());
                }
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
