// Several cardd instances on one MariaDB store, sharing TCP terminals by
// leases (docs/scale.md): a loss reported on one reaches the terminals the
// others drive, and the terminals of an instance killed or paused are taken
// over, the paused one's writes refused once it wakes.

#include <signal.h>

#include <fstream>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "store/card_store.hpp"
#include "tests/e2e/e2e_fixture.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::e2e {
namespace {

namespace fs = std::filesystem;

constexpr int terminal_count = 6;
constexpr auto lease_time = 1500ms;

class Instances : public E2e {
protected:
    void before_first_start() override {
        settings_["instance"] = "\"a\"";
        settings_["lease_time_ms"] = std::to_string(lease_time.count());
    }

    void SetUp() override {
        E2e::SetUp();
        sims_ = &tcp_sims("t", terminal_count);
        for (int n = 0; n < terminal_count; ++n) {
            ctl_ok({"device", "add-terminal", name(n), "--tcp", "127.0.0.1:" + std::to_string(sims_->port() + n)});
        }
        issue("E001", 1001, 5000);
        issue("E002", 1002, 5000);
        issue("E003", 1003, 5000);
    }

    void TearDown() override {
        for (auto& [instance, other] : others_) {
            if (other.process && other.process->running()) {
                other.process->signal(SIGCONT);
                EXPECT_EQ(other.process->stop(SIGTERM, 10s), 0) << instance << " did not stop cleanly";
            }
        }
        if (HasFailure()) {
            for (auto& [instance, other] : others_) {
                std::ifstream in(other.dir.path() / "cardd.log");
                std::cerr << "---- cardd " << instance << " ----\n" << in.rdbuf() << "\n";
            }
        }
        others_.clear();
        E2e::TearDown();
    }

    static std::string name(int n) { return "t-" + std::to_string(n); }

    /// Another instance on the same store, with its own socket and data directory.
    struct Other {
        cardd::test::TempDir dir{"/tmp", "cardd-instance-"};
        fs::path socket;
        std::optional<cardd::test::ChildProcess> process;
    };

    Other& start_instance(const std::string& instance) {
        Other& other = others_[instance];
        ::chmod(other.dir.path().c_str(), 0711);
        other.socket = other.dir.path() / "cardd.sock";
        const fs::path config = other.dir.path() / "cardd.conf";
        {
            std::ofstream out(config);
            for (const auto& [key, value] : settings_) {
                if (key != "instance") out << key << " = " << value << "\n";
            }
            out << "instance = \"" << instance << "\"\n";
        }
        other.process.emplace(std::vector<std::string>{CARDD_PATH, "--config", config.string(), "--data-dir",
                                                       (other.dir.path() / "data").string(), "--socket",
                                                       other.socket.string(), "--database", database_url_},
                              other.dir.path() / "cardd.log");
        const auto line = other.process->read_line(30s);
        if (!line || *line != "cardd: serving " + other.socket.string()) {
            throw std::runtime_error("cardd " + instance + " did not start: " + other.process->stderr_text());
        }
        return other;
    }

    json ask_on(const Other& other, const json& request) {
        cardd::test::LineClient client(other.socket);
        if (!client.send(request.dump() + "\n")) throw std::runtime_error("cannot send to cardd");
        for (;;) {
            auto answer = client.read_line(30s);
            if (!answer) throw std::runtime_error("no answer from cardd to " + request.dump());
            if (answer->find("\"result\"") != std::string::npos) return json::parse(*answer);
        }
    }

    /// Each terminal's owner as the store has it ("" for free).
    std::map<std::string, std::string> owners() {
        std::map<std::string, std::string> out;
        auto leases = open_store()->leases();
        if (!leases) throw std::runtime_error(leases.error().message);
        for (const auto& lease : *leases) out[lease.name] = lease.owner.value_or("");
        return out;
    }

    int held_by(const std::string& instance) {
        int count = 0;
        for (const auto& [terminal, owner] : owners()) count += owner == instance;
        return count;
    }

    /// Every terminal refuses exactly `cards`, with the store's checksum.
    void expect_all_enforce(const Cards& cards) {
        for (int n = 0; n < terminal_count; ++n) expect_enforces(*sims_, n, name(n), cards);
    }

    bool all_enforce(const Cards& cards) {
        for (int n = 0; n < terminal_count; ++n) {
            if (sims_->list(n) != cards) return false;
        }
        return true;
    }

