// The card workflows through the daemon and its simulated encoder: every
// write lands on a virtual MIFARE Classic card through the real CCID and
// APDU code, and the card and the store never disagree, even when the card
// is pulled away in the middle of a write, carries another master key's
// keys, or comes from another system.

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

class Encoder : public E2e {
protected:
    /// cardctl that must be refused with `result`; the answer text.
    std::string refused(const std::vector<std::string>& args, int result) {
        const CtlRun run = cardctl(args);
        EXPECT_NE(run.exit_code, 0) << run.describe();
        EXPECT_EQ(run.answer.value("result", -1), result) << run.describe();
        return run.answer.value("text", std::string());
    }

    std::int64_t ledger_balance(std::int64_t card_no) {
        return ctl_ok({"card", "info", std::to_string(card_no)}).at("card").at("balance");
    }
};

// Issue, top up, report lost with a push, replace: the new card read back
// holds the old balance and every terminal the loss went to refuses the old card.
TEST_P(Encoder, issueTopUpLossReplace) {
    Sim& terminal = tcp_sim("a");
    add_tcp_terminal("tcp-1", terminal);
    Sim& bus = rtu_sim("bus", {3});
    add_rtu_terminal("rtu-3", 3);
    const std::string uid = place_blank();
    const json issued =
        ctl_ok({"person", "add", "E001", "--name", "Zhang San", "--issue", "--card-no", "1001", "--opening", "50"});
    EXPECT_EQ(issued.at("card").at("uid"), uid);

    json card = read_card();
    EXPECT_EQ(card.at("kind"), "ours");
    EXPECT_EQ(card.at("on_card").at("card_no"), 1001);
    EXPECT_EQ(card.at("on_card").at("balance"), 5000);
    EXPECT_EQ(card.at("on_card").at("serial"), issued.at("card").at("serial"));
    EXPECT_EQ(card.at("differences"), json::array()) << card.dump();

    const json topped = ctl_ok({"card", "topup", "1001", "12.30"});
    EXPECT_EQ(topped.at("card").at("balance"), 6230);
    EXPECT_EQ(topped.at("on_card").at("balance"), 6230);
    EXPECT_EQ(read_card().at("on_card").at("balance"), 6230);

    ctl_ok({"encoder", "sim-remove"});
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    expect_enforces(terminal, 0, "tcp-1", {1001});
    expect_enforces(bus, 0, "rtu-3", {1001});

    const std::string new_uid = place_blank();
    const json replaced = ctl_ok({"card", "replace", "1001", "--new-card-no", "2001"});
    EXPECT_EQ(replaced.at("card").at("uid"), new_uid);
    card = read_card();
    EXPECT_EQ(card.at("uid"), new_uid);
    EXPECT_EQ(card.at("on_card").at("card_no"), 2001);
    EXPECT_EQ(card.at("on_card").at("balance"), 6230);
    EXPECT_EQ(card.at("differences"), json::array()) << card.dump();
    expect_enforces(terminal, 0, "tcp-1", {1001});
    expect_enforces(bus, 0, "rtu-3", {1001});
    for (Sim* sim : {&terminal, &bus}) {
        const std::string tap = sim->control("tap 1001 100 6130");
        EXPECT_EQ(tap.rfind("ok refused", 0), 0u) << "the old card must be refused: " << tap;
    }
}

// A card pulled away during the issue's write leaves the store as it was;
// put back, it is still a card to write, and the issue then succeeds.
TEST_P(Encoder, cardPulledDuringIssueChangesNothing) {
    ctl_ok({"person", "add", "E001", "--name", "Zhang San"});
    const std::string uid = place_blank();
    ctl_ok({"encoder", "sim-remove", "--after", "6"});
    const std::string why =
        refused({"card", "issue", "E001", "--card-no", "1001", "--opening", "20", "--wait", "2"}, 7);
    EXPECT_NE(why.find("taken off"), std::string::npos) << why;
    EXPECT_EQ(cardctl({"card", "info", "1001"}).answer.value("result", -1), 3);
    EXPECT_TRUE(ctl_ok({"person", "list"}).at("people").at(0).at("card_no").is_null());

    ctl_ok({"encoder", "sim-place", "--uid", uid});
    ctl_ok({"card", "issue", "E001", "--card-no", "1001", "--opening", "20"});
    const json card = read_card();
    EXPECT_EQ(card.at("on_card").at("balance"), 2000);
    EXPECT_EQ(card.at("differences"), json::array()) << card.dump();
}

