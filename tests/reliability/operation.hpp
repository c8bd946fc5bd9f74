#pragma once
// One thing the crash driver does to the card centre: what it is, the
// control-socket request that does it, and a sentence naming it for a
// failure message.

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

namespace cardd::reliability {

using CardNo = std::int64_t;
using Cents = std::int64_t;

enum class OpKind {
    issue,  ///< a new person with a card, written on a blank card (person-add with issue)
    top_up,
    refund_close,  ///< card-refund-close (退款销户)
    loss,          ///< card-loss pushed to all terminals
    unlock,        ///< card-unlock pushed to all terminals
    replace,       ///< a new card for a lost one, written on a blank card
    return_wipe,   ///< card-return with wipe (and the default refund)
    tap,           ///< a purchase at a terminal: the card spent, then the terminal tapped
    collect,       ///< collect every terminal's records
};

struct Operation {
    OpKind kind = OpKind::collect;
    CardNo card = 0;       ///< the card acted on; for an issue, the card issued; for a replacement, the old card
    CardNo new_card = 0;   ///< the replacement card
    std::string staff_no;  ///< the person an issue creates
    std::string uid;       ///< the blank chip of an issue or replacement, else the card's chip
    Cents amount = 0;      ///< opening, top-up, purchase
    Cents cost = 0;        ///< card cost of an issue or replacement
    std::string terminal;  ///< where a tap happens
    bool wipe = false;     ///< a refund-close with the card on the encoder, which wipes it

    /// The control-socket request; a tap has none (it is two steps, see the driver).
    nlohmann::json request() const;
    /// "top-up of card 1003 by 12.00"
    std::string describe() const;
    /// Issue, top-up, replacement, refund-close with wipe and return with wipe write the card on the encoder.
    bool writes_card() const;
    /// Every kind is one cardd request except a tap.
    bool is_one_request() const { return kind != OpKind::tap; }
};

}  // namespace cardd::reliability
