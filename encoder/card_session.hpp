#pragma once
// What the card centre does to a card on the encoder, in card-format terms:
// tell a blank card from one of ours and from another system's, read and
// check it, write a new card, add to or take from its balance, wipe it back
// to blank. Every write is read back and compared before it counts. Keys are
// diversified per card here and go only to the reader.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "encoder/encoder_error.hpp"
#include "encoder/mifare_reader.hpp"
#include "protocol/card/card_layout.hpp"
#include "protocol/card/key_diversification.hpp"

namespace cardd::encoder {

enum class CardKind {
    blank,    ///< the sector answers to the transport key
    ours,     ///< the sector answers to this card centre's key B for the card's UID
    foreign,  ///< neither: another system's card, or ours under another master key
};

/// A card of ours as read: identity, balance (cents), transaction counter.
struct CardImage {
    std::vector<std::uint8_t> uid;
    protocol::card::Identity identity;
    std::int32_t balance = 0;
    std::uint32_t counter = 0;
    /// False when a write's last step was acknowledged but the card left
    /// before it could be read back: the card holds what was written, unseen.
    bool verified = true;
};

/// The configured sector exactly as it is: which keys open it and its three
/// data blocks, whatever they hold (a torn write included). A card write is
/// decided by comparing it with the sector before and after the write.
struct Sector {
    CardKind keys = CardKind::blank;  ///< blank (transport keys) or ours; never foreign
    std::array<protocol::card::Block, 3> data{};  ///< identity, balance, counter

    friend bool operator==(const Sector&, const Sector&) = default;
};

/// The sector of a blank card: transport keys, zero data blocks.
Sector blank_sector();
/// The sector of a card of ours holding `identity`, `balance` and `counter`.
Sector card_sector(const protocol::card::Identity& identity, std::int32_t balance, std::uint32_t counter, int sector);

/// How a wipe ended.
enum class WipeOutcome {
    blank,       ///< a blank card again, read back
    unfinished,  ///< the balance is zero, but the card left before the rest was wiped
};

/// Upper-case hex of a UID, as the store keeps it.
std::string uid_hex(const std::vector<std::uint8_t>& uid);

class CardSession {
public:
    CardSession(MifareReader& reader, const protocol::card::MasterKey& master, int sector);

    /// The UID of the card on the reader; no_card when there is none.
    Result<std::vector<std::uint8_t>> uid();

    /// Which kind of card is on the reader.
    Result<CardKind> classify();

    /// Reads and strictly decodes a card of ours (corrupt for a block the
    /// card format does not allow; auth_failed for a card not of ours).
    Result<CardImage> read();

    // Each write has one commit point, the write that puts money on the card
    // or takes it off. An error means the card left (or refused) before it:
    // the card holds no more money than before. After it, the write counts
    // even if the card leaves before it is read back (verified = false).

    /// Writes identity, counter and a zero balance on a blank card or a card
    /// of ours, then (on a blank card) the trailer with this card's keys and
    /// the issued access conditions, and last the balance; reads it all back.
    Result<CardImage> write(const protocol::card::Identity& identity, std::int32_t balance, std::uint32_t counter = 0);

    /// Increments (amount > 0) or decrements (amount < 0) the balance with key
    /// B and checks the card then holds what it held before plus `amount`.
    Result<CardImage> add_to_balance(std::int32_t amount);

    /// Reads the sector raw, with the transport key or this card centre's
    /// key B, whichever opens it (auth_failed for another system's card).
    Result<Sector> read_sector();

    /// Brings the sector to `target`, block by block (each block is written
    /// whole or not at all), and reads it back: the data blocks, the trailer
    /// when the keys change, the balance block last when the card is ours
    /// after. Written again over a torn sector, it finishes the write.
    Result<void> write_sector(const Sector& target);

    /// Zeroes the balance first, then the other data blocks and, on a card of
    /// ours, restores the transport keys and access conditions: a blank card
    /// again, checked by reading it back with the transport key.
    Result<WipeOutcome> wipe();

private:
    Result<void> authenticate_ours(protocol::card::KeyType type);
    Result<void> authenticate_transport();
    Result<CardImage> read_authenticated();
    CardImage unverified(const protocol::card::Identity& identity, std::int32_t balance, std::uint32_t counter) const;
    std::uint8_t block(int offset) const;

    MifareReader& reader_;
    const protocol::card::MasterKey& master_;
    int sector_;
    std::vector<std::uint8_t> uid_;
};

}  // namespace cardd::encoder
