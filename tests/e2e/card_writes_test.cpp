// The journal of card writes through the daemon: every card workflow cut at
// every card command (the card taken off the encoder there, then cardd killed
// and started again), after which one read of the card settles the write and
// the card and the store agree; a negative balance at replacement refused
// plainly and written off by an administrator; closing a card wipes it or
// blacklists it; an unsettled write blocks its card until the card is seen,
// and a terminal record can settle it too.

#include <functional>
#include <string>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

/// Card commands any of these workflows takes, with room to spare: the sweep
/// goes past the end of each, where the write completes whole.
constexpr int last_cut = 34;

class CardWrites : public E2e {
protected:
    json card_info(std::int64_t card_no) { return ctl_ok({"card", "info", std::to_string(card_no)}); }

    std::int64_t ledger_sum(const json& info) {
        std::int64_t sum = 0;
        for (const json& line : info.at("ledger")) sum += line.at("amount").get<std::int64_t>();
        return sum;
    }

    /// kill -9 and start again, then the chip back on the encoder and read
    /// once: what the card holds afterwards.
    json crash_and_read(const std::string& uid) {
        kill_cardd();
        start_cardd();
        ctl_ok({"encoder", "sim-remove"});
        ctl_ok({"encoder", "sim-place", "--uid", uid});
        return read_card();
    }

    /// The sweep met each way a write can be found: whole, torn and finished, never begun.
    void expect_every_settlement_seen() {
        const std::string log = cardd_log();
        for (const char* seen :
             {"outcome=applied card=whole", "outcome=applied card=torn", "outcome=dropped card=before"}) {
            EXPECT_NE(log.find(seen), std::string::npos) << "no cut was settled with " << seen;
        }
    }

    void expect_nothing_pending(const std::string& where) {
        EXPECT_EQ(ctl_ok({"pending"}).at("pending"), json::array()) << where;
    }

    /// The card holds what the store says of it, and the balance is its ledger's.
    void expect_agrees(const json& read, std::int64_t card_no, const std::string& where) {
        ASSERT_EQ(read.at("kind"), "ours") << where << ": " << read.dump();
        const json info = card_info(card_no);
        EXPECT_EQ(read.at("on_card").at("card_no"), card_no) << where;
        EXPECT_EQ(read.at("on_card").at("balance"), info.at("card").at("balance")) << where << ": " << read.dump();
        EXPECT_EQ(read.at("on_card").at("serial"), info.at("card").at("serial")) << where;
        EXPECT_EQ(ledger_sum(info), info.at("card").at("balance").get<std::int64_t>()) << where;
        EXPECT_TRUE(info.at("pending").is_null()) << where;
    }

    /// Runs `workflow` with the card leaving the encoder after each number of
    /// card commands in turn, cardd killed after each, and `check` on what
    /// the card holds once read again; `prepare` gives the chip to put back.
    /// Returns how many cuts left the write done and how many undone.
    std::pair<int, int> sweep(const std::function<std::string(int)>& prepare,
                              const std::function<CtlRun(int)>& workflow,
                              const std::function<bool(int, const json&, const CtlRun&)>& check) {
        int done = 0;
        int undone = 0;
        for (int cut = 1; cut <= last_cut; ++cut) {
            const std::string uid = prepare(cut);
            ctl_ok({"encoder", "sim-remove", "--after", std::to_string(cut)});
            const CtlRun run = workflow(cut);
            const json read = crash_and_read(uid);
            const std::string where = "cut after " + std::to_string(cut) + " card commands";
            const bool took = check(cut, read, run);
            if (took)
                ++done;
            else
                ++undone;
            // A write the client was told succeeded is on the card and in the store.
            if (run.exit_code == 0) {
                EXPECT_TRUE(took) << where;
            }
            expect_nothing_pending(where);
            if (::testing::Test::HasFailure()) {
                ADD_FAILURE() << where << ": " << run.describe() << "\n" << cardd_log();
                break;
            }
        }
        return {done, undone};
    }
};

