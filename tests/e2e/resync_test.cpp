// Full resync: a terminal restarted empty is refilled whole, by the cheaper
// of a list and a bitmap.

#include <algorithm>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "tests/e2e/e2e_fixture.hpp"

namespace cardd::e2e {
namespace {

class Resync : public E2e {
protected:
    /// Watches the terminals' staging areas until each enforces its cards:
    /// the formats of the full syncs each was seen receiving. card-termsim
    /// shows a full sync in `state` only while it is open, so the test delays
    /// the terminals' answers to keep it open long enough to be seen.
    std::vector<std::set<std::string>> watch_full_syncs(const std::vector<std::pair<Sim*, Cards>>& terminals) {
        std::vector<std::set<std::string>> formats(terminals.size());
        std::vector<bool> done(terminals.size(), false);
        const auto deadline = std::chrono::steady_clock::now() + 20s;
        while (std::ranges::count(done, false) > 0 && std::chrono::steady_clock::now() < deadline) {
            for (std::size_t i = 0; i < terminals.size(); ++i) {
                if (done[i]) continue;
                auto& [sim, cards] = terminals[i];
                const json state = sim->state();
                if (!state.at("full_sync").is_null()) {
                    formats[i].insert(state.at("full_sync").at("format").get<std::string>());
                } else if (state.at("count") == cards.size() && sim->list() == cards) {
                    done[i] = true;
                }
            }
            std::this_thread::sleep_for(5ms);
        }
        for (auto& [sim, cards] : terminals) EXPECT_EQ(sim->control("fault none"), "ok");
        return formats;
    }

    /// The confirmed version the store holds for `terminal`.
    std::int64_t confirmed_version(const std::string& terminal) {
        const json devices = ctl_ok({"device", "list"});
        for (const json& device : devices.at("devices")) {
            if (device.at("name") == terminal) return device.at("confirmed_version");
        }
        return -1;
    }
};

// A terminal restarted empty is refilled by a full sync from the periodic audit, without anyone asking.
TEST_P(Resync, terminalRestartedEmptyGetsFullResync) {
    restart_cardd({{"audit_interval_s", "1"}});
    Sim& sim = tcp_sim("a");
    Sim& other = tcp_sim("other");
    add_tcp_terminal("tcp-1", sim);
    add_tcp_terminal("tcp-2", other);
    issue("E001", 1001);
    issue("E002", 1002);
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    ctl_ok({"card", "loss", "1002", "--push", "--devices", "all"});
    expect_enforces(sim, 0, "tcp-1", {1001, 1002});
    const auto version_before = sim.state().at("version").get<std::int64_t>();

    sim.kill();
    sim.start(/*empty=*/true);
    ASSERT_TRUE(sim.list().empty());
    ASSERT_EQ(sim.state().at("version"), 0);
    EXPECT_TRUE(eventually([&] { return sim.list() == Cards{1001, 1002}; }, 10s)) << sim.state().dump();
    expect_enforces(sim, 0, "tcp-1", {1001, 1002});
    // A full sync carries the set at a fresh version, which the store records as confirmed.
    const auto version_after = sim.state().at("version").get<std::int64_t>();
    EXPECT_GT(version_after, version_before);
    EXPECT_TRUE(eventually([&] { return confirmed_version("tcp-1") == version_after; }, 5s));
    EXPECT_NE(cardd_log().find("CARDD_FULL_SYNC device=tcp-1"), std::string::npos) << cardd_log();
    EXPECT_EQ(cardd_log().find("CARDD_FULL_SYNC device=tcp-2"), std::string::npos)
        << "the audit resynced a terminal that was level";
    expect_enforces(other, 0, "tcp-2", {1001, 1002});
}

// A full resync sends many dense cards as a bitmap, where that is fewer bytes, and two far-apart cards as a list.
TEST_P(Resync, fullResyncChoosesBitmapWhenCheaper) {
    Sim& dense = tcp_sim("dense", {"--bitmap-limit", "4096"});
    Sim& sparse = tcp_sim("sparse", {"--bitmap-limit", "4096"});
    add_tcp_terminal("dense", dense);
    add_tcp_terminal("sparse", sparse);

    // Cards 1..300 to 300 new people in one batch, and card 4000; then onto the terminals' lists.
    json rows = json::array();
    std::string numbers;
    Cards all;
    for (int card = 1; card <= 300; ++card) {
        rows.push_back(
            {{"staff_no", "B" + std::to_string(card)}, {"name", "Batch " + std::to_string(card)}, {"card_no", card}});
        numbers += (card > 1 ? "," : "") + std::to_string(card);
        all.push_back(static_cast<std::uint32_t>(card));
    }
    // 300 blank cards on the simulated encoder, one after another.
    add_sim_encoder();
    ctl_ok({"encoder", "sim-place", "--blank", "--count", "300"});
    const json batch = ask({{"command", "card-issue-batch"}, {"arguments", {{"rows", rows}}}}, 120s);
    ASSERT_EQ(batch.at("result"), 0) << batch.dump().substr(0, 500);
    ASSERT_TRUE(batch.at("arguments").at("failed").empty()) << batch.dump().substr(0, 500);
    issue("E4000", 4000);
    ctl_ok({"resync", "--cards", numbers, "--devices", "dense"});
    ctl_ok({"resync", "--cards", "7,4000", "--devices", "sparse"});
    expect_enforces(dense, 0, "dense", all);
    expect_enforces(sparse, 0, "sparse", {7, 4000});

    // Both restart empty; the audit finds them and refills them whole.
    restart_cardd({{"audit_interval_s", "1"}});
    for (Sim* sim : {&dense, &sparse}) {
        sim->kill();
        sim->start(/*empty=*/true);
        ASSERT_EQ(sim->control("fault delay 120"), "ok");
    }
    const auto formats = watch_full_syncs({{&dense, all}, {&sparse, {7, 4000}}});
    // 300 dense cards: a 38-byte bitmap against 900 bytes of list (3 a card).
    EXPECT_EQ(formats[0], std::set<std::string>{"bitmap"});
    expect_enforces(dense, 0, "dense", all);
    // Two cards: 6 bytes of list against a bitmap of some 500 bytes.
    EXPECT_EQ(formats[1], std::set<std::string>{"list"});
    expect_enforces(sparse, 0, "sparse", {7, 4000});
}

// `resync --device` right after a terminal restarted (empty) brings it level at once.
TEST_P(Resync, resyncDeviceAfterTerminalRestartBringsItLevel) {
    Sim& sim = tcp_sim("a");
    add_tcp_terminal("tcp-1", sim);
    issue("E001", 1001);
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    expect_enforces(sim, 0, "tcp-1", {1001});
    sim.kill();
    sim.start(/*empty=*/true);
    const CtlRun resync = cardctl({"resync", "--device", "tcp-1"});
    EXPECT_EQ(resync.exit_code, 0) << resync.describe();
    expect_enforces(sim, 0, "tcp-1", {1001});
}

CARDD_E2E_BACKENDS(Resync);

}  // namespace
}  // namespace cardd::e2e
