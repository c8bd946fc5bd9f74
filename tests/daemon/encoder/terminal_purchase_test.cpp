// A terminal's purchase on a virtual card: key A takes the money and counts
// the purchase, and refuses whatever a terminal must not do.
#include "daemon/encoder/sim/terminal_purchase.hpp"

#include <cstdint>
#include <optional>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/card/key_diversification.hpp"

namespace cardd::encoder::sim {
namespace {

namespace card = protocol::card;

constexpr int sector = 2;
const std::vector<std::uint8_t> uid{0x04, 0xA2, 0x3B, 0x1C};
const card::MasterKey master{0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
                             0x08, 0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F};

constexpr std::uint8_t balance_at = card::block_number(sector, card::balance_offset);
constexpr std::uint8_t counter_at = card::block_number(sector, card::counter_offset);

// The card centre's sector as an issue leaves it, written here block by
// block with the transport key so that the test does not lean on CardSession.
VirtualCard issued_card(std::int32_t balance, std::uint32_t count) {
    VirtualCard c(uid);
    const std::uint8_t trailer = card::block_number(sector, card::trailer_offset);
    EXPECT_EQ(c.authenticate(trailer, card::KeyType::a, card::transport_key), CardOutcome::ok);
    EXPECT_EQ(c.write(balance_at, card::encode_balance(balance, balance_at)), CardOutcome::ok);
    EXPECT_EQ(c.write(counter_at, card::encode_counter(count, counter_at)), CardOutcome::ok);
    EXPECT_EQ(c.write(trailer,
                      card::encode_trailer(card::card_key(master, uid, sector, card::KeyType::a), card::issued_access,
                                           card::card_key(master, uid, sector, card::KeyType::b))),
              CardOutcome::ok);
    c.halt();
    return c;
}

std::optional<PurchaseRefusal> refusal(const std::expected<Purchase, PurchaseError>& result) {
    if (result) return std::nullopt;
    return result.error().refusal;
}

std::int32_t balance_of(const VirtualCard& c) {
    return card::decode_balance(c.memory()[balance_at], balance_at).value();
}
std::uint32_t count_of(const VirtualCard& c) {
    return card::decode_counter(c.memory()[counter_at], counter_at).value();
}

TEST(TerminalPurchase, takesTheMoneyAndCountsThePurchase) {
    VirtualCard c = issued_card(5000, 0);
    const auto first = terminal_purchase(c, master, sector, 120);
    ASSERT_TRUE(first.has_value()) << first.error().message;
    EXPECT_EQ(first->counter, 0u);
    EXPECT_EQ(first->balance_after, 4880);
    const auto second = terminal_purchase(c, master, sector, 4880);
    ASSERT_TRUE(second.has_value()) << second.error().message;
    EXPECT_EQ(second->counter, 1u);
    EXPECT_EQ(second->balance_after, 0);
    EXPECT_EQ(balance_of(c), 0);
    EXPECT_EQ(count_of(c), 2u);
}

TEST(TerminalPurchase, moreThanTheCardHoldsChangesNothing) {
    VirtualCard c = issued_card(300, 7);
    const auto refused = terminal_purchase(c, master, sector, 301);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().refusal, PurchaseRefusal::insufficient);
    EXPECT_NE(refused.error().message.find("holds 300 cents"), std::string::npos) << refused.error().message;
    EXPECT_EQ(balance_of(c), 300);
    EXPECT_EQ(count_of(c), 7u);
}

TEST(TerminalPurchase, nothingIsNotAPurchase) {
    VirtualCard c = issued_card(300, 0);
    EXPECT_EQ(refusal(terminal_purchase(c, master, sector, 0)), PurchaseRefusal::invalid_amount);
    EXPECT_EQ(refusal(terminal_purchase(c, master, sector, -5)), PurchaseRefusal::invalid_amount);
    EXPECT_EQ(balance_of(c), 300);
}

TEST(TerminalPurchase, onlyOurCardsUnderOurMasterKey) {
    VirtualCard blank(uid);
    EXPECT_EQ(refusal(terminal_purchase(blank, master, sector, 100)), PurchaseRefusal::not_ours);
    VirtualCard c = issued_card(300, 0);
    card::MasterKey other = master;
    other[0] ^= 0xFF;
    EXPECT_EQ(refusal(terminal_purchase(c, other, sector, 100)), PurchaseRefusal::not_ours);
    EXPECT_EQ(refusal(terminal_purchase(c, master, sector + 1, 100)), PurchaseRefusal::not_ours);
    EXPECT_EQ(balance_of(c), 300);
}

// Key A may only take: the card must still refuse to give money back with it.
TEST(TerminalPurchase, keyAStillCannotAddMoney) {
    VirtualCard c = issued_card(300, 0);
    ASSERT_TRUE(terminal_purchase(c, master, sector, 100).has_value());
    EXPECT_EQ(c.authenticate(balance_at, card::KeyType::a, card::card_key(master, uid, sector, card::KeyType::a)),
              CardOutcome::ok);
    EXPECT_EQ(c.increment(balance_at, 100), CardOutcome::not_permitted);
    EXPECT_EQ(c.increment(counter_at, 1), CardOutcome::not_permitted);
}

}  // namespace
}  // namespace cardd::encoder::sim