// A top-up cut anywhere: after the card is read again, card and ledger hold
// the same balance, the top-up once or not at all.
TEST_P(CardWrites, topUpCutAtEveryCardCommandAgreesAfterACrash) {
    issue("E001", 1001, 3000);
    const std::string uid = card_info(1001).at("card").at("uid");
    std::int64_t expected = 3000;
    const auto [done, undone] = sweep([&](int) { return uid; },
                                      [&](int) {
                                          return cardctl({"card", "topup", "1001", "5", "--wait", "1"});
                                      },
                                      [&](int cut, const json& read, const CtlRun& run) {
                                          const std::string where = "top-up cut at " + std::to_string(cut);
                                          expect_agrees(read, 1001, where);
                                          const std::int64_t now = read.at("on_card").at("balance");
                                          EXPECT_TRUE(now == expected || now == expected + 500) << where;
                                          if (run.exit_code == 0) {
                                              EXPECT_EQ(now, expected + 500) << where;
                                          }
                                          const bool took = now == expected + 500;
                                          expected = now;
                                          return took;
                                      });
    EXPECT_GT(done, 0);
    EXPECT_GT(undone, 0);
    expect_every_settlement_seen();
}

// An issue cut anywhere leaves a blank card and no card in the store, or
// the issued card in both.
TEST_P(CardWrites, issueCutAtEveryCardCommandAgreesAfterACrash) {
    const auto [done, undone] = sweep(
        [&](int cut) {
            ctl_ok({"person", "add", "P" + std::to_string(cut), "--name", "Person " + std::to_string(cut)});
            return place_blank();
        },
        [&](int cut) {
            return cardctl({"card", "issue", "P" + std::to_string(cut), "--card-no", std::to_string(2000 + cut),
                            "--opening", "20", "--wait", "1"});
        },
        [&](int cut, const json& read, const CtlRun& run) {
            const std::string where = "issue cut at " + std::to_string(cut);
            const CtlRun info = cardctl({"card", "info", std::to_string(2000 + cut)});
            if (read.at("kind") == "blank") {
                EXPECT_EQ(info.answer.value("result", -1), 3) << where << ": " << info.describe();
                EXPECT_NE(run.exit_code, 0) << where;
                return false;
            }
            expect_agrees(read, 2000 + cut, where);
            EXPECT_EQ(read.at("on_card").at("balance"), 2000) << where;
            return true;
        });
    EXPECT_GT(done, 0);
    EXPECT_GT(undone, 0);
    expect_every_settlement_seen();
}

// A return with a wipe cut anywhere: the card still ours and the account
// active with its balance, or the card blank and the balance refunded.
TEST_P(CardWrites, returnWithWipeCutAtEveryCardCommandAgreesAfterACrash) {
    const auto [done, undone] = sweep(
        [&](int cut) {
            issue("R" + std::to_string(cut), 3000 + cut, 1500);
            return card_info(3000 + cut).at("card").at("uid").get<std::string>();
        },
        [&](int cut) {
            return cardctl({"card", "return", std::to_string(3000 + cut), "--wipe", "--wait", "1"});
        },
        [&](int cut, const json& read, const CtlRun&) {
            const std::string where = "return cut at " + std::to_string(cut);
            const json info = card_info(3000 + cut);
            if (read.at("kind") == "ours") {
                expect_agrees(read, 3000 + cut, where);
                EXPECT_EQ(info.at("card").at("state"), "active") << where;
                return false;
            }
            EXPECT_EQ(read.at("kind"), "blank") << where;
            EXPECT_EQ(info.at("card").at("state"), "returned") << where;
            EXPECT_EQ(info.at("card").at("balance"), 0) << where;
            EXPECT_EQ(ledger_sum(info), 0) << where;
            // Ask for a new card for the next round's holder.
            ctl_ok({"encoder", "sim-remove"});
            return true;
        });
    EXPECT_GT(done, 0);
    EXPECT_GT(undone, 0);
    expect_every_settlement_seen();
}

// A replacement cut anywhere: the new card blank and the old one still lost,
// or the new card holding the carried balance and the old one replaced.
TEST_P(CardWrites, replacementCutAtEveryCardCommandAgreesAfterACrash) {
    int old_no = 4000;
    const auto [done, undone] = sweep(
        [&](int cut) {
            if (cut == 1) {
                issue("L1", old_no, 4200);
                ctl_ok({"encoder", "sim-remove"});
                ctl_ok({"card", "loss", std::to_string(old_no)});
            }
            return place_blank();
        },
        [&](int cut) {
            return cardctl({"card", "replace", std::to_string(old_no), "--new-card-no", std::to_string(4100 + cut),
                            "--wait", "1"});
        },
        [&](int cut, const json& read, const CtlRun&) {
            const std::string where = "replacement cut at " + std::to_string(cut);
            if (read.at("kind") == "blank") {
                EXPECT_EQ(card_info(old_no).at("card").at("state"), "lost") << where;
                return false;
            }
            expect_agrees(read, 4100 + cut, where);
            EXPECT_EQ(read.at("on_card").at("balance"), 4200) << where;
            EXPECT_EQ(card_info(old_no).at("card").at("state"), "replaced") << where;
            // The next round replaces the new card in turn.
            ctl_ok({"encoder", "sim-remove"});
            ctl_ok({"card", "loss", std::to_string(4100 + cut)});
            old_no = 4100 + cut;
            return true;
        });
    EXPECT_GT(done, 0);
    EXPECT_GT(undone, 0);
    expect_every_settlement_seen();
}

