// The command registry on its own: a request goes to the handler registered
// under its name with its arguments already read; an unknown command, a role
// too weak, a bad argument and a store refusal each get their documented
// result code (docs/control-socket.md).

#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <gtest/gtest.h>

#include "daemon/control/arguments.hpp"
#include "daemon/control/co_try.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/error.hpp"

namespace cardd::daemon {
namespace {

using boost::asio::awaitable;
using nlohmann::json;

struct AmountArgs {
    std::int64_t card_no = 0;
    std::int64_t amount = 0;
};

AmountArgs parse_amount(const json& a) {
    args::only(a, {"card_no", "amount"});
    return {args::required_int(a, "card_no"), args::required_int(a, "amount")};
}

store::Result<std::int64_t> lookup(std::int64_t card_no) {
    if (card_no == 404) return store::fail(store::Errc::not_found, "no card with number 404");
    if (card_no == 409) return store::fail(store::Errc::conflict, "card 409 is lost");
    return card_no * 10;
}

class CommandRegistryTest : public ::testing::Test {
protected:
    void SetUp() override {
        registry.add("topup", Role::issuer, parse_amount,
                     TypedHandler<AmountArgs>([this](Request&, const AmountArgs& arguments) -> awaitable<Answer> {
                         ran = true;
                         CARDD_CO_TRY(balance, lookup(arguments.card_no));
                         co_return Answer::ok("topped up", {{"balance", balance + arguments.amount}});
                     }));
        registry.add("status", Role::viewer, ignored_arguments,
                     TypedHandler<NoArguments>(
                         [](Request&, const NoArguments&) -> awaitable<Answer> { co_return Answer::ok("up"); }));
        registry.add_login("login", ignored_arguments,
                           TypedHandler<NoArguments>([this](Request&, const NoArguments&) -> awaitable<Answer> {
                               ran = true;
                               co_return Answer::ok("in");
                           }));
    }

    Answer run(std::string command, json arguments, std::optional<Role> role = Role::admin) {
        Caller caller;
        caller.uid = 1000;
        caller.role = role;
        return run_as(std::move(command), std::move(arguments), caller);
    }

    Answer run_as(std::string command, json arguments, const Caller& caller) {
        Request request;
        request.command = std::move(command);
        request.arguments = std::move(arguments);
        request.caller = caller;
        boost::asio::io_context io;
        auto done = boost::asio::co_spawn(io, registry.dispatch(request), boost::asio::use_future);
        io.run();
        return done.get();
    }

