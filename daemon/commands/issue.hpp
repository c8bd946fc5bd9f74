#pragma once
// person-add, person-list, card-issue, card-issue-batch.

#include <expected>

#include "daemon/card_workflow.hpp"
#include "daemon/control/arguments.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

/// A card to write for a person: its number, opening and cost, the encoder.
struct CardToIssue {
    store::CardNo card_no = 0;
    store::IssueOptions options;
    EncoderChoice encoder;
};

/// A person, and with "issue" their first card, written at once.
struct PersonAddArgs {
    store::PersonInput person;
    std::optional<CardToIssue> issue;
};
PersonAddArgs parse_person_add(const nlohmann::json& arguments);

/// A card for a person already registered.
struct CardIssueArgs {
    std::string staff_no;
    CardToIssue card;
};
CardIssueArgs parse_card_issue(const nlohmann::json& arguments);

/// One row of a batch: issue to an existing person, or onboard when it names one.
struct IssueRow {
    store::PersonInput person;  ///< name empty: an existing person
    store::CardNo card_no = 0;
    store::IssueOptions options;
};

/// A batch row as given, and as read: a row that does not parse is reported
/// on its own and the batch goes on.
struct BatchRow {
    nlohmann::json given;
    std::expected<IssueRow, std::string> row;
};

struct IssueBatchArgs {
    std::vector<BatchRow> rows;
    EncoderChoice encoder;
};
IssueBatchArgs parse_issue_batch(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> person_add(Service& service, Request& request, const PersonAddArgs& arguments);
boost::asio::awaitable<Answer> person_list(Service& service, Request& request, const NoArguments& arguments);
boost::asio::awaitable<Answer> card_issue(Service& service, Request& request, const CardIssueArgs& arguments);
boost::asio::awaitable<Answer> card_issue_batch(Service& service, Request& request, const IssueBatchArgs& arguments);

}  // namespace cardd::daemon
