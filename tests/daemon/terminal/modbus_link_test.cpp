// The Modbus TCP link end to end: libmodbus against a card-termsim process,
// through LinkFactory, TerminalClient, synchronise() and record collection.

#include "daemon/terminal/modbus_link.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/terminal/blacklist_sync.hpp"
#include "daemon/terminal/record_collection.hpp"
#include "daemon/terminal/terminal_client.hpp"
#include "protocol/checksum.hpp"
#include "tests/daemon/terminal/planner.hpp"
#include "tests/support/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::daemon::test {
namespace {

using namespace std::chrono_literals;
using Kind = SyncOutcome::Kind;

// Short timeouts: the simulator answers in microseconds, and failure tests wait them out.
constexpr LinkOptions fast{.response_timeout = 300ms, .serial_quiet_time = 50ms};

// The terminal card-termsim serves.
struct TermsimOptions {
    std::uint32_t serial = 1;
    std::uint32_t capacity = 10000;
    std::uint32_t bitmap_limit = 0;
};

TerminalAddress tcp_spec(std::uint16_t port, int unit = 1) { return {"pos-tcp", TcpAddress{"127.0.0.1", port}, unit}; }

// A TCP port where nothing listens: bound, then closed again.
std::uint16_t closed_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        throw std::runtime_error("cannot find a free port");
    }
    ::close(fd);
    return ntohs(address.sin_port);
}

std::vector<std::uint32_t> wire(const std::vector<std::uint32_t>& cards) { return {cards.begin(), cards.end()}; }

class ModbusTcpTest : public ::testing::Test {
protected:
    // card-termsim on a TCP port it picks itself, with a fixed seed so that runs repeat.
    void start(TermsimOptions options = {.serial = 3100}) {
        control_path_ = dir_.path() / ("ctl" + std::to_string(options.serial));
        const std::vector<std::string> flags{"--tcp",          "127.0.0.1:0",
                                             "--serial",       std::to_string(options.serial),
                                             "--capacity",     std::to_string(options.capacity),
                                             "--bitmap-limit", std::to_string(options.bitmap_limit),
                                             "--control",      control_path_.string(),
                                             "--seed",         "1"};
        termsim_ = std::make_unique<cardd::test::Termsim>(CARD_TERMSIM_PATH, flags, dir_.path());
        auto link = factory_.link_for(tcp_spec(termsim_->port()));
        ASSERT_TRUE(link.has_value()) << link.error().message;
        link_ = *link;
    }

    SyncOutcome sync(Planner& planner) {
        TerminalClient client(*link_);
        auto outcome = synchronise(client, planner.plan(protocol::Transport::tcp, 0xABC0 + ++sessions_));
        planner.record(outcome);
        return outcome;
    }

    /// One line to the simulator's control socket; its answer ("ok ..." or "error ...").
    std::string control(const std::string& line) { return cardd::test::LineClient(control_path_).ask(line); }

    /// The terminal dies: SIGKILL, no goodbye on its connections.
    void kill_terminal() { termsim_->process().stop(SIGKILL); }

    cardd::test::TempDir dir_;
    LinkFactory factory_{fast};
    std::filesystem::path control_path_;
    std::unique_ptr<cardd::test::Termsim> termsim_;
    std::shared_ptr<TerminalLink> link_;
    std::uint32_t sessions_ = 0;
};

// The state block reads over a real Modbus TCP connection.
TEST_F(ModbusTcpTest, readsStateBlock) {
    start({.serial = 3101, .capacity = 777});
    TerminalClient client(*link_);
    const auto info = client.read_info();
    ASSERT_TRUE(info.has_value()) << info.error().message;
    EXPECT_EQ(info->state.serial, 3101u);
    EXPECT_EQ(info->state.list_capacity, 777u);
    EXPECT_EQ(info->model, "CT-SIM");
}

