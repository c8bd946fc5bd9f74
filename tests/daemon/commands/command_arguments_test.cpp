// The commands' own argument parsers, as the registry runs them before a
// handler: what they read, and the sentence each refusal gives.

#include <gtest/gtest.h>

#include "daemon/commands/accounts.hpp"
#include "daemon/commands/card.hpp"
#include "daemon/commands/issue_batch.hpp"
#include "daemon/commands/login.hpp"
#include "daemon/commands/loss.hpp"
#include "daemon/commands/money.hpp"
#include "daemon/commands/people.hpp"
#include "daemon/commands/terminals.hpp"

namespace cardd::daemon {
namespace {

using nlohmann::json;

std::string refusal(auto parse, const json& arguments) {
    try {
        parse(arguments);
    } catch (const BadArgument& bad) {
        return bad.what();
    }
    return "(parsed)";
}

// A top-up reads its card, amount and encoder choice; wait_s is bounded.
TEST(CommandArguments, topupReadsCardAmountAndEncoder) {
    const TopupArgs topup = parse_topup({{"card_no", 7}, {"amount", 500}, {"encoder", "desk"}, {"wait_s", 5}});
    EXPECT_EQ(topup.card_no, 7);
    EXPECT_EQ(topup.amount, 500);
    EXPECT_EQ(topup.encoder.name, "desk");
    EXPECT_EQ(topup.encoder.wait, std::chrono::seconds(5));
    EXPECT_EQ(refusal(parse_topup, {{"card_no", 7}, {"amount", 500}, {"wait_s", 0}}),
              "'wait_s' must be 1 to 3600 seconds");
    EXPECT_EQ(refusal(parse_topup, {{"card_no", 7}}), "argument 'amount' is required");
}

// A loss reads its push target: push and devices go together.
TEST(CommandArguments, lossReadsItsPushTarget) {
    EXPECT_EQ(parse_loss({{"card_no", 3}}).push.scope, store::PushTarget::Scope::none);
    EXPECT_EQ(parse_loss({{"card_no", 3}, {"push", true}, {"devices", "all"}}).push.scope,
              store::PushTarget::Scope::all);
    EXPECT_EQ(refusal(parse_loss, {{"card_no", 3}, {"push", true}}),
              "'push': true needs 'devices': \"all\" or an array of terminal names");
}

// A loss names one card or up to 1000, each once, and a reason of the seed's list.
TEST(CommandArguments, lossNamesOneCardOrSeveralAndAReason) {
    const LossArgs one = parse_loss({{"card_no", 3}});
    EXPECT_EQ(one.cards, (std::vector<store::CardNo>{3}));
    EXPECT_EQ(one.reason, store::LossReason::lost);
    const LossArgs several = parse_loss({{"card_nos", {5, 3, 9}}, {"reason", "expired"}});
    EXPECT_EQ(several.cards, (std::vector<store::CardNo>{5, 3, 9}));
    EXPECT_EQ(several.reason, store::LossReason::expired);
    EXPECT_EQ(parse_loss({{"card_no", 3}, {"reason", "damaged"}}).reason, store::LossReason::damaged);
    EXPECT_EQ(refusal(parse_loss, {{"card_no", 3}, {"reason", "stolen"}}),
              "'reason' must be lost, damaged, expired or other");
    EXPECT_EQ(refusal(parse_loss, {{"card_no", 3}, {"card_nos", {4}}}), "give 'card_no' or 'card_nos', not both");
    EXPECT_EQ(refusal(parse_loss, json::object()), "argument 'card_no' (or 'card_nos') is required");
    EXPECT_EQ(refusal(parse_loss, {{"card_nos", json::array()}}), "'card_nos' must name 1 to 1000 cards");
    EXPECT_EQ(refusal(parse_loss, {{"card_nos", {4, 5, 4}}}), "card 4 is named twice in 'card_nos'");
    EXPECT_EQ(refusal(parse_loss, {{"card_nos", {4, "5"}}}), "argument 'card_nos' must be an array of integers");
    EXPECT_EQ(refusal(parse_loss, {{"card_nos", 4}}), "argument 'card_nos' must be an array of integers");
    json many = json::array();
    for (int i = 1; i <= 1001; ++i) many.push_back(i);
    EXPECT_EQ(refusal(parse_loss, {{"card_nos", many}}), "'card_nos' must name 1 to 1000 cards");
    many.erase(many.end() - 1);
    EXPECT_EQ(parse_loss({{"card_nos", many}}).cards.size(), 1000u);
    // An unlock has no reason.
    EXPECT_EQ(parse_unlock({{"card_nos", {7, 8}}}).cards, (std::vector<store::CardNo>{7, 8}));
    EXPECT_EQ(refusal(parse_unlock, {{"card_no", 7}, {"reason", "lost"}}), "unknown argument 'reason'");
}

// A search takes text, a department and a page; the page is 1 to 500 people.
TEST(CommandArguments, personSearchReadsItsPage) {
    const PersonSearchArgs all = parse_person_search(json::object());
    EXPECT_EQ(all.query.text, "");
    EXPECT_FALSE(all.query.department.has_value());
    EXPECT_EQ(all.query.offset, 0);
    EXPECT_EQ(all.query.limit, 50);
    const PersonSearchArgs page =
        parse_person_search({{"query", "张"}, {"department", "Kitchen"}, {"offset", 100}, {"limit", 500}});
    EXPECT_EQ(page.query.text, "张");
    EXPECT_EQ(page.query.department, "Kitchen");
    EXPECT_EQ(page.query.offset, 100);
    EXPECT_EQ(page.query.limit, 500);
    EXPECT_EQ(refusal(parse_person_search, {{"limit", 501}}), "'limit' must be 1 to 500");
    EXPECT_EQ(refusal(parse_person_search, {{"limit", 0}}), "'limit' must be 1 to 500");
    EXPECT_EQ(refusal(parse_person_search, {{"offset", -1}}), "'offset' must be 0 or more");
    EXPECT_EQ(refusal(parse_person_search, {{"query", 5}}), "argument 'query' must be a string");
    EXPECT_EQ(refusal(parse_person_search, {{"dept", "Kitchen"}}), "unknown argument 'dept'");
}

// A batch row may leave its card number to the batch; a row that does not
// parse is kept, to be refused with the batch's rehearsal.
TEST(CommandArguments, batchRowsMayLeaveTheirNumberOut) {
    const IssueBatchArgs batch =
        parse_issue_batch({{"rows", {{{"staff_no", "E1"}}, {{"staff_no", "E2"}, {"card_no", 7}}, {{"card_no", 8}}}},
                           {"assign_from", 1000},
                           {"rehearse", true}});
    ASSERT_EQ(batch.rows.size(), 3u);
    ASSERT_TRUE(batch.rows[0].row.has_value());
    EXPECT_FALSE(batch.rows[0].row->card_no.has_value());
    EXPECT_EQ(batch.rows[1].row->card_no, 7);
    ASSERT_FALSE(batch.rows[2].row.has_value());
    EXPECT_EQ(batch.rows[2].row.error(), "argument 'staff_no' is required");
    EXPECT_EQ(batch.assign_from, 1000);
    EXPECT_TRUE(batch.rehearse);
    EXPECT_FALSE(parse_issue_batch({{"rows", {{{"staff_no", "E1"}}}}}).rehearse);
    EXPECT_EQ(refusal(parse_issue_batch, {{"rows", {{{"staff_no", "E1"}}}}, {"assign_from", 0}}),
              "'assign_from' must be a card number, 1 or more");
    EXPECT_EQ(refusal(parse_issue_batch, {{"rows", json::array()}}),
              "'rows' must be a non-empty array of {staff_no, card_no, ...}");
}

// A return refunds by default and leaves wipe to the handler when absent.
TEST(CommandArguments, returnDefaultsToARefund) {
    const CloseArgs returned = parse_return({{"card_no", 9}});
    EXPECT_TRUE(returned.refund);
    EXPECT_FALSE(returned.wipe.has_value());
    EXPECT_FALSE(returned.write_off);
    EXPECT_EQ(refusal(parse_refund_close, {{"card_no", 9}, {"refund", false}}), "unknown argument 'refund'");
}

// The simulated placement's combinations are checked before anything is placed.
TEST(CommandArguments, simPlaceRefusesImpossibleCombinations) {
    const SimPlaceArgs blank = parse_sim_place({{"blank", true}, {"count", 3}});
    EXPECT_TRUE(blank.blank);
    EXPECT_EQ(blank.count, 3);
    EXPECT_EQ(parse_sim_place({{"uid", "04A20001"}}).uid, (std::vector<std::uint8_t>{0x04, 0xA2, 0x00, 0x01}));
    EXPECT_EQ(refusal(parse_sim_place, {{"blank", true}, {"uid", "04A20001"}}),
              "give exactly one of 'blank' and 'uid'");
    EXPECT_EQ(refusal(parse_sim_place, {{"uid", "04A20001"}, {"count", 2}}), "'count' goes with 'blank'");
    EXPECT_EQ(refusal(parse_sim_place, {{"uid", "XYZ"}}),
              "'uid' must be 8 or 14 hexadecimal digits (a 4- or 7-byte UID)");
}

// A resync names failed terminals or devices, not both.
TEST(CommandArguments, resyncNamesFailedOrDevices) {
    EXPECT_TRUE(parse_resync({{"failed", true}}).failed_only);
    EXPECT_EQ(parse_resync({{"devices", {"T1"}}, {"cards", {5}}}).cards, (std::vector<std::int64_t>{5}));
    EXPECT_EQ(refusal(parse_resync, {{"failed", true}, {"devices", {"T1"}}}),
              "give 'failed': true, or 'devices', or 'cards' with 'devices'");
}

// A new account needs a name, one of the three roles and a password the policy takes.
TEST(CommandArguments, accountAddReadsNameRoleAndPassword) {
    const AccountAddArgs added = parse_account_add({{"name", "ops"}, {"role", "issuer"}, {"password", "0123456789"}});
    EXPECT_EQ(added.name, "ops");
    EXPECT_EQ(added.role, store::AccountRole::issuer);
    EXPECT_EQ(added.password.view(), "0123456789");
    EXPECT_EQ(refusal(parse_account_add, {{"name", "ops"}, {"role", "root"}, {"password", "0123456789"}}),
              "'role' must be admin, issuer or viewer, not 'root'");
    EXPECT_EQ(refusal(parse_account_add, {{"name", "ops"}, {"role", "admin"}, {"password", "short"}}),
              "'password' is refused: the password has 5 characters: it needs at least 10");
    EXPECT_EQ(refusal(parse_account_add, {{"name", "ops"}, {"role", "admin"}}), "argument 'password' is required");
    EXPECT_EQ(refusal(parse_account_add, {{"name", "ops"}, {"role", "admin"}, {"password", 1234567890}}),
              "argument 'password' must be a string");
    EXPECT_EQ(refusal(parse_account_passwd, {{"name", "ops"}, {"password", std::string(1025, 'x')}}),
              "'password' is refused: the password is longer than 1024 bytes");
    EXPECT_EQ(refusal(parse_account_name, {{"name", "ops"}, {"role", "admin"}}), "unknown argument 'role'");
}

// A login takes any password (the policy is for new ones), and nothing else.
TEST(CommandArguments, loginReadsNameAndPassword) {
    const LoginArgs login = parse_login({{"name", "ops"}, {"password", "short"}});
    EXPECT_EQ(login.name, "ops");
    EXPECT_EQ(login.password.view(), "short");
    EXPECT_EQ(refusal(parse_login, {{"name", "ops"}}), "argument 'password' is required");
    EXPECT_EQ(refusal(parse_login, {{"name", "ops"}, {"password", "x"}, {"session", "y"}}),
              "unknown argument 'session'");
}

}  // namespace
}  // namespace cardd::daemon