// A top-up whose card leaves before the balance is changed adds nothing to
// the ledger nor to the card.
TEST_P(Encoder, cardPulledDuringTopUpChangesNothing) {
    issue("E001", 1001, 3000);
    ctl_ok({"encoder", "sim-remove", "--after", "3"});
    refused({"card", "topup", "1001", "5", "--wait", "2"}, 7);
    EXPECT_EQ(ledger_balance(1001), 3000);
    place(1001);
    const json card = read_card();
    EXPECT_EQ(card.at("on_card").at("balance"), 3000);
    EXPECT_EQ(card.at("differences"), json::array()) << card.dump();
}

// A card from another system is refused for issue and initialisation, and read as foreign.
TEST_P(Encoder, cardFromAnotherSystem) {
    ctl_ok({"person", "add", "E001", "--name", "Zhang San"});
    add_sim_encoder();
    ctl_ok({"encoder", "sim-place", "--uid", "0A0B0C0D", "--foreign"});
    EXPECT_EQ(read_card().at("kind"), "foreign");
    const std::string why = refused({"card", "issue", "E001", "--card-no", "1001"}, 7);
    EXPECT_NE(why.find("another system"), std::string::npos) << why;
    EXPECT_EQ(cardctl({"card", "info", "1001"}).answer.value("result", -1), 3);
    refused({"card", "init"}, 7);
}

// Under another master key the card centre's own cards are refused (wrong
// key), and nothing changes; with the right key back they work again.
TEST_P(Encoder, wrongMasterKeyIsRefused) {
    issue("E001", 1001, 3000);
    const std::filesystem::path other = dir_.path() / "other.key";
    {
        std::ofstream out(other, std::ios::binary);
        out << std::string(16, '\x5A');
    }
    ::chmod(other.c_str(), 0600);
    restart_cardd({{"master_key", "\"" + other.string() + "\""}});
    place(1001);
    refused({"card", "topup", "1001", "5"}, 7);
    EXPECT_EQ(ledger_balance(1001), 3000);
    EXPECT_EQ(read_card().at("kind"), "foreign");

    settings_.erase("master_key");
    restart_cardd();
    place(1001);  // a restart starts the simulated reader empty
    ctl_ok({"card", "topup", "1001", "5"});
    EXPECT_EQ(read_card().at("on_card").at("balance"), 3500);
}

// A master key file others may read is refused at start, without a word of the key.
TEST_P(Encoder, looseMasterKeyIsRefused) {
    const std::filesystem::path key = dir_.path() / "loose.key";
    {
        std::ofstream out(key, std::ios::binary);
        out << "0123456789ABCDEF";
    }
    ::chmod(key.c_str(), 0644);
    stop_cardd();
    settings_["master_key"] = "\"" + key.string() + "\"";
    EXPECT_THROW(start_cardd(), std::runtime_error);
    EXPECT_NE(cardd_log().find("mode 0644"), std::string::npos) << cardd_log();
    EXPECT_EQ(cardd_log().find("0123456789ABCDEF"), std::string::npos);
    settings_.erase("master_key");
    start_cardd();
}

