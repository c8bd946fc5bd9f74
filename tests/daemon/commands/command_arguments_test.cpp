// The commands' own argument parsers, as the registry runs them before a
// handler: what they read, and the sentence each refusal gives.

#include <gtest/gtest.h>

#include "daemon/commands/accounts.hpp"
#include "daemon/commands/card.hpp"
#include "daemon/commands/login.hpp"
#include "daemon/commands/loss.hpp"
#include "daemon/commands/money.hpp"
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
