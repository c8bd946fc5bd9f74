#pragma once
// card-issue-batch: a card for each of a selection of people, or of the
// rows of a CSV file, one card after another on the encoder.

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "daemon/card_workflow.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

/// One row of a batch: issue to an existing person, or onboard when it names one.
struct IssueRow {
    store::PersonInput person;             ///< name empty: an existing person
    std::optional<store::CardNo> card_no;  ///< none: the batch assigns the next free number
    store::IssueOptions options;
};

/// A batch row as given, and as read: a row that does not parse is refused
/// with the batch's rehearsal, naming the row.
struct BatchRow {
    nlohmann::json given;
    std::expected<IssueRow, std::string> row;
};

struct IssueBatchArgs {
    std::vector<BatchRow> rows;
    std::optional<store::CardNo> assign_from;  ///< the first number tried for rows without one
    bool rehearse = false;                     ///< only rehearse: say what would be issued
    EncoderChoice encoder;
};
IssueBatchArgs parse_issue_batch(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> card_issue_batch(Service& service, Request& request, const IssueBatchArgs& arguments);

}  // namespace cardd::daemon
