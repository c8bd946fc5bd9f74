// The real Distributor over a real store (SQLite in a temporary directory)
// and CT-1 terminals simulated in-process (card-termsim's Terminal behind a
// SimLink): losses reported through the store reach the terminals, a
// terminal the deltas cannot bring level gets a full sync, an unreachable one
// goes into the retry queue.

#include "daemon/distributor.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/terminal_translation.hpp"
#include "protocol/checksum.hpp"
#include "store/sqlite_connection.hpp"
#include "tests/daemon/terminal/sim_link.hpp"
#include "tests/support/temp_dir.hpp"
#include "tools/termsim/terminal.hpp"

namespace cardd::daemon {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;

template <class T>
T must(store::Result<T> result) {
    if (!result) throw std::runtime_error(result.error().message);
    return std::move(*result);
}

class DistributorTest : public ::testing::Test {
protected:
    void SetUp() override {
        store_ = must(store::CardStore::open(must(store::open_sqlite(dir_.path() / "cardd.sqlite"))));
        distributor_ = std::make_unique<Distributor>(
            io_, *store_, config_, [this](const TerminalAddress& address) { return link_to(address); });
    }

    // A terminal registered in the store and simulated here.
    store::DeviceId add_terminal(const std::string& name, std::uint32_t bitmap_limit = 0) {
        terminals_[name] = std::make_unique<termsim::Terminal>(termsim::TerminalConfig{
            .serial = 7000 + static_cast<std::uint32_t>(terminals_.size()), .bitmap_limit = bitmap_limit});
        links_[name] = std::make_shared<test::SimLink>(*terminals_[name]);
        const std::string host = "192.0.2." + std::to_string(terminals_.size());
        const store::Device device = must(store_->add_terminal(clerk_, {name, store::TcpAddress{host, 502}, 1}));
        return device.id;
    }

    LinkResult<std::shared_ptr<TerminalLink>> link_to(const TerminalAddress& address) {
        auto found = links_.find(address.name);
        if (found == links_.end()) return link_fail(LinkError::Kind::io, "no simulated terminal " + address.name);
        return std::shared_ptr<TerminalLink>(found->second);
    }

    // A card issued to a person of its own, then reported lost (pushed to all terminals).
    void lose_card(store::CardNo card) {
        const std::string staff = "E" + std::to_string(card);
        must(store_->add_person(clerk_, {staff, "Person " + staff, "Kitchen"}));
        must(store_->issue_card(clerk_, staff, card, {}));
        must(store_->report_loss(clerk_, card, store::PushTarget::all()));
    }

    // Distributor::push on the io_context, run until it answered.
    std::vector<TerminalResult> push(std::vector<store::DeviceId> terminals, ProgressSink progress = {}) {
        std::vector<TerminalResult> results;
        asio::co_spawn(
            io_, [&]() -> asio::awaitable<void> { results = co_await distributor_->push(terminals, 5000ms, progress); },
            asio::detached);
        io_.run();
        io_.restart();
        return results;
    }

    // The terminal enforces what the store wants it to, at the version the store planned and confirmed.
    void expect_level(store::DeviceId id, const std::string& name) {
        const store::Device device = must(store_->device(id));
        const termsim::Terminal& terminal = *terminals_.at(name);
        const std::vector<std::uint32_t> desired = wire_cards(must(store_->desired_blacklist(id)));
        EXPECT_EQ(std::int64_t{terminal.state().blacklist_version}, device.planned_version);
        EXPECT_EQ(device.confirmed_version, device.planned_version);
        EXPECT_EQ(terminal.blacklist().cards(), desired);
        EXPECT_EQ(terminal.state().checksum, protocol::blacklist_checksum(desired));
        EXPECT_TRUE(must(store_->pending_batches(id)).empty());
        EXPECT_EQ(device.sync_attempts, 0);
    }

