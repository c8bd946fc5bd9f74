#pragma once
// The standard consumption IC card on MIFARE Classic 1K: the four blocks of
// the configured sector. Pure code: encoders for the card centre's writes and
// strict decoders for what comes off a card (which may be corrupt, half
// written or from another system). Every byte is in docs/card-format.md.

#include <array>
#include <cstdint>
#include <span>

#include "protocol/decode_error.hpp"

namespace cardd::protocol::card {

using Block = std::array<std::uint8_t, 16>;

inline constexpr int blocks_per_sector = 4;  ///< MIFARE Classic 1K: 16 sectors of 4 blocks
inline constexpr int first_sector = 1;       ///< sector 0 holds the manufacturer block
inline constexpr int last_sector = 15;

/// Where each block sits inside the sector.
inline constexpr int identity_offset = 0;
inline constexpr int balance_offset = 1;
inline constexpr int counter_offset = 2;
inline constexpr int trailer_offset = 3;

/// The absolute block number (0..63) of `offset` in `sector`.
constexpr std::uint8_t block_number(int sector, int offset) noexcept {
    return static_cast<std::uint8_t>(sector * blocks_per_sector + offset);
}

inline constexpr std::uint8_t identity_format_version = 1;
inline constexpr std::uint32_t max_card_no = 999999;  ///< six digits

/// CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no reflection, no
/// final XOR), as the identity block carries over its bytes 0..13.
/// "123456789" gives 0x29B1.
std::uint16_t identity_crc(std::span<const std::uint8_t> bytes) noexcept;

/// What the card says of itself; the store has the final word.
enum class CardStatus : std::uint8_t {
    active = 0x01,
    closed = 0x02,
};

/// Days since 2000-01-01 (UTC): two bytes reach the year 2179.
using DayNumber = std::uint16_t;

/// The identity block: format version, status, card number, card serial,
/// issue date, expiry, and a CRC-16 over the rest.
struct Identity {
    CardStatus status = CardStatus::active;
    std::uint32_t card_no = 0;  ///< 1..999999 (the store's format narrows it)
    std::uint32_t serial = 0;   ///< the store's card serial (流水号), 1 and up
    DayNumber issued = 0;
    DayNumber expires = 0;

    friend bool operator==(const Identity&, const Identity&) = default;
};

/// Throws std::invalid_argument for a field out of range (card_no 0 or above
/// 999999, serial 0, expiry before issue): the card centre never writes those.
Block encode_identity(const Identity& identity);

/// Errors: bad_version (byte 0), bad_value (status, card number, serial,
/// dates, reserved byte), bad_checksum (CRC). An all-zero block (a blank
/// card's) is bad_version.
Decoded<Identity> decode_identity(std::span<const std::uint8_t, 16> block);

/// A MIFARE value block: value, ~value, value (int32 little-endian), then
/// address, ~address, address, ~address. `address` is the block's own number.
Block encode_value_block(std::int32_t value, std::uint8_t address);

/// Strict: the three copies agree, the address bytes agree, and the address is
/// `expected_address`. Errors: not_value_block (copies disagree),
/// wrong_address.
Decoded<std::int32_t> decode_value_block(std::span<const std::uint8_t, 16> block, std::uint8_t expected_address);

/// The balance, in cents, as a value block at `address`. Throws
/// std::invalid_argument for a negative balance.
Block encode_balance(std::int32_t cents, std::uint8_t address);
/// decode_value_block, and a negative value is bad_value.
Decoded<std::int32_t> decode_balance(std::span<const std::uint8_t, 16> block, std::uint8_t expected_address);

/// The highest count: -count must fit the value block's int32.
inline constexpr std::uint32_t max_counter = 0x8000'0000;

/// The transaction counter is a value block that terminals decrement by one
/// per purchase with key A (which may only decrement): it holds -count.
/// Throws std::invalid_argument above max_counter.
Block encode_counter(std::uint32_t count, std::uint8_t address);
/// decode_value_block, and a positive value is bad_value.
Decoded<std::uint32_t> decode_counter(std::span<const std::uint8_t, 16> block, std::uint8_t expected_address);

/// 2000-01-01 + days, from and to Unix seconds (UTC). Throws
/// std::invalid_argument before 2000-01-01 or after the last DayNumber.
DayNumber day_number(std::int64_t unix_seconds);
std::int64_t unix_seconds(DayNumber day);

}  // namespace cardd::protocol::card