// A dense set is cheaper as a bitmap than as deltas: the first run asks for a full sync, the second sends
// the bitmap; a later small change goes as a delta. The terminal's checksum is the store's throughout.
TEST_F(ModbusTcpTest, synchronisesBitmapFullSyncThenDeltas) {
    start({.serial = 3102, .capacity = 10000, .bitmap_limit = 500000});
    Planner planner;
    std::vector<std::uint32_t> cards;
    for (std::uint32_t c = 1; c <= 200; ++c) cards.push_back(c * 3);
    planner.add(cards);
    planner.remove({3, 6});
    auto outcome = sync(planner);
    ASSERT_EQ(outcome.kind, Kind::needs_full_sync) << outcome.reason;
    EXPECT_NE(outcome.reason.find("a full sync by bitmap"), std::string::npos) << outcome.reason;

    planner.full();
    outcome = sync(planner);
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(outcome.full_sync_format, protocol::SyncFormat::bitmap);
    EXPECT_EQ(outcome.state->blacklist_version, planner.planned());
    EXPECT_EQ(outcome.state->checksum, protocol::blacklist_checksum(wire(planner.desired())));

    planner.add({123456});
    planner.remove({9});
    outcome = sync(planner);
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_FALSE(outcome.full_sync_format.has_value());
    EXPECT_EQ(outcome.state->checksum, protocol::blacklist_checksum(wire(planner.desired())));
}

// A terminal that is down (connection refused) fails as io, and says where.
TEST_F(ModbusTcpTest, refusedConnectionFailsAsIo) {
    auto link = factory_.link_for(tcp_spec(closed_port()));
    ASSERT_TRUE(link.has_value());
    TerminalClient client(**link);
    Planner planner;
    planner.add({1});
    const auto outcome = synchronise(client, planner.plan());
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_EQ(outcome.error, LinkError::Kind::io);
    EXPECT_NE(outcome.reason.find("127.0.0.1:"), std::string::npos) << outcome.reason;
    EXPECT_NE(outcome.reason.find("refused"), std::string::npos) << outcome.reason;
}

// A terminal that dies mid-life fails the next run (io or timeout); one restarted empty gets a full sync.
TEST_F(ModbusTcpTest, killedTerminalFailsThenRestartedOneIsResynced) {
    start({.serial = 3103});
    Planner planner;
    planner.add({10, 20, 30});
    ASSERT_EQ(sync(planner).kind, Kind::level);
    kill_terminal();
    planner.add({40});
    auto outcome = sync(planner);
    ASSERT_EQ(outcome.kind, Kind::failed);
    EXPECT_TRUE(outcome.error == LinkError::Kind::io || outcome.error == LinkError::Kind::timeout) << outcome.reason;

    start({.serial = 3103});  // the same terminal, restarted without its flash
    outcome = sync(planner);
    ASSERT_EQ(outcome.kind, Kind::needs_full_sync) << outcome.reason;
    planner.full();
    outcome = sync(planner);
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    EXPECT_EQ(outcome.state->checksum, protocol::blacklist_checksum(wire(planner.desired())));
}

// Lost answers time out; the link reconnects on the next call and works again.
TEST_F(ModbusTcpTest, timeoutThenReconnect) {
    start({.serial = 3104});
    TerminalClient client(*link_);
    ASSERT_TRUE(client.read_info().has_value());
    ASSERT_EQ(control("fault drop 1"), "ok");
    const auto lost = client.read_info();
    ASSERT_FALSE(lost.has_value());
    EXPECT_EQ(lost.error().kind, LinkError::Kind::timeout);
    ASSERT_EQ(control("fault none"), "ok");
    EXPECT_TRUE(client.read_info().has_value());
}

// Spoiled frames are garbage; the link starts a new connection and works again.
TEST_F(ModbusTcpTest, corruptAnswerIsGarbage) {
    start({.serial = 3105});
    ASSERT_EQ(control("fault corrupt 1"), "ok");
    TerminalClient client(*link_);
    const auto spoiled = client.read_info();
    ASSERT_FALSE(spoiled.has_value());
    EXPECT_EQ(spoiled.error().kind, LinkError::Kind::garbage) << spoiled.error().message;
    ASSERT_EQ(control("fault none"), "ok");
    EXPECT_TRUE(client.read_info().has_value());
}