    CommandRegistry registry;
    bool ran = false;
};

// The request reaches the handler registered under its name, with its arguments read into the struct.
TEST_F(CommandRegistryTest, dispatchesToTheNamedHandlerWithTypedArguments) {
    const Answer answer = run("topup", {{"card_no", 7}, {"amount", 5}});
    EXPECT_EQ(answer.result, ResultCode::success);
    EXPECT_EQ(answer.text, "topped up");
    EXPECT_EQ(answer.arguments, json({{"balance", 75}}));
    EXPECT_EQ(run("status", {{"anything", 1}}).text, "up");
}

// A command nobody registered is unsupported (2) and names itself.
TEST_F(CommandRegistryTest, anUnknownCommandIsUnsupported) {
    const Answer answer = run("top-up", json::object());
    EXPECT_EQ(answer.result, ResultCode::unsupported);
    EXPECT_EQ(answer.text, "unknown command 'top-up'");
}

// A role weaker than the command's is denied (5) before its arguments are read or its body runs.
TEST_F(CommandRegistryTest, aWeakRoleIsDeniedBeforeAnythingRuns) {
    const Answer viewer = run("topup", {{"card_no", "x"}}, Role::viewer);
    EXPECT_EQ(viewer.result, ResultCode::denied);
    EXPECT_EQ(viewer.text, "'topup' needs the issuer role; uid 1000 is viewer");
    const Answer nobody = run("status", json::object(), std::nullopt);
    EXPECT_EQ(nobody.result, ResultCode::denied);
    EXPECT_EQ(nobody.text, "'status' needs the viewer role; uid 1000 is in no cardd group");
    EXPECT_FALSE(ran);
}

// An argument that does not parse is invalid (6) with the parser's sentence, and the body never runs.
TEST_F(CommandRegistryTest, anArgumentParseErrorIsInvalidAndTheBodyDoesNotRun) {
    const Answer wrong_type = run("topup", {{"card_no", "7"}, {"amount", 5}});
    EXPECT_EQ(wrong_type.result, ResultCode::invalid);
    EXPECT_EQ(wrong_type.text, "argument 'card_no' must be an integer");
    const Answer missing = run("topup", {{"card_no", 7}});
    EXPECT_EQ(missing.result, ResultCode::invalid);
    EXPECT_EQ(missing.text, "argument 'amount' is required");
    const Answer typo = run("topup", {{"card_no", 7}, {"amuont", 5}});
    EXPECT_EQ(typo.result, ResultCode::invalid);
    EXPECT_EQ(typo.text, "unknown argument 'amuont'");
    EXPECT_FALSE(ran);
}

// A store refusal passed on by CARDD_CO_TRY keeps its text and gets its result code.
TEST_F(CommandRegistryTest, aHandlersStoreErrorMapsToItsResultCode) {
    const Answer not_found = run("topup", {{"card_no", 404}, {"amount", 5}});
    EXPECT_TRUE(ran);
    EXPECT_EQ(not_found.result, ResultCode::not_found);
    EXPECT_EQ(not_found.text, "no card with number 404");
    const Answer conflict = run("topup", {{"card_no", 409}, {"amount", 5}});
    EXPECT_EQ(conflict.result, ResultCode::conflict);
    EXPECT_EQ(conflict.text, "card 409 is lost");
}

// The console's login is the console's user's alone: any other caller, admin or not, is denied before it runs.
TEST_F(CommandRegistryTest, theLoginIsForTheConsolesUserOnly) {
    const Answer admin = run("login", json::object(), Role::admin);
    EXPECT_EQ(admin.result, ResultCode::denied);
    EXPECT_EQ(admin.text,
              "'login' is for the staff console's user (console_user in cardd.conf) only; uid 1000 is not it");
    EXPECT_FALSE(ran);
    EXPECT_TRUE(registry.logs_in("login"));
    EXPECT_FALSE(registry.logs_in("status"));
    EXPECT_FALSE(registry.logs_in("nothing"));

    Caller console;
    console.uid = 54330;
    console.console = true;
    EXPECT_EQ(run_as("login", json::object(), console).text, "in");
    EXPECT_TRUE(ran);
    // Without a session, the console's user has no role for anything else.
    const Answer status = run_as("status", json::object(), console);
    EXPECT_EQ(status.result, ResultCode::denied);
    EXPECT_EQ(status.text,
              "'status' needs the viewer role; uid 54330 is the console's user, which has no role of its own: log in");
}

// Through a session the account's role decides, and a refusal names the account.
TEST_F(CommandRegistryTest, aSessionsAccountHasItsRole) {
    Caller viewer;
    viewer.uid = 54330;
    viewer.console = true;
    viewer.account = "desk.1";
    viewer.role = Role::viewer;
    EXPECT_EQ(run_as("status", json::object(), viewer).text, "up");
    const Answer topup = run_as("topup", {{"card_no", 7}, {"amount", 5}}, viewer);
    EXPECT_EQ(topup.result, ResultCode::denied);
    EXPECT_EQ(topup.text, "'topup' needs the issuer role; account desk.1 is viewer");
    EXPECT_FALSE(ran);
}

// A name registered twice is a programming error, refused at start.
TEST_F(CommandRegistryTest, aNameRegisteredTwiceIsRefused) {
    EXPECT_THROW(registry.add("status", Role::viewer, ignored_arguments,
                              TypedHandler<NoArguments>([](Request&, const NoArguments&) -> awaitable<Answer> {
                                  co_return Answer::ok("again");
                              })),
                 std::logic_error);
}

}  // namespace
}  // namespace cardd::daemon