    Sim* sims_ = nullptr;
    std::map<std::string, Other> others_;
};

INSTANTIATE_TEST_SUITE_P(Backends, Instances, ::testing::Values(Backend::mariadb), backend_name);

// Two instances split the terminals; a loss reported on either reaches
// every terminal, and the answer names every terminal confirmed, whichever
// instance drives it.
TEST_P(Instances, aLossReachesTheTerminalsOfEveryInstance) {
    ASSERT_TRUE(eventually([&] { return held_by("a") == terminal_count; }, 5s)) << "alone, a drives every terminal";
    Other& b = start_instance("b");
    ASSERT_TRUE(eventually([&] { return held_by("a") == 3 && held_by("b") == 3; }, 10s))
        << "the leases never spread: " << json(owners()).dump();

    const auto began = std::chrono::steady_clock::now();
    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    const auto took = std::chrono::steady_clock::now() - began;
    EXPECT_EQ(loss.at("pushed").size(), std::size_t{terminal_count}) << loss.dump();
    EXPECT_TRUE(loss.at("failed").empty()) << loss.dump();
    std::cout << "a loss on a confirmed by all " << terminal_count << " terminals, b's three too, in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count() << " ms\n";
    expect_all_enforce({1001});

    const json from_b =
        ask_on(b, {{"command", "card-loss"}, {"arguments", {{"card_no", 1002}, {"push", true}, {"devices", "all"}}}});
    ASSERT_EQ(from_b.at("result"), 0) << from_b.dump();
    EXPECT_EQ(from_b.at("arguments").at("pushed").size(), std::size_t{terminal_count}) << from_b.dump();
    expect_all_enforce({1001, 1002});
}

// An instance killed with SIGKILL keeps its leases until they lapse; then
// the other claims its terminals and brings them level with a loss
// reported meanwhile. Nothing is lost.
TEST_P(Instances, aKilledInstanceHasItsTerminalsTakenOver) {
    Other& b = start_instance("b");
    ASSERT_TRUE(eventually([&] { return held_by("b") == 3; }, 10s));
    b.process->stop(SIGKILL, 5s);
    const auto killed = std::chrono::steady_clock::now();
    // b's terminals are confirmed once a has taken them over: the push
    // waits for them up to its timeout (10 s), far past the lease time.
    const json loss = ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    const auto taken_over = std::chrono::steady_clock::now() - killed;
    EXPECT_EQ(loss.at("pushed").size(), std::size_t{terminal_count}) << loss.dump();
    EXPECT_EQ(held_by("a"), terminal_count) << json(owners()).dump();
    expect_all_enforce({1001});
    std::cout << "takeover after a kill: " << std::chrono::duration_cast<std::chrono::milliseconds>(taken_over).count()
              << " ms\n";
}

// An instance paused past its leases is a stale owner when it wakes: the
// other drove its terminals meanwhile, and what the paused one would write
// about them is refused; it takes leases again only through rounds.
TEST_P(Instances, aPausedInstanceWakesFencedAndRejoins) {
    Other& b = start_instance("b");
    ASSERT_TRUE(eventually([&] { return held_by("b") == 3; }, 10s));
    b.process->signal(SIGSTOP);
    ASSERT_TRUE(eventually([&] { return held_by("a") == terminal_count; }, 10s)) << json(owners()).dump();
    ctl_ok({"card", "loss", "1001", "--push", "--devices", "all"});
    expect_all_enforce({1001});
    b.process->signal(SIGCONT);
    // It shares again, through rounds, and a loss reported on it reaches all.
    ASSERT_TRUE(eventually([&] { return held_by("a") == 3 && held_by("b") == 3; }, 15s)) << json(owners()).dump();
    const json from_b =
        ask_on(b, {{"command", "card-loss"}, {"arguments", {{"card_no", 1002}, {"push", true}, {"devices", "all"}}}});
    ASSERT_EQ(from_b.at("result"), 0) << from_b.dump();
    expect_all_enforce({1001, 1002});
}

// A clean stop hands the leases back at once.
TEST_P(Instances, aStoppedInstanceHandsItsTerminalsBack) {
    Other& b = start_instance("b");
    ASSERT_TRUE(eventually([&] { return held_by("b") == 3; }, 10s));
    ASSERT_EQ(b.process->stop(SIGTERM, 10s), 0);
    EXPECT_EQ(held_by("b"), 0);
    ASSERT_TRUE(eventually([&] { return held_by("a") == terminal_count; }, lease_time));
    ctl_ok({"card", "loss", "1003", "--push", "--devices", "all"});
    expect_all_enforce({1003});
}

}  // namespace
}  // namespace cardd::e2e