// Return with --wipe leaves a blank card and a returned account; init
// refuses a live card and blanks a returned one.
TEST_P(Encoder, returnWipesAndInitBlanks) {
    issue("E001", 1001, 3000);
    issue("E002", 1002, 1000);
    place(1001);
    const std::string why = refused({"card", "init"}, 4);
    EXPECT_NE(why.find("return it"), std::string::npos) << why;

    const json returned = ctl_ok({"card", "return", "1001", "--wipe"});
    EXPECT_EQ(returned.at("wiped"), "blank");
    EXPECT_EQ(returned.at("refunded"), 3000);
    EXPECT_EQ(read_card().at("kind"), "blank");

    ctl_ok({"card", "return", "1002"});
    place(1002);
    EXPECT_EQ(read_card().at("kind"), "ours");
    ctl_ok({"card", "init"});
    EXPECT_EQ(read_card().at("kind"), "blank");
}

// Reading a card compares it with the store: each difference is named, here
// a purchase the ledger holds (collected from a terminal) that the card does
// not show, and a card number the request did not expect.
TEST_P(Encoder, readReportsDifferences) {
    Sim& terminal = tcp_sim("a");
    add_tcp_terminal("tcp-1", terminal);
    issue("E001", 1001, 3000);
    place(1001);
    EXPECT_EQ(ctl_ok({"card", "info", "1001", "--read"}).at("differences"), json::array());
    terminal.purchase(1001, 500, 2500);  // card-termsim does not write the virtual card
    ctl_ok({"collect"});
    EXPECT_EQ(ledger_balance(1001), 2500);
    const json card = ctl_ok({"card", "info", "1001", "--read"});
    ASSERT_EQ(card.at("differences").size(), 1u) << card.dump();
    EXPECT_NE(card.at("differences").at(0).get<std::string>().find("balance: the card holds 30.00, the ledger 25.00"),
              std::string::npos)
        << card.dump();
    const CtlRun other = cardctl({"card", "info", "1002", "--read"});
    EXPECT_EQ(other.exit_code, 0) << other.describe();
    const json found = other.answer.at("arguments").at("differences");
    ASSERT_FALSE(found.empty());
    EXPECT_NE(found.at(0).get<std::string>().find("not 1002"), std::string::npos) << found.dump();
}

// encoder-sim-spend does to a kept card what a terminal's purchase does, and
// answers what the terminal then records: with that tap collected, the card
// and the store agree again.
TEST_P(Encoder, simulatedSpendActsAsATerminal) {
    Sim& terminal = tcp_sim("a");
    add_tcp_terminal("tcp-1", terminal);
    issue("E001", 1001, 3000);
    const std::string uid = ctl_ok({"card", "info", "1001"}).at("card").at("uid");
    const auto spend = [&](const std::string& chip, std::int64_t amount) {
        return ask({{"command", "encoder-sim-spend"}, {"arguments", {{"uid", chip}, {"amount", amount}}}});
    };
    EXPECT_EQ(spend(uid, 500).at("result"), 4) << "the card is still on the encoder";
    ctl_ok({"encoder", "sim-remove"});
    EXPECT_EQ(spend(uid, 3001).at("result"), 4) << "more than the card holds";
    EXPECT_EQ(spend(uid, 0).at("result"), 6);
    EXPECT_EQ(spend("0A0B0C0E", 100).at("result"), 3) << "a card the encoder never saw";
    const std::string blank = place_blank();
    ctl_ok({"encoder", "sim-remove"});
    EXPECT_EQ(spend(blank, 100).at("result"), 7) << "a blank card is no card of ours";

    json spent = spend(uid, 500);
    ASSERT_EQ(spent.at("result"), 0) << spent.dump();
    // The issue was the card's first write: the terminal reads count 1.
    EXPECT_EQ(spent.at("arguments").at("counter"), 1);
    EXPECT_EQ(spent.at("arguments").at("balance_after"), 2500);
    EXPECT_EQ(terminal.control("tap 1001 500 2500 1").rfind("ok purchase", 0), 0u);
    spent = spend(uid, 120);
    ASSERT_EQ(spent.at("result"), 0) << spent.dump();
    EXPECT_EQ(spent.at("arguments").at("counter"), 2);
    EXPECT_EQ(spent.at("arguments").at("balance_after"), 2380);
    EXPECT_EQ(terminal.control("tap 1001 120 2380 2").rfind("ok purchase", 0), 0u);

    // Kept across a restart, as a card in someone's pocket is.
    restart_cardd();
    ctl_ok({"collect"});
    place(1001);
    const json card = read_card();
    EXPECT_EQ(card.at("on_card").at("balance"), 2380);
    EXPECT_EQ(card.at("on_card").at("counter"), 3);
    EXPECT_EQ(card.at("differences"), json::array()) << card.dump();
}

