// A terminal's desired set as the list everywhere with its own exceptions:
// the same size, largest card, checksum and cards as the set written out.

#include "daemon/terminal/desired_set.hpp"

#include <gtest/gtest.h>

#include "protocol/checksum.hpp"

namespace cardd::daemon::test {
namespace {

TEST(DesiredSet, sharedListWithoutExceptionsIsTheListItself) {
    const auto shared = DesiredSet::share({30, 10, 20, 10});
    const DesiredSet set(shared, {}, {});
    EXPECT_EQ(set.cards(), (std::vector<std::uint32_t>{10, 20, 30}));
    EXPECT_EQ(&set.cards(), &shared->cards);  // nothing copied
    EXPECT_EQ(set.size(), 3u);
    EXPECT_EQ(set.largest(), 30u);
    EXPECT_EQ(set.checksum(), protocol::blacklist_checksum(std::vector<std::uint32_t>{10, 20, 30}));
    EXPECT_TRUE(set.carriable());
}

TEST(DesiredSet, exceptionsAddAndLeaveOutCards) {
    const DesiredSet set(DesiredSet::share({10, 20, 30}), {5, 40, 20}, {30, 99});
    const std::vector<std::uint32_t> whole{5, 10, 20, 40};
    EXPECT_EQ(set.cards(), whole);
    // A plus already listed and a minus not listed change nothing.
    EXPECT_EQ(set.size(), whole.size());
    EXPECT_EQ(set.largest(), 40u);
    EXPECT_EQ(set.checksum(), protocol::blacklist_checksum(whole));
}

TEST(DesiredSet, largestSkipsCardsLeftOut) {
    const DesiredSet set(DesiredSet::share({10, 20, 30}), {}, {30, 20});
    EXPECT_EQ(set.largest(), 10u);
    EXPECT_EQ(set.size(), 1u);
    EXPECT_EQ(DesiredSet().largest(), 0u);
    EXPECT_EQ(DesiredSet().checksum(), 0u);
}

TEST(DesiredSet, cardCtOneCannotCarryMakesItUnsendable) {
    EXPECT_FALSE(DesiredSet::of({1, 0}).carriable());
    EXPECT_FALSE(DesiredSet::of({0x1000000}).carriable());
    EXPECT_FALSE(DesiredSet(DesiredSet::share({1}), {0x1000000}, {}).carriable());
    EXPECT_TRUE(DesiredSet::of({0xFFFFFF}).carriable());
}

}  // namespace
}  // namespace cardd::daemon::test
