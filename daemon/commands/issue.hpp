#pragma once
// person-add, person-list, card-issue; what card-issue-batch shares with them.

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

/// "opening" and "cost" of a request or a batch row.
store::IssueOptions issue_options(const nlohmann::json& arguments);

/// "card 1001 issued to E001 张三, balance 50.00"
std::string issued_text(const store::Card& card);

/// An issue to an existing person, or an onboarding when `person` has a name.
store::WriteIntent issue_intent(const store::Actor& actor, const store::PersonInput& person, store::CardNo card_no,
                                const store::IssueOptions& options);

boost::asio::awaitable<Answer> person_add(Service& service, Request& request, const PersonAddArgs& arguments);
boost::asio::awaitable<Answer> person_list(Service& service, Request& request, const NoArguments& arguments);
boost::asio::awaitable<Answer> card_issue(Service& service, Request& request, const CardIssueArgs& arguments);

}  // namespace cardd::daemon