// A batch from CSV writes one card after another, each on its own blank card.
TEST_P(Encoder, batchIssueWritesEachCard) {
    add_sim_encoder();
    const std::filesystem::path csv = dir_.path() / "people.csv";
    {
        std::ofstream out(csv);
        out << "staff_no,name,card_no,opening\nB001,One,3001,10\nB002,Two,3002,20\nB003,Three,3003,30\n";
    }
    ctl_ok({"encoder", "sim-place", "--blank", "--count", "3"});
    const json batch = ctl_ok({"card", "issue", "--csv", csv.string()});
    EXPECT_EQ(batch.at("issued"), json({3001, 3002, 3003})) << batch.dump();
    for (const std::int64_t card_no : {3001, 3002, 3003}) {
        place(card_no);
        const json card = read_card();
        EXPECT_EQ(card.at("on_card").at("card_no"), card_no);
        EXPECT_EQ(card.at("on_card").at("balance"), (card_no - 3000) * 1000);
        EXPECT_EQ(card.at("differences"), json::array()) << card.dump();
    }
}

// The master key and the card keys never show in cardd's log.
TEST_P(Encoder, keysNeverLogged) {
    const std::filesystem::path key = dir_.path() / "known.key";
    {
        std::ofstream out(key, std::ios::binary);
        out << "KNOWN-MASTER-KEY";
    }
    ::chmod(key.c_str(), 0600);
    restart_cardd({{"master_key", "\"" + key.string() + "\""}, {"log_level", "\"debug\""}});
    issue("E001", 1001, 3000);
    place(1001);
    ctl_ok({"card", "topup", "1001", "1"});
    const std::string log = cardd_log();
    EXPECT_EQ(log.find("KNOWN-MASTER-KEY"), std::string::npos);
    EXPECT_EQ(log.find("4B4E4F574E"), std::string::npos);  // its hex
    EXPECT_NE(log.find("CARDD_CARD_WRITTEN"), std::string::npos);
}

// A data directory from a release that kept the simulated cards in one
// file: the restarted cardd moves them into a file per card, and the card
// issued before reads back as it was written.
TEST_P(Encoder, theOldSingleCardFileIsMovedIn) {
    issue("E001", 1001, 3000);
    ASSERT_EQ(stop_cardd(), 0);
    const std::filesystem::path cards = data_dir_ / "encoder-desk.cards.d";
    const std::filesystem::path old_file = data_dir_ / "encoder-desk.cards";
    std::set<std::string> names;
    {
        // The old file held the same lines, one card each.
        std::ofstream out(old_file);
        for (const auto& card : std::filesystem::directory_iterator(cards)) {
            names.insert(card.path().filename().string());
            std::ifstream in(card.path());
            out << in.rdbuf();
        }
    }
    ::chmod(old_file.c_str(), 0600);
    std::filesystem::remove_all(cards);
    ASSERT_FALSE(names.empty());

    start_cardd();
    place(1001);
    EXPECT_EQ(read_card().at("on_card").at("balance"), 3000);
    EXPECT_FALSE(std::filesystem::exists(old_file));
    std::set<std::string> moved;
    for (const auto& card : std::filesystem::directory_iterator(cards)) moved.insert(card.path().filename().string());
    EXPECT_EQ(moved, names);
    ctl_ok({"card", "topup", "1001", "5"});
    EXPECT_EQ(read_card().at("on_card").at("balance"), 3500);
}

CARDD_E2E_BACKENDS(Encoder);

}  // namespace
}  // namespace cardd::e2e