// A write the card left in the middle of stays pending: listed with its
// age, shown by card info, not counted in the balance; another write of the
// card settles it as soon as the card is placed, then goes on.
TEST_P(CardWrites, aPendingWriteIsListedAndSettledByTheNextUseOfItsCard) {
    issue("E001", 1001, 3000);
    const std::string uid = card_info(1001).at("card").at("uid");
    int cut = 1;
    std::string why;
    for (; cut <= last_cut; ++cut) {
        ctl_ok({"encoder", "sim-place", "--uid", uid});
        ctl_ok({"encoder", "sim-remove", "--after", std::to_string(cut)});
        const CtlRun run = cardctl({"card", "topup", "1001", "5", "--wait", "1"});
        why = run.answer.value("text", std::string());
        if (why.find("stays pending") != std::string::npos) break;
        ctl_ok({"encoder", "sim-remove"});
        // Settle whatever this cut left before the next.
        ctl_ok({"encoder", "sim-place", "--uid", uid});
        read_card();
    }
    ASSERT_LE(cut, last_cut) << "no cut left a top-up pending";
    const json pending = ctl_ok({"pending"}).at("pending");
    ASSERT_EQ(pending.size(), 1u);
    EXPECT_EQ(pending[0].at("kind"), "topup");
    EXPECT_EQ(pending[0].at("card_no"), 1001);
    EXPECT_EQ(pending[0].at("amount"), 500);
    const json info = card_info(1001);
    EXPECT_FALSE(info.at("pending").is_null());
    const std::int64_t before = info.at("card").at("balance");
    EXPECT_EQ(ledger_sum(info), before);
    // Another change of the card is refused while its write is open, and says what to do.
    const CtlRun refund = cardctl({"card", "refund-close", "1001", "--no-wipe"});
    EXPECT_EQ(refund.answer.value("result", -1), 4) << refund.describe();
    EXPECT_NE(refund.answer.value("text", std::string()).find("cardctl pending"), std::string::npos);
    // The log names it at start.
    kill_cardd();
    start_cardd();
    EXPECT_NE(cardd_log().find("CARDD_CARD_WRITE_PENDING"), std::string::npos);
    ctl_ok({"encoder", "sim-place", "--uid", uid});
    const json topped = ctl_ok({"card", "topup", "1001", "1"});
    expect_nothing_pending("after the next top-up");
    const json read = read_card();
    expect_agrees(read, 1001, "after the next top-up");
    EXPECT_EQ(topped.at("card").at("balance"), read.at("on_card").at("balance"));
    EXPECT_NE(cardd_log().find("CARDD_CARD_WRITE_SETTLED"), std::string::npos);
}

// A terminal record that read the card with the counter and balance the
// write left settles it: the card held the top-up.
TEST_P(CardWrites, aTerminalRecordSettlesAPendingWrite) {
    Sim& terminal = tcp_sim("a");
    add_tcp_terminal("tcp-1", terminal);
    issue("E001", 1001, 3000);
    const std::string uid = card_info(1001).at("card").at("uid");
    const json card = read_card().at("on_card");
    const std::int64_t counter = card.at("counter");
    int cut = 1;
    for (; cut <= last_cut; ++cut) {
        ctl_ok({"encoder", "sim-place", "--uid", uid});
        ctl_ok({"encoder", "sim-remove", "--after", std::to_string(cut)});
        const CtlRun run = cardctl({"card", "topup", "1001", "5", "--wait", "1"});
        if (run.answer.value("text", std::string()).find("stays pending") != std::string::npos) break;
        ctl_ok({"encoder", "sim-remove"});
        ctl_ok({"encoder", "sim-place", "--uid", uid});
        read_card();
    }
    ASSERT_LE(cut, last_cut);
    const json pending = ctl_ok({"pending"}).at("pending");
    ASSERT_EQ(pending.size(), 1u);
    const std::int64_t after = pending[0].at("balance_after");
    // The cardholder buys 1.00 at the terminal with the card as the write left it.
    const std::string tap =
        terminal.control("tap 1001 100 " + std::to_string(after - 100) + " " + std::to_string(counter + 1 + 0));
    EXPECT_EQ(tap.rfind("ok purchase", 0), 0u) << tap;
    ctl_ok({"collect"});
    expect_nothing_pending("after collection");
    const json info = card_info(1001);
    EXPECT_EQ(info.at("card").at("balance"), after - 100);
    EXPECT_EQ(ledger_sum(info), after - 100);
}

