// A lossy, slow network between cardd and its terminals: cardd and three
// Modbus TCP terminals run in a network namespace the test makes (as root,
// `ip netns`), where nftables drops one packet in five at random, both ways;
// card-termsim adds the latency (the kernels these tests run on may lack
// sch_netem, so `tc netem` cannot be relied on; nftables' numgen can). Losses
// are pushed and purchases tapped throughout; at the end every terminal is
// level and every purchase is in the ledger once.

#include <unistd.h>

#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

using cardd::test::find_program;
using cardd::test::run_program;

constexpr std::int64_t opening = 200'00;
constexpr int terminals = 3;

class LossyNetwork : public E2e {
protected:
    void before_first_start() override {
        ip_ = find_program("ip");
        nft_ = find_program("nft");
        if (ip_.empty() || nft_.empty()) {
            throw std::runtime_error("ip (iproute2) and nft (nftables) are needed: run make deps");
        }
        if (::geteuid() != 0) throw std::runtime_error("the lossy network test makes a network namespace: run as root");
        static int made = 0;
        netns_ = "cardd-lossy-" + std::to_string(::getpid()) + "-" + std::to_string(++made);
        run({ip_, "netns", "add", netns_});
        namespace_made_ = true;
        run({ip_, "netns", "exec", netns_, ip_, "link", "set", "lo", "up"});
        cardd_wrapper_ = {ip_, "netns", "exec", netns_};
        sim_wrapper_ = cardd_wrapper_;
    }

    void TearDown() override {
        E2e::TearDown();
        if (namespace_made_) run({ip_, "netns", "delete", netns_});
    }

    /// Runs a command that must succeed.
    void run(const std::vector<std::string>& argv) {
        const auto done = run_program(argv, dir_.path() / "netns.err", 30s);
        if (done.exit_code != 0) {
            std::string line;
            for (const std::string& word : argv) line += word + " ";
            throw std::runtime_error(line + "failed (" + std::to_string(done.exit_code) + "): " + done.err);
        }
    }

    /// nft inside the namespace.
    std::string nft(const std::vector<std::string>& words) {
        std::vector<std::string> argv{ip_, "netns", "exec", netns_, nft_};
        argv.insert(argv.end(), words.begin(), words.end());
        const auto done = run_program(argv, dir_.path() / "nft.err", 30s);
        if (done.exit_code != 0) throw std::runtime_error("nft failed: " + done.err);
        return done.out;
    }

    /// Drops `percent` of the packets to and from the ports first..last at random.
    void lose_packets(int percent, std::uint16_t first, std::uint16_t last) {
        const std::string ports = std::to_string(first) + "-" + std::to_string(last);
        nft({"add", "table", "inet", "lossy"});
        nft({"add", "chain", "inet", "lossy", "out", "{ type filter hook output priority 0 ; }"});
        for (const char* side : {"dport", "sport"}) {
            nft({"add", "rule", "inet", "lossy", "out", "tcp", side, ports, "numgen", "random", "mod", "100", "<",
                 std::to_string(percent), "counter", "drop"});
        }
    }

    /// The packets the rules dropped so far.
    long dropped() {
        const json rules = json::parse(nft({"-j", "list", "table", "inet", "lossy"}));
        long packets = 0;
        for (const json& item : rules.at("nftables")) {
            if (!item.contains("rule")) continue;
            for (const json& expr : item.at("rule").at("expr")) {
                if (expr.contains("counter")) packets += expr.at("counter").at("packets").get<long>();
            }
        }
        return packets;
    }

    std::string ip_;
    std::string nft_;
    std::string netns_;
    bool namespace_made_ = false;
};

TEST_P(LossyNetwork, lossAndLatencyEndLevelWithNothingLost) {
    Sim& sims = tcp_sims("lossy", terminals);
    for (int n = 0; n < terminals; ++n) {
        ctl_ok({"device", "add-terminal", "tcp-" + std::to_string(n + 1), "--tcp",
                "127.0.0.1:" + std::to_string(sims.port() + n)});
    }
    std::map<std::uint32_t, std::int64_t> balances;
    for (std::uint32_t card = 1001; card <= 1010; ++card) {
        issue("P" + std::to_string(card), card, opening);
        balances[card] = opening;
    }
    lose_packets(20, sims.port(), static_cast<std::uint16_t>(sims.port() + terminals - 1));
    for (int n = 0; n < terminals; ++n) ASSERT_EQ(sims.control("fault delay 60", n), "ok");

    int pushed = 0;
    for (std::uint32_t card = 1001; card <= 1010; ++card) {
        for (int n = 0; n < terminals; ++n) {
            balances[card] -= 100 + n;
            sims.purchase(card, 100 + n, balances[card], n);
        }
        const CtlRun loss = cardctl({"card", "loss", std::to_string(card), "--push", "--devices", "all"});
        ASSERT_EQ(loss.exit_code, 0) << loss.describe();
        pushed += static_cast<int>(loss.answer.at("arguments").at("pushed").size());
        if (card % 3 == 0) cardctl({"collect"});
    }
    EXPECT_GT(dropped(), 0) << "no packet was dropped: the namespace's rules did nothing";
    // The figures for docs/reliability.md.
    std::cout << "lossy network: " << dropped() << " packets dropped; " << pushed << " of " << 10 * terminals
              << " loss pushes confirmed at once, the rest by the retry queue\n";
    EXPECT_GT(pushed, 0) << "no terminal took a loss through the lossy network";

    nft({"delete", "table", "inet", "lossy"});
    for (int n = 0; n < terminals; ++n) ASSERT_EQ(sims.control("fault none", n), "ok");
    cardctl({"resync", "--failed"});
    const Cards all{1001, 1002, 1003, 1004, 1005, 1006, 1007, 1008, 1009, 1010};
    for (int n = 0; n < terminals; ++n) {
        const std::string name = "tcp-" + std::to_string(n + 1);
        EXPECT_TRUE(eventually([&] { return sims.list(n) == all; }, 20s)) << name << ": " << sims.state(n).dump();
        expect_enforces(sims, n, name, all);
    }
    ctl_ok({"collect"});
    for (const auto& [card, balance] : balances) {
        EXPECT_EQ(ctl_ok({"card", "info", std::to_string(card)}).at("card").at("balance"), balance) << card;
    }
    for (int n = 0; n < terminals; ++n) EXPECT_EQ(sims.state(n).at("records_held"), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, LossyNetwork, ::testing::Values(Backend::sqlite), backend_name);

}  // namespace
}  // namespace cardd::e2e