    cardd::test::TempDir dir_;
    asio::io_context io_;
    Config config_;
    store::Actor clerk_{1000};
    std::unique_ptr<store::CardStore> store_;
    std::map<std::string, std::unique_ptr<termsim::Terminal>> terminals_;
    std::map<std::string, std::shared_ptr<test::SimLink>> links_;
    std::unique_ptr<Distributor> distributor_;
};

// Losses reported through the store are pushed as deltas, and the terminal ends level with the store.
TEST_F(DistributorTest, pushBringsTerminalLevelWithStore) {
    const auto pos = add_terminal("pos-1");
    lose_card(11);
    lose_card(12);
    const auto results = push({pos});
    ASSERT_EQ(results.size(), 1u);
    EXPECT_TRUE(results[0].ok) << results[0].text;
    EXPECT_EQ(results[0].device, "pos-1");
    EXPECT_EQ(results[0].text, "level");
    EXPECT_EQ(terminals_["pos-1"]->blacklist().cards(), (std::vector<std::uint32_t>{11, 12}));
    EXPECT_FALSE(links_["pos-1"]->delivered.empty());
    expect_level(pos, "pos-1");
}

// A pending delta with a card above the bitmap limit that the final set no longer holds: a full sync avoids it.
TEST_F(DistributorTest, deltaCardAboveBitmapLimitNeedsFullSync) {
    const auto pos = add_terminal("pos-1", 1000);
    lose_card(5);
    lose_card(2000);
    must(store_->unlock(clerk_, 2000, store::PushTarget::all()));
    const auto results = push({pos});
    ASSERT_EQ(results.size(), 1u);
    EXPECT_TRUE(results[0].ok) << results[0].text;
    EXPECT_EQ(terminals_["pos-1"]->blacklist().cards(), std::vector<std::uint32_t>{5});
    const auto sent = links_["pos-1"]->opcodes();
    EXPECT_EQ(std::ranges::count(sent, protocol::Opcode::full_commit), 1) << "one full sync";
    EXPECT_EQ(std::ranges::count(sent, protocol::Opcode::add), 0) << "no delta";
    expect_level(pos, "pos-1");
}

// A terminal at a version the store never planned for it gets a full sync and ends level.
TEST_F(DistributorTest, terminalOffTheChainGetsFullSync) {
    const auto pos = add_terminal("pos-1");
    lose_card(21);
    termsim::PersistentState saved = terminals_["pos-1"]->persistent();
    saved.version = 555;
    saved.blacklist = {99};
    ASSERT_TRUE(terminals_["pos-1"]->restore(saved).has_value());
    const auto results = push({pos});
    ASSERT_EQ(results.size(), 1u);
    EXPECT_TRUE(results[0].ok) << results[0].text;
    EXPECT_EQ(terminals_["pos-1"]->blacklist().cards(), std::vector<std::uint32_t>{21});
    EXPECT_EQ(std::ranges::count(links_["pos-1"]->opcodes(), protocol::Opcode::full_commit), 1);
    expect_level(pos, "pos-1");
}

// Several terminals are pushed side by side, each reported as it finishes.
TEST_F(DistributorTest, everyTerminalIsReportedAsItFinishes) {
    const auto one = add_terminal("pos-1");
    const auto two = add_terminal("pos-2");
    lose_card(31);
    std::vector<nlohmann::json> lines;
    ProgressSink progress = [&](nlohmann::json line) -> asio::awaitable<void> {
        lines.push_back(std::move(line));
        co_return;
    };
    const auto results = push({one, two}, progress);
    ASSERT_EQ(results.size(), 2u);
    EXPECT_TRUE(results[0].ok && results[1].ok);
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[0]["done"], 1);
    EXPECT_EQ(lines[1]["done"], 2);
    EXPECT_EQ(lines[1]["total"], 2);
    for (const auto& line : lines) EXPECT_NE(line["text"].get<std::string>().find(": ok"), std::string::npos) << line;
    expect_level(one, "pos-1");
    expect_level(two, "pos-2");
}

// An unreachable terminal fails the push and goes into the retry queue, its next attempt within the first backoff.
TEST_F(DistributorTest, unreachableTerminalGoesIntoRetryQueue) {
    const auto pos = add_terminal("pos-1");
    lose_card(41);
    links_["pos-1"]->down = LinkError::Kind::timeout;
    const store::UnixTime before = store::system_clock_now();
    const auto results = push({pos});
    ASSERT_EQ(results.size(), 1u);
    EXPECT_FALSE(results[0].ok);
    const store::Device device = must(store_->device(pos));
    EXPECT_EQ(device.sync_attempts, 1);
    ASSERT_TRUE(device.sync_next_at.has_value());
    // retry_initial 2 s, equal jitter: between 1 and 2 s from now.
    EXPECT_GE(*device.sync_next_at, before + 1);
    EXPECT_LE(*device.sync_next_at, store::system_clock_now() + 2);
    EXPECT_EQ(terminals_["pos-1"]->state().blacklist_version, 0u);

    links_["pos-1"]->down.reset();
    const auto again = push({pos});
    ASSERT_EQ(again.size(), 1u);
    EXPECT_TRUE(again[0].ok) << again[0].text;
    expect_level(pos, "pos-1");
}

}  // namespace
}  // namespace cardd::daemon