// On a line that loses a fifth of the answers, repeated runs still bring the terminal level.
TEST_F(ModbusTcpTest, lossyLineConverges) {
    start({.serial = 3106});
    ASSERT_EQ(control("fault drop 0.2"), "ok");
    Planner planner;
    std::vector<std::uint32_t> cards;
    for (std::uint32_t c = 1; c <= 400; ++c) cards.push_back(c * 7);
    planner.add(cards);
    SyncOutcome outcome;
    for (int run = 0; run < 20 && outcome.kind != Kind::level; ++run) {
        outcome = sync(planner);
        if (outcome.kind == Kind::needs_full_sync) planner.full();
    }
    ASSERT_EQ(outcome.kind, Kind::level) << outcome.reason;
    ASSERT_EQ(control("fault none"), "ok");
    TerminalClient client(*link_);
    const auto info = client.read_info();
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->state.checksum, protocol::blacklist_checksum(wire(planner.desired())));
}

// A terminal serving a card answers BUSY: the run fails as busy and changes nothing.
TEST_F(ModbusTcpTest, busyTerminal) {
    start({.serial = 3107});
    ASSERT_EQ(control("busy 5000"), "ok");
    Planner planner;
    planner.add({1});
    const auto outcome = sync(planner);
    EXPECT_EQ(outcome.kind, Kind::failed);
    EXPECT_EQ(outcome.error, LinkError::Kind::busy);
    EXPECT_EQ(outcome.state->blacklist_version, 0u);
}

// A read outside CT-1's blocks is a Modbus exception with code 2; a quantity over the Modbus limit
// never reaches the wire.
TEST_F(ModbusTcpTest, exceptionAndQuantityLimit) {
    start({.serial = 3108});
    const auto outside = link_->read_registers(0x0050, 2);
    ASSERT_FALSE(outside.has_value());
    EXPECT_EQ(outside.error().kind, LinkError::Kind::modbus_exception);
    EXPECT_EQ(outside.error().exception_code, 2);
    EXPECT_THROW((void)link_->read_registers(0, 126), std::length_error);
    EXPECT_TRUE(link_->read_registers(0, 125).error().kind == LinkError::Kind::modbus_exception);
}

// Records tapped at a real terminal are collected once each across collections, then acknowledged.
TEST_F(ModbusTcpTest, recordsCollectedExactlyOnce) {
    start({.serial = 3109});
    for (int i = 0; i < 15; ++i) {
        ASSERT_EQ(control("tap " + std::to_string(100 + i) + " 350 1000").rfind("ok purchase", 0), 0u);
    }
    TerminalClient client(*link_);
    std::map<std::pair<std::uint32_t, std::uint32_t>, int> stored;
    std::int64_t next = 0;
    auto collect = [&] {
        auto got = read_new_records(client, next);
        ASSERT_TRUE(got.has_value()) << got.error().message;
        for (const auto& record : got->records) ++stored[{got->serial, record.seq}];
        next = got->next_seq;
        ASSERT_TRUE(acknowledge_records(client, got->next_seq).has_value());
    };
    collect();
    EXPECT_EQ(stored.size(), 15u);
    for (int i = 0; i < 3; ++i) ASSERT_EQ(control("tap 999 -100 2000").rfind("ok refund", 0), 0u);
    collect();
    collect();  // nothing new
    ASSERT_EQ(stored.size(), 18u);
    for (const auto& [key, times] : stored) {
        EXPECT_EQ(key.first, 3109u);
        EXPECT_EQ(times, 1);
    }
    const auto info = client.read_info();
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->state.oldest_seq, info->state.next_seq);  // all acknowledged
}

// Bad specs are refused before any connection: unit ids outside 1..247, ports outside 1..65535.
TEST_F(ModbusTcpTest, badSpecsRefused) {
    EXPECT_FALSE(factory_.link_for(tcp_spec(502, 0)).has_value());
    EXPECT_FALSE(factory_.link_for(tcp_spec(502, 248)).has_value());
    TerminalAddress spec{"x", TcpAddress{"127.0.0.1", 0}, 1};
    EXPECT_FALSE(factory_.link_for(spec).has_value());
}

}  // namespace
}  // namespace cardd::daemon::test
