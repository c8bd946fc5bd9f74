// LinkCache: one link per terminal, kept while its address stays, replaced
// when the address changes; a source error passes through.

#include "daemon/link_cache.hpp"

#include <gtest/gtest.h>

#include "tests/daemon/terminal/sim_link.hpp"
#include "tools/termsim/terminal.hpp"

namespace cardd::daemon {
namespace {

class LinkCacheTest : public ::testing::Test {
protected:
    LinkCache cache_{[this](const TerminalAddress& address) -> LinkResult<std::shared_ptr<TerminalLink>> {
        asked_.push_back(address);
        if (refuse_) return link_fail(LinkError::Kind::io, "refused");
        return std::make_shared<test::SimLink>(terminal_);
    }};
    termsim::Terminal terminal_{termsim::TerminalConfig{.serial = 1}};
    std::vector<TerminalAddress> asked_;
    bool refuse_ = false;
    const TerminalAddress tcp_{"pos-1", TcpAddress{"10.0.0.5", 502}, 1};
};

// The same terminal at the same address gets the same link, made once.
TEST_F(LinkCacheTest, sameAddressKeepsTheLink) {
    auto first = cache_.link_for(1, tcp_);
    auto second = cache_.link_for(1, tcp_);
    ASSERT_TRUE(first && second);
    EXPECT_EQ(*first, *second);
    EXPECT_EQ(asked_.size(), 1u);
}

// A changed host, port, unit id or transport makes a new link.
TEST_F(LinkCacheTest, changedAddressReplacesTheLink) {
    auto first = *cache_.link_for(1, tcp_);
    TerminalAddress moved = tcp_;
    std::get<TcpAddress>(moved.address).port = 503;
    auto second = *cache_.link_for(1, moved);
    EXPECT_NE(first, second);
    moved.unit_id = 2;
    auto third = *cache_.link_for(1, moved);
    EXPECT_NE(second, third);
    moved.address = RtuAddress{"/dev/ttyUSB0", 19200, 'E'};
    auto fourth = *cache_.link_for(1, moved);
    EXPECT_NE(third, fourth);
    EXPECT_EQ(*cache_.link_for(1, moved), fourth);
    EXPECT_EQ(asked_.size(), 4u);
}

// Terminals are kept apart, even at one address.
TEST_F(LinkCacheTest, terminalsHaveLinksOfTheirOwn) {
    auto one = *cache_.link_for(1, tcp_);
    auto two = *cache_.link_for(2, tcp_);
    EXPECT_NE(one, two);
}

// A source error is passed on, and the next call asks the source again.
TEST_F(LinkCacheTest, sourceErrorPassesThrough) {
    refuse_ = true;
    auto refused = cache_.link_for(1, tcp_);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().kind, LinkError::Kind::io);
    refuse_ = false;
    EXPECT_TRUE(cache_.link_for(1, tcp_));
    EXPECT_EQ(asked_.size(), 2u);
}

}  // namespace
}  // namespace cardd::daemon
