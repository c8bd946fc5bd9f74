#include "daemon/encoder/sim/terminal_purchase.hpp"

#include "protocol/hex.hpp"

namespace cardd::encoder::sim {

namespace card = protocol::card;

namespace {

std::unexpected<PurchaseError> refuse(PurchaseRefusal refusal, std::string message) {
    return std::unexpected(PurchaseError{refusal, std::move(message)});
}

// Halts the card on every way out, as a card taken from a terminal is.
struct Halt {
    VirtualCard& card;
    ~Halt() { card.halt(); }
};

}  // namespace

std::expected<Purchase, PurchaseError> terminal_purchase(VirtualCard& virtual_card, const card::MasterKey& master,
                                                         int sector, std::int32_t amount) {
    const Halt halt{virtual_card};
    const std::string uid = protocol::hex_bytes(virtual_card.uid());
    if (amount <= 0) return refuse(PurchaseRefusal::invalid_amount, "a purchase takes more than 0 cents");
    const std::uint8_t balance_at = card::block_number(sector, card::balance_offset);
    const std::uint8_t counter_at = card::block_number(sector, card::counter_offset);
    const card::Key key_a = card::card_key(master, virtual_card.uid(), sector, card::KeyType::a);
    if (virtual_card.authenticate(balance_at, card::KeyType::a, key_a) != CardOutcome::ok) {
        return refuse(PurchaseRefusal::not_ours, "card " + uid +
                                                     " does not open to this card centre's key A in sector " +
                                                     std::to_string(sector) + ": a blank card or another system's");
    }
    Block block{};
    if (virtual_card.read(balance_at, block) != CardOutcome::ok) {
        return refuse(PurchaseRefusal::card_refused, "card " + uid + " refused to show its balance to key A");
    }
    const auto balance = card::decode_balance(block, balance_at);
    if (!balance)
        return refuse(PurchaseRefusal::unreadable, "card " + uid + ": balance block: " + balance.error().message);
    if (virtual_card.read(counter_at, block) != CardOutcome::ok) {
        return refuse(PurchaseRefusal::card_refused, "card " + uid + " refused to show its counter to key A");
    }
    const auto counter = card::decode_counter(block, counter_at);
    if (!counter)
        return refuse(PurchaseRefusal::unreadable, "card " + uid + ": counter block: " + counter.error().message);
    if (amount > *balance) {
        return refuse(PurchaseRefusal::insufficient, "card " + uid + " holds " + std::to_string(*balance) +
                                                         " cents, less than the " + std::to_string(amount) + " asked");
    }
    if (virtual_card.decrement(balance_at, amount) != CardOutcome::ok) {
        return refuse(PurchaseRefusal::card_refused, "card " + uid + " refused the decrement of its balance");
    }
    // A terminal counts the purchase after taking the money; a card that
    // refused it would show a purchase missing from its count.
    if (virtual_card.decrement(counter_at, 1) != CardOutcome::ok) {
        return refuse(PurchaseRefusal::card_refused, "card " + uid + " took the money but refused the count");
    }
    return Purchase{*counter, *balance - amount};
}

}  // namespace cardd::encoder::sim
