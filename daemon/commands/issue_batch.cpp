// card-issue-batch.

#include "daemon/commands/issue_batch.hpp"

#include "daemon/card_write.hpp"
#include "daemon/commands/batch_rehearsal.hpp"
#include "daemon/commands/issue.hpp"
#include "daemon/control/arguments.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

IssueRow parse_row(const json& row) {
    if (!row.is_object()) throw BadArgument("a row must be an object");
    args::only(row, {"staff_no", "card_no", "opening", "cost", "name", "dept"});
    IssueRow parsed;
    parsed.person = {args::required_string(row, "staff_no"), "", ""};
    if (auto name = args::optional_string(row, "name")) {
        parsed.person.name = *name;
        parsed.person.department = args::optional_string(row, "dept").value_or("");
    }
    parsed.card_no = args::optional_int(row, "card_no");
    parsed.options = issue_options(row);
    return parsed;
}

/// How the rows of a batch went so far.
struct BatchTally {
    json issued = json::array();
    json failed = json::array();
    std::optional<std::vector<std::uint8_t>> last_card;  ///< the chip written last: the next must be another
    bool stopped = false;                                ///< no card came: the rows left are not tried
};

/// A row not issued, in the answer's "failed"; the text for its progress line.
std::string refuse_row(BatchTally& tally, const PlannedRow& row, ResultCode code, const std::string& why) {
    tally.failed.push_back({{"row", row.index + 1},
                            {"staff_no", row.intent.person.staff_no},
                            {"card_no", row.intent.card_no},
                            {"result", static_cast<int>(code)},
                            {"text", why}});
    return "row " + std::to_string(row.index + 1) + ": " + why;
}

/// One row, its card asked for and written. Each row is its own transaction
/// with its own card: the rehearsal of the whole batch passed, so what fails
/// now is the card (taken away, another system's) or a change made since;
/// the row is reported and the batch goes on, and no row is ever
/// half-issued. Gives the row's progress text.
awaitable<std::string> issue_row(Service& service, Request& request, EncoderUse& use, const PlannedRow& row,
                                 std::size_t total, BatchTally& tally) {
    if (tally.stopped) {
        co_return refuse_row(tally, row, ResultCode::card_failed, "not issued: the batch stopped waiting for a card");
    }
    const std::string number = "row " + std::to_string(row.index + 1) + ": ";
    const store::WriteIntent& intent = row.intent;
    // Again at its turn: the store may have changed while earlier cards were written.
    if (auto rehearsed = rehearse_write(service, intent); !rehearsed) {
        const Answer refused = from_error(rehearsed.error());
        co_return refuse_row(tally, row, refused.result, refused.text);
    }
    json prompt = {{"done", row.index},
                   {"total", total},
                   {"text", number + "place the card for " + intent.person.staff_no + " on encoder " + use.name()}};
    co_await request.progress(std::move(prompt));
    auto placed = co_await use.wait_for_card(tally.last_card, false);
    if (!placed) {
        tally.stopped = true;
        co_return refuse_row(tally, row, placed.error().result, placed.error().text);
    }
    auto applied = write_new_card(service, use, intent, intent.opening);
    if (!applied) {
        const Answer refused = from_error(applied.error());
        co_return refuse_row(tally, row, refused.result, refused.text);
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

/// The refusal of a whole batch: each refused row named, the first few in the text.
Answer refused_batch(const json& refused, std::size_t total) {
    constexpr std::size_t named = 3;
    std::string text = std::to_string(refused.size()) + " of " + std::to_string(total) +
                       (total == 1 ? " row" : " rows") +
                       " would be refused, so nothing was issued and no card was asked for: ";
    for (std::size_t i = 0; i < refused.size() && i < named; ++i) {
        text += (i ? "; " : "") + std::string("row ") + refused[i].at("row").dump() + ": " +
                refused[i].at("text").get<std::string>();
    }
    if (refused.size() > named) text += "; and " + std::to_string(refused.size() - named) + " more";
    Answer answer = Answer::failure(ResultCode::conflict, text);
    answer.arguments = {{"refused", refused}};
    return answer;
}

/// "3 cards can be issued (card numbers 1006 to 1008 assigned)"
std::string rehearsed_summary(const std::vector<PlannedRow>& rows) {
    std::vector<store::CardNo> assigned;
    for (const PlannedRow& row : rows) {
        if (row.assigned) assigned.push_back(row.intent.card_no);
    }
    std::string text =
        rows.size() == 1 ? "the card can be issued" : std::to_string(rows.size()) + " cards can be issued";
    if (assigned.size() == 1) text += " (card number " + std::to_string(assigned.front()) + " assigned)";
    if (assigned.size() > 1) {
        text += " (" + std::to_string(assigned.size()) + " card numbers assigned, " + std::to_string(assigned.front()) +
                " to " + std::to_string(assigned.back()) + ")";
    }
    return text + "; nothing was issued: this was a rehearsal";
}

}  // namespace

IssueBatchArgs parse_issue_batch(const json& a) {
    args::only(a, {"rows", "assign_from", "rehearse", "encoder", "wait_s"});
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
    parsed.assign_from = args::optional_int(a, "assign_from");
    if (parsed.assign_from && *parsed.assign_from < 1)
        throw BadArgument("'assign_from' must be a card number, 1 or more");
    parsed.rehearse = args::optional_bool(a, "rehearse", false);
    parsed.encoder = parse_encoder_choice(a);
    return parsed;
}

awaitable<Answer> card_issue_batch(Service& service, Request& request, const IssueBatchArgs& arguments) {
    const std::size_t total = arguments.rows.size();
    // Every row before the first card: a batch that would break a rule
    // anywhere (a person who has a card, a number taken, two rows with one
    // number) issues nothing, rather than the rows before the broken one.
    CARDD_CO_TRY(rehearsal, co_await rehearse_batch(service, actor_of(request), arguments));
    if (!rehearsal.refused.empty()) co_return refused_batch(rehearsal.refused, total);
    if (arguments.rehearse) {
        co_return Answer::ok(rehearsed_summary(rehearsal.rows),
                             {{"rehearsed", true}, {"rows", planned_rows_json(rehearsal.rows)}});
    }
    // One lease for the whole batch: the cards come one after another.
    CARDD_CO_TRY(use, co_await EncoderUse::begin(service, request, arguments.encoder));
    BatchTally tally;
    for (const PlannedRow& row : rehearsal.rows) {
        std::string text;
        try {
            text = co_await issue_row(service, request, *use, row, total, tally);
        } catch (const std::exception& bad) {
            text = refuse_row(tally, row, ResultCode::invalid, bad.what());
        }
        json progress = {{"done", row.index + 1}, {"total", total}, {"text", text}};
        co_await request.progress(std::move(progress));
    }
    co_return Answer::ok(
        batch_summary(tally, total),
        {{"issued", tally.issued}, {"failed", tally.failed}, {"rows", planned_rows_json(rehearsal.rows)}});
}

}  // namespace cardd::daemon
