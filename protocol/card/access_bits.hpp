#pragma once
// MIFARE Classic sector trailers: keys and access conditions. The access
// conditions are three bits (C1 C2 C3) for each of the sector's four blocks,
// stored twice (once inverted) in bytes 6..8 of the trailer; a trailer whose
// copies disagree locks the sector on a real card, so it is never written.

#include <array>
#include <cstdint>
#include <span>

#include "protocol/card/card_layout.hpp"
#include "protocol/decode_error.hpp"

namespace cardd::protocol::card {

using Key = std::array<std::uint8_t, 6>;

enum class KeyType : std::uint8_t { a = 0x60, b = 0x61 };  ///< the MIFARE AUTH command codes

/// The factory (transport) key, on both A and B of a blank card.
inline constexpr Key transport_key{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

/// C1 C2 C3 of one block, as the bits c1 << 2 | c2 << 1 | c3 (0..7).
using AccessCondition = std::uint8_t;

/// Conditions for blocks 0, 1, 2 and the trailer (3).
struct AccessConditions {
    std::array<AccessCondition, 4> blocks{};
    friend bool operator==(const AccessConditions&, const AccessConditions&) = default;
};

/// Blank cards: data blocks 000, trailer 001 (bytes FF 07 80).
inline constexpr AccessConditions transport_access{{0b000, 0b000, 0b000, 0b001}};

/// The card centre's sector: identity 100 (read A|B, write B), balance and
/// counter 110 (read A|B, write B, increment B, decrement A|B), trailer 011
/// (keys and access bits written with key B only; key B never readable).
inline constexpr AccessConditions issued_access{{0b100, 0b110, 0b110, 0b011}};

/// Bytes 6..8 of a trailer. Throws std::invalid_argument for a condition
/// above 0b111.
std::array<std::uint8_t, 3> encode_access_bytes(const AccessConditions& conditions);
/// Errors: bad_value when the inverted copy disagrees.
Decoded<AccessConditions> decode_access_bytes(std::span<const std::uint8_t, 3> bytes);

/// The general-purpose byte (byte 9) the card centre writes.
inline constexpr std::uint8_t trailer_user_byte = 0x69;

/// Key A, access bytes, user byte, key B.
Block encode_trailer(const Key& key_a, const AccessConditions& conditions, const Key& key_b);

/// What an operation needs on a card.
enum class Operation { read, write, increment, decrement };  ///< decrement covers transfer and restore

/// Whether `key` may do `operation` on data block `offset` (0..2) under
/// `conditions`, per the MIFARE Classic data-sheet table. Where the
/// conditions make key B readable (trailer 000, 010, 001), key B grants
/// nothing, as on a real card. Throws std::invalid_argument for an offset
/// outside 0..2 or a condition above 0b111.
bool data_access_allowed(const AccessConditions& conditions, int offset, KeyType key, Operation operation);

/// What may be done to the trailer itself.
enum class TrailerPart { key_a, access_bits, key_b };
bool trailer_read_allowed(const AccessConditions& conditions, KeyType key, TrailerPart part);
bool trailer_write_allowed(const AccessConditions& conditions, KeyType key, TrailerPart part);

}  // namespace cardd::protocol::card