// A negative ledger balance at replacement (purchases collected beyond what
// the ledger held) is refused plainly and changes nothing; the next request
// works; an administrator's write-off settles it and stays in the ledger.
TEST_P(CardWrites, aNegativeBalanceAtReplacementIsRefusedThenWrittenOff) {
    Sim& terminal = tcp_sim("a");
    add_tcp_terminal("tcp-1", terminal);
    issue("E001", 1001, 500);
    issue("E002", 1002, 900);
    terminal.purchase(1001, 800, 0);
    ctl_ok({"collect"});
    ASSERT_EQ(card_info(1001).at("card").at("balance"), -300);
    ctl_ok({"encoder", "sim-remove"});
    ctl_ok({"card", "loss", "1001"});
    const json before = snapshot({1001, 1002});
    place_blank();
    const CtlRun refused = cardctl({"card", "replace", "1001", "--new-card-no", "1101", "--wait", "1"});
    EXPECT_EQ(refused.answer.value("result", -1), 4) << refused.describe();
    const std::string why = refused.answer.value("text", std::string());
    EXPECT_NE(why.find("negative ledger balance of -3.00"), std::string::npos) << why;
    EXPECT_NE(why.find("Nothing was changed"), std::string::npos) << why;
    EXPECT_EQ(snapshot({1001, 1002}), before);
    // The next write works.
    place(1002);
    EXPECT_EQ(ctl_ok({"card", "topup", "1002", "1"}).at("card").at("balance"), 1000);
    ctl_ok({"encoder", "sim-remove"});
    place_blank();
    const json replaced = ctl_ok({"card", "replace", "1001", "--new-card-no", "1101", "--write-off"});
    EXPECT_EQ(replaced.at("written_off"), 300);
    EXPECT_EQ(replaced.at("card").at("balance"), 0);
    bool found = false;
    const json old_card = card_info(1001);
    for (const json& line : old_card.at("ledger")) {
        if (line.at("kind").get<std::string>() != "write_off") continue;
        found = true;
        EXPECT_EQ(line.at("amount"), 300);
        EXPECT_EQ(line.at("by_uid"), 0);
    }
    EXPECT_TRUE(found) << old_card.dump();
    expect_agrees(read_card(), 1101, "the replacement");
}

// Refund and close of an active card wipes it on the encoder: blank, the
// balance paid out, no blacklist entry needed. Closed without the card, it
// goes on every terminal's blacklist, since it still holds its money.
TEST_P(CardWrites, closingACardWipesItOrBlacklistsIt) {
    Sim& terminal = tcp_sim("a");
    add_tcp_terminal("tcp-1", terminal);
    issue("E001", 1001, 2500);
    const json wiped = ctl_ok({"card", "refund-close", "1001"});
    EXPECT_EQ(wiped.at("refunded"), 2500);
    EXPECT_EQ(wiped.at("wiped"), true);
    EXPECT_EQ(read_card().at("kind"), "blank");
    EXPECT_EQ(desired("tcp-1"), Cards{});

    ctl_ok({"encoder", "sim-remove"});
    issue("E002", 1002, 1200);
    ctl_ok({"encoder", "sim-remove"});
    const json closed = ctl_ok({"card", "refund-close", "1002", "--no-wipe"});
    EXPECT_EQ(closed.at("refunded"), 1200);
    EXPECT_EQ(closed.at("wiped"), false);
    expect_enforces(terminal, 0, "tcp-1", {1002});
    const std::string tap = terminal.control("tap 1002 100 1100");
    EXPECT_EQ(tap.rfind("ok refused", 0), 0u) << tap;

    issue("E003", 1003, 700);
    ctl_ok({"encoder", "sim-remove"});
    ctl_ok({"card", "return", "1003"});
    expect_enforces(terminal, 0, "tcp-1", {1002, 1003});
    // Once that card is wiped, there is nothing left on it to stop.
    place(1003);
    ctl_ok({"card", "init"});
    EXPECT_EQ(read_card().at("kind"), "blank");
    expect_enforces(terminal, 0, "tcp-1", {1002});
}

}  // namespace

CARDD_E2E_BACKENDS(CardWrites);

}  // namespace cardd::e2e
