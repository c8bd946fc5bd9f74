#pragma once
// What the card centre does to a card on the encoder, in card-format terms:
// tell a blank card from one of ours and from another system's, read and
// check a card of ours, read its sector raw, and bring the sector to a given
// content block by block. Whether a write took is decided by the journal
// (docs/card-writes.md), from the sector before and after. Keys are
// diversified per card here and go only to the reader.

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "daemon/encoder/encoder_error.hpp"
#include "daemon/encoder/mifare_reader.hpp"
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
};

/// The configured sector exactly as it is: which keys open it and its three
/// data blocks, whatever they hold (a torn write included). A card write is
/// decided by comparing it with the sector before and after the write.
struct Sector {
    CardKind keys = CardKind::blank;              ///< blank (transport keys) or ours; never foreign
    std::array<protocol::card::Block, 3> data{};  ///< identity, balance, counter

    friend bool operator==(const Sector&, const Sector&) = default;
};

/// The sector of a blank card: transport keys, zero data blocks.
Sector blank_sector();
/// The sector of a card of ours holding `identity`, `balance` and `counter`.
/// Throws std::invalid_argument for what the layout cannot hold (a negative
/// balance, a counter above max_counter, an invalid identity).
Sector card_sector(const protocol::card::Identity& identity, std::int32_t balance, std::uint32_t counter, int sector);

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

    /// Reads the sector raw, with the transport key or this card centre's
    /// key B, whichever opens it (auth_failed for another system's card).
    Result<Sector> read_sector();

    /// Brings the sector to `target`, block by block, and reads it back. The
    /// balance goes on last and comes off first (docs/card-format.md, "The
    /// order of writes"). MIFARE Classic writes a block whole or not at all,
    /// so a card pulled in the middle holds, in each block and in its keys,
    /// what it held or `target`; written again, it finishes the write.
    /// auth_failed, and nothing written, for another system's card.
    Result<void> write_sector(const Sector& target);

private:
    Result<void> authenticate_ours(protocol::card::KeyType type);
    Result<void> authenticate_transport();
    /// classify(), with another system's card refused (auth_failed); leaves
    /// the sector open with the key that opened it.
    Result<CardKind> open_sector(const char* refused_because);
    /// Writes the trailer of `keys` and opens the sector with them again.
    Result<void> change_keys(CardKind keys);
    Result<CardImage> read_authenticated();
    std::uint8_t block(int offset) const;

    MifareReader& reader_;
    const protocol::card::MasterKey& master_;
    int sector_;
    std::vector<std::uint8_t> uid_;
};

}  // namespace cardd::encoder
