// person-add, person-list, card-issue, card-issue-batch.

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

IssueRow parse_row(const json& row) {
    if (!row.is_object()) throw BadArgument("a row must be an object");
    args::only(row, {"staff_no", "card_no", "opening", "cost", "name", "dept"});
    IssueRow parsed;
    parsed.person = {args::required_string(row, "staff_no"), "", ""};
    if (auto name = args::optional_string(row, "name")) {
        parsed.person.name = *name;
        parsed.person.department = args::optional_string(row, "dept").value_or("");
    }
    parsed.card_no = args::required_int(row, "card_no");
    parsed.options = issue_options(row);
    return parsed;
}

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

/// How the rows of a batch went so far.
struct BatchTally {
    json issued = json::array();
    json failed = json::array();
    std::optional<std::vector<std::uint8_t>> last_card;  ///< the chip written last: the next must be another
    bool stopped = false;                                ///< no card came: the rows left are not tried
};

/// A row not issued, in the answer's "failed"; the text for its progress line.
std::string refuse_row(BatchTally& tally, std::size_t index, const BatchRow& row, ResultCode code,
                       const std::string& why) {
    tally.failed.push_back(
        {{"row", index + 1},
         {"staff_no", row.given.is_object() ? row.given.value("staff_no", json(nullptr)) : json(nullptr)},
         {"result", static_cast<int>(code)},
         {"text", why}});
    return "row " + std::to_string(index + 1) + ": " + why;
}

/// One row: rehearsed, its card asked for and written. Each row is its own
/// transaction with its own card: a bad row is reported and the batch goes
/// on, and no row is ever half-issued. Gives the row's progress text.
awaitable<std::string> issue_row(Service& service, Request& request, EncoderUse& use, const store::Actor& actor,
                                 std::size_t index, std::size_t total, const BatchRow& row, BatchTally& tally) {
    if (tally.stopped) {
        co_return refuse_row(tally, index, row, ResultCode::card_failed,
                             "not issued: the batch stopped waiting for a card");
    }
    if (!row.row) co_return refuse_row(tally, index, row, ResultCode::invalid, row.row.error());
    const IssueRow& wanted = *row.row;
    const std::string number = "row " + std::to_string(index + 1) + ": ";
    const store::WriteIntent intent = issue_intent(actor, wanted.person, wanted.card_no, wanted.options);
    if (auto rehearsed = rehearse_write(service, intent); !rehearsed) {
        const Answer refused = from_error(rehearsed.error());
        co_return refuse_row(tally, index, row, refused.result, refused.text);
    }
    json prompt = {{"done", index},
                   {"total", total},
                   {"text", number + "place the card for " + wanted.person.staff_no + " on encoder " + use.name()}};
    co_await request.progress(std::move(prompt));
    auto placed = co_await use.wait_for_card(tally.last_card, false);
    if (!placed) {
        tally.stopped = true;
        co_return refuse_row(tally, index, row, placed.error().result, placed.error().text);
    }
    auto applied = write_new_card(service, use, intent, intent.opening);
    if (!applied) {
        const Answer refused = from_error(applied.error());
        co_return refuse_row(tally, index, row, refused.result, refused.text);
    }
    tally.issued.push_back(applied->card->card_no);
    tally.last_card = use.session().uid().value_or(std::vector<std::uint8_t>{});
    // The simulated operator takes the written card off the reader.
    if (use.station().sim) use.station().sim->remove();
    co_return number + issued_text(*applied->card);
}

/// "3 of 4 cards issued, 1 row failed"
std::string batch_summary(const BatchTally& tally, std::size_t total) {
    std::string text = std::to_string(tally.issued.size()) + " of " + std::to_string(total) + " cards issued";
    if (!tally.failed.empty()) {
        text +=
            ", " + std::to_string(tally.failed.size()) + (tally.failed.size() == 1 ? " row failed" : " rows failed");
    }
    return text;
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

IssueBatchArgs parse_issue_batch(const json& a) {
    args::only(a, {"rows", "encoder", "wait_s"});
    const auto rows = a.find("rows");
    if (rows == a.end() || !rows->is_array() || rows->empty()) {
        throw BadArgument("'rows' must be a non-empty array of {staff_no, card_no, ...}");
    }
    IssueBatchArgs parsed;
    for (const json& given : *rows) {
        BatchRow row{given, std::unexpected(std::string())};
        try {
            row.row = parse_row(given);
        } catch (const std::exception& bad) {
            row.row = std::unexpected(std::string(bad.what()));
        }
        parsed.rows.push_back(std::move(row));
    }
    parsed.encoder = parse_encoder_choice(a);
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

awaitable<Answer> card_issue_batch(Service& service, Request& request, const IssueBatchArgs& arguments) {
    const store::Actor actor = actor_of(request);
    // One lease for the whole batch: the cards come one after another.
    CARDD_CO_TRY(use, co_await EncoderUse::begin(service, request, arguments.encoder));
    BatchTally tally;
    const std::size_t total = arguments.rows.size();
    for (std::size_t i = 0; i < total; ++i) {
        std::string text;
        try {
            text = co_await issue_row(service, request, *use, actor, i, total, arguments.rows[i], tally);
        } catch (const std::exception& bad) {
            text = refuse_row(tally, i, arguments.rows[i], ResultCode::invalid, bad.what());
        }
        json progress = {{"done", i + 1}, {"total", total}, {"text", text}};
        co_await request.progress(std::move(progress));
    }
    co_return Answer::ok(batch_summary(tally, total), {{"issued", tally.issued}, {"failed", tally.failed}});
}

}  // namespace cardd::daemon
