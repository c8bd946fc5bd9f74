#pragma once
// What a consumption terminal does to a card of ours when it sells
// something, done to a virtual card: with key A only, the balance value
// block decremented by the price and the counter value block (which holds
// minus the number of purchases) decremented by one. Tests use it so that a
// terminal's record and the card it came from agree.

#include <cstdint>
#include <expected>
#include <string>

#include "daemon/encoder/sim/virtual_card.hpp"
#include "protocol/card/key_diversification.hpp"

namespace cardd::encoder::sim {

struct Purchase {
    std::uint32_t counter = 0;       ///< purchases made with the card before this one, as read from it
    std::int32_t balance_after = 0;  ///< cents left on the card
};

enum class PurchaseRefusal {
    invalid_amount,  ///< the amount is not above zero
    not_ours,        ///< the sector does not open to this card centre's key A
    unreadable,      ///< the balance or counter block is not what the card format allows
    insufficient,    ///< the card holds less than the amount
    card_refused,    ///< the card refused a decrement
};

struct PurchaseError {
    PurchaseRefusal refusal;
    std::string message;
};

/// Takes `amount` cents off `card` in `sector` the way a terminal does, and
/// leaves the card unauthenticated. A refusal leaves the card as it was,
/// but for a card that took the money and then refused the count.
std::expected<Purchase, PurchaseError> terminal_purchase(VirtualCard& card, const protocol::card::MasterKey& master,
                                                         int sector, std::int32_t amount);

}  // namespace cardd::encoder::sim
