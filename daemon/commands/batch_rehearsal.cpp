// The rehearsal of a whole batch issue, before its first card.

#include "daemon/commands/batch_rehearsal.hpp"

#include <map>

#include "daemon/card_write.hpp"
#include "daemon/commands/issue.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/service.hpp"

namespace cardd::daemon {

using boost::asio::awaitable;
using nlohmann::json;

namespace {

/// Rows rehearsed between two turns of the event loop: a batch of
/// thousands of rows does not hold other requests up for long.
constexpr std::size_t rows_per_turn = 100;

/// What a refused row is known by: its staff number and card number as
/// given (or assigned), null where it has none.
json given_value(const BatchRow& row, std::string_view key) {
    if (!row.given.is_object()) return nullptr;
    const auto found = row.given.find(key);
    return found == row.given.end() ? json(nullptr) : *found;
}

class Rehearsal {
public:
    Rehearsal(Service& service, const store::Actor& actor) : service_(service), actor_(actor) {}

    /// Refuses the row at `index`.
    void refuse(std::size_t index, const BatchRow& row, json card_no, ResultCode code, std::string text) {
        result_.refused.push_back({{"row", index + 1},
                                   {"staff_no", given_value(row, "staff_no")},
                                   {"card_no", std::move(card_no)},
                                   {"result", static_cast<int>(code)},
                                   {"text", std::move(text)}});
    }

    /// One row that parsed, with its card number given or assigned (none: no number was free).
    void rehearse(std::size_t index, const BatchRow& row, const IssueRow& wanted, std::optional<store::CardNo> card_no,
                  bool assigned, store::CardNo max_card_no) {
        const json number = card_no ? json(*card_no) : json(nullptr);
        // Against the rows before it: one card per person, each number once.
        const auto [person, first_person] = staff_rows_.emplace(wanted.person.staff_no, index);
        if (!first_person) {
            refuse(index, row, number, ResultCode::conflict,
                   "staff number " + wanted.person.staff_no + " is also in row " + std::to_string(person->second + 1) +
                       ": one card per person");
            return;
        }
        if (!card_no) {
            refuse(index, row, number, ResultCode::conflict,
                   "no card number is free up to the card format's maximum " + std::to_string(max_card_no) +
                       ": give the row a card_no, or assign_from a lower number");
            return;
        }
        if (!assigned) {
            const auto [card, first_card] = card_rows_.emplace(*card_no, index);
            if (!first_card) {
                refuse(
                    index, row, number, ResultCode::conflict,
                    "card number " + std::to_string(*card_no) + " is also in row " + std::to_string(card->second + 1));
                return;
            }
        }
        // Against the store, as the row's own issue would be at its turn.
        store::WriteIntent intent = issue_intent(actor_, wanted.person, *card_no, wanted.options);
        if (auto rehearsed = rehearse_write(service_, intent); !rehearsed) {
            const Answer refused = from_error(rehearsed.error());
            refuse(index, row, number, refused.result, refused.text);
            return;
        }
        std::string name = wanted.person.name;
        if (name.empty()) {
            if (auto holder = service_.store.person(wanted.person.staff_no)) name = holder->name;
        }
        result_.rows.push_back({index, std::move(intent), assigned, std::move(name)});
    }

    BatchRehearsal finish() {
        if (!result_.refused.empty()) result_.rows.clear();
        return std::move(result_);
    }

private:
    Service& service_;
    store::Actor actor_;
    BatchRehearsal result_;
    std::map<std::string, std::size_t> staff_rows_;
    std::map<store::CardNo, std::size_t> card_rows_;
};

}  // namespace

awaitable<std::expected<BatchRehearsal, Answer>> rehearse_batch(Service& service, const store::Actor& actor,
                                                                const IssueBatchArgs& batch) {
    // The numbers given, which an assigned number must not take, and how many to assign.
    std::vector<store::CardNo> given;
    std::size_t unnumbered = 0;
    for (const BatchRow& row : batch.rows) {
        if (!row.row) continue;
        if (row.row->card_no) {
            given.push_back(*row.row->card_no);
        } else {
            ++unnumbered;
        }
    }
    CARDD_CO_TRY(format, service.store.card_format());
    CARDD_CO_TRY(numbers, service.store.free_card_numbers(unnumbered, batch.assign_from, given));
    auto next_free = numbers.begin();

    Rehearsal rehearsal(service, actor);
    const auto executor = co_await boost::asio::this_coro::executor;
    for (std::size_t i = 0; i < batch.rows.size(); ++i) {
        if (i > 0 && i % rows_per_turn == 0) co_await boost::asio::post(executor, boost::asio::use_awaitable);
        const BatchRow& row = batch.rows[i];
        if (!row.row) {
            rehearsal.refuse(i, row, given_value(row, "card_no"), ResultCode::invalid, row.row.error());
            continue;
        }
        std::optional<store::CardNo> card_no = row.row->card_no;
        const bool assigned = !card_no.has_value();
        if (assigned && next_free != numbers.end()) card_no = *next_free++;
        rehearsal.rehearse(i, row, *row.row, card_no, assigned, format.max_card_no);
    }
    co_return rehearsal.finish();
}

json planned_rows_json(const std::vector<PlannedRow>& rows) {
    json list = json::array();
    for (const PlannedRow& row : rows) {
        list.push_back({{"row", row.index + 1},
                        {"staff_no", row.intent.person.staff_no},
                        {"name", row.name},
                        {"card_no", row.intent.card_no},
                        {"assigned", row.assigned}});
    }
    return list;
}

}  // namespace cardd::daemon
