#pragma once
// A card write in three steps (docs/card-writes.md): the intent committed
// with the card's sector before and after; the card written with no store
// transaction open; the store change applied and the intent closed in one
// transaction. An intent left open, by a card taken away mid-write or by a
// crash, is settled from the card the next time it is on an encoder.

#include <functional>
#include <optional>
#include <string>

#include "daemon/encoder/card_session.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;
class EncoderUse;

/// The sector as the store's journal keeps it, and back.
store::CardContent content_of(const encoder::Sector& sector, int sector_no);
std::optional<encoder::Sector> sector_of(const store::CardContent& content);

/// How an open write ended when its card was seen.
struct Settlement {
    enum class How { applied, dropped, open };
    How how = How::open;
    std::optional<store::AppliedWrite> applied;
    std::string text;  ///< what happened, for the answer and the log
};

/// Decides an open write from the card on the encoder: it holds the sector
/// after the write (apply), before it (drop), or a torn mix of the two
/// block by block (finish the write on the card, then apply). A card that
/// holds neither (spent at terminals since) stays open: terminal records
/// decide it.
store::Result<Settlement> settle_write(Service& service, EncoderUse& use, const store::WriteIntent& intent);

/// Settles the open write of the chip on the encoder, if there is one.
store::Result<std::optional<Settlement>> settle_card_on_encoder(Service& service, EncoderUse& use);

/// Computes the sector after the write from the intent (its reserved serial and time).
using SectorAfter = std::function<encoder::Sector(const store::WriteIntent&)>;

/// The three steps. `intent` carries the card's UID and its sector before
/// (intent.before). The error of a write that did not reach the card leaves
/// nothing changed; a write interrupted half-way stays open and the error says so.
store::Result<store::AppliedWrite> journaled_write(Service& service, EncoderUse& use, store::WriteIntent intent,
                                                   const SectorAfter& after);

/// Rehearses the store change of `intent`. A refusal only because a write of
/// the same card is still open is let through: placing the card settles it,
/// and the intent's own checks come again when it opens.
store::Result<void> rehearse_write(Service& service, const store::WriteIntent& intent);

}  // namespace cardd::daemon
