#include "protocol/card/card_layout.hpp"

#include <bit>
#include <limits>
#include <stdexcept>
#include <string>

#include "protocol/hex.hpp"

namespace cardd::protocol::card {

namespace {

// Byte positions in the identity block (docs/card-format.md).
constexpr std::size_t id_version = 0;
constexpr std::size_t id_status = 1;
constexpr std::size_t id_card_no = 2;   // 3 bytes
constexpr std::size_t id_serial = 5;    // 4 bytes
constexpr std::size_t id_issued = 9;    // 2 bytes
constexpr std::size_t id_expires = 11;  // 2 bytes
constexpr std::size_t id_reserved = 13;
constexpr std::size_t id_crc = 14;  // 2 bytes, over everything before it

// 2000-01-01T00:00:00Z in Unix seconds.
constexpr std::int64_t day_zero = 946'684'800;
constexpr std::int64_t seconds_per_day = 86'400;

std::uint32_t read_be(std::span<const std::uint8_t, 16> block, std::size_t at, std::size_t length) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < length; ++i) value = value << 8 | block[at + i];
    return value;
}

void write_be(Block& block, std::size_t at, std::size_t length, std::uint32_t value) {
    for (std::size_t i = 0; i < length; ++i) {
        block[at + length - 1 - i] = static_cast<std::uint8_t>(value >> (8 * i));
    }
}

std::uint32_t read_le(std::span<const std::uint8_t, 16> block, std::size_t at) {
    std::uint32_t value = 0;
    for (std::size_t i = 0; i < 4; ++i) value |= std::uint32_t{block[at + i]} << (8 * i);
    return value;
}

void write_le(Block& block, std::size_t at, std::uint32_t value) {
    for (std::size_t i = 0; i < 4; ++i) block[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

bool known_status(CardStatus status) { return status == CardStatus::active || status == CardStatus::closed; }

std::string day_text(DayNumber day) { return "day " + std::to_string(day); }

}  // namespace

std::uint16_t identity_crc(std::span<const std::uint8_t> bytes) noexcept {
    // Bitwise rather than a table: 14 bytes per card read, and the loop is the
    // definition a reader can check against any CRC catalogue.
    std::uint16_t crc = 0xFFFF;
    for (const std::uint8_t byte : bytes) {
        crc = static_cast<std::uint16_t>(crc ^ (unsigned{byte} << 8));
        for (int bit = 0; bit < 8; ++bit) {
            crc = static_cast<std::uint16_t>((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
        }
    }
    return crc;
}

Block encode_identity(const Identity& identity) {
    if (!known_status(identity.status)) {
        throw std::invalid_argument("card status " + hex(static_cast<std::uint8_t>(identity.status), 2) +
                                    " is neither active (0x01) nor closed (0x02)");
    }
    if (identity.card_no == 0 || identity.card_no > max_card_no) {
        throw std::invalid_argument("card number " + std::to_string(identity.card_no) + " is not in 1..999999");
    }
    if (identity.serial == 0) throw std::invalid_argument("card serial is 0");
    if (identity.expires < identity.issued) {
        throw std::invalid_argument("expiry (" + day_text(identity.expires) + ") is before issue (" +
                                    day_text(identity.issued) + ")");
    }
    Block block{};
    block[id_version] = identity_format_version;
    block[id_status] = static_cast<std::uint8_t>(identity.status);
    write_be(block, id_card_no, 3, identity.card_no);
    write_be(block, id_serial, 4, identity.serial);
    write_be(block, id_issued, 2, identity.issued);
    write_be(block, id_expires, 2, identity.expires);
    block[id_reserved] = 0;
    write_be(block, id_crc, 2, identity_crc(std::span(block).first(id_crc)));
    return block;
}

Decoded<Identity> decode_identity(std::span<const std::uint8_t, 16> block) {
    // The version first: another format may put its checksum elsewhere, and a
    // blank card (all zeros) is then named for what it is.
    if (block[id_version] != identity_format_version) {
        return decode_fail(DecodeErrc::bad_version, "identity block format version is " + hex(block[id_version], 2) +
                                                        ", not 0x01" +
                                                        (block[id_version] == 0 ? " (a blank card?)" : ""));
    }
    // Then the CRC, before any field: a torn write or a flipped bit is then
    // reported as such, and a field error means the block was written that way.
    const std::uint16_t stored_crc = static_cast<std::uint16_t>(read_be(block, id_crc, 2));
    const std::uint16_t computed_crc = identity_crc(block.first(id_crc));
    if (stored_crc != computed_crc) {
        return decode_fail(DecodeErrc::bad_checksum, "identity block CRC is " + hex(stored_crc, 4) +
                                                         ", bytes 0..13 give " + hex(computed_crc, 4));
    }
    Identity identity;
    identity.status = static_cast<CardStatus>(block[id_status]);
    if (!known_status(identity.status)) {
        return decode_fail(DecodeErrc::bad_value,
                           "card status is " + hex(block[id_status], 2) + ", not 0x01 (active) or 0x02 (closed)");
    }
    identity.card_no = read_be(block, id_card_no, 3);
    if (identity.card_no == 0 || identity.card_no > max_card_no) {
        return decode_fail(DecodeErrc::bad_value,
                           "card number is " + std::to_string(identity.card_no) + ", not in 1..999999");
    }
    identity.serial = read_be(block, id_serial, 4);
    if (identity.serial == 0) return decode_fail(DecodeErrc::bad_value, "card serial is 0, not 1 or more");
    identity.issued = static_cast<DayNumber>(read_be(block, id_issued, 2));
    identity.expires = static_cast<DayNumber>(read_be(block, id_expires, 2));
    if (identity.expires < identity.issued) {
        return decode_fail(DecodeErrc::bad_value, "expiry (" + day_text(identity.expires) + ") is before issue (" +
                                                      day_text(identity.issued) + ")");
    }
    if (block[id_reserved] != 0) {
        return decode_fail(DecodeErrc::bad_value, "reserved byte 13 is " + hex(block[id_reserved], 2) + ", not 0x00");
    }
    return identity;
}

Block encode_value_block(std::int32_t value, std::uint8_t address) {
    const auto bits = std::bit_cast<std::uint32_t>(value);
    Block block{};
    write_le(block, 0, bits);
    write_le(block, 4, ~bits);
    write_le(block, 8, bits);
    const auto inverted = static_cast<std::uint8_t>(~address);
    block[12] = address;
    block[13] = inverted;
    block[14] = address;
    block[15] = inverted;
    return block;
}

Decoded<std::int32_t> decode_value_block(std::span<const std::uint8_t, 16> block, std::uint8_t expected_address) {
    const std::uint32_t value = read_le(block, 0);
    const std::uint32_t inverted = read_le(block, 4);
    const std::uint32_t copy = read_le(block, 8);
    if (inverted != static_cast<std::uint32_t>(~value) || copy != value) {
        return decode_fail(DecodeErrc::not_value_block, "value copies disagree: " + hex(value, 8) + ", inverted " +
                                                            hex(inverted, 8) + " (want " + hex(~value, 8) + "), " +
                                                            hex(copy, 8));
    }
    const std::uint8_t address = block[12];
    const auto address_inverted = static_cast<std::uint8_t>(~address);
    if (block[13] != address_inverted || block[14] != address || block[15] != address_inverted) {
        return decode_fail(DecodeErrc::not_value_block, "value block address bytes " + hex(block[12], 2) + " " +
                                                            hex(block[13], 2) + " " + hex(block[14], 2) + " " +
                                                            hex(block[15], 2) + " are not a, ~a, a, ~a");
    }
    // A block copied (or restored) from elsewhere keeps its old address: the
    // value may belong to another sector or card layout.
    if (address != expected_address) {
        return decode_fail(DecodeErrc::wrong_address, "value block names block " + std::to_string(address) +
                                                          ", read from block " + std::to_string(expected_address));
    }
    return std::bit_cast<std::int32_t>(value);
}

Block encode_balance(std::int32_t cents, std::uint8_t address) {
    if (cents < 0) throw std::invalid_argument("negative balance: " + std::to_string(cents) + " cents");
    return encode_value_block(cents, address);
}

Decoded<std::int32_t> decode_balance(std::span<const std::uint8_t, 16> block, std::uint8_t expected_address) {
    auto cents = decode_value_block(block, expected_address);
    if (cents && *cents < 0) {
        return decode_fail(DecodeErrc::bad_value, "balance is " + std::to_string(*cents) + " cents, not 0 or more");
    }
    return cents;
}

Block encode_counter(std::uint32_t count, std::uint8_t address) {
    if (count > max_counter) {
        throw std::invalid_argument("transaction count " + std::to_string(count) + " is above 2147483648");
    }
    // -count computed in 64 bits: count 2^31 is INT32_MIN, whose negation
    // does not fit an int32.
    return encode_value_block(static_cast<std::int32_t>(-static_cast<std::int64_t>(count)), address);
}

Decoded<std::uint32_t> decode_counter(std::span<const std::uint8_t, 16> block, std::uint8_t expected_address) {
    const auto value = decode_value_block(block, expected_address);
    if (!value) return std::unexpected(value.error());
    if (*value > 0) {
        return decode_fail(DecodeErrc::bad_value,
                           "counter value is " + std::to_string(*value) + ", not 0 or below (it holds -count)");
    }
    return static_cast<std::uint32_t>(-static_cast<std::int64_t>(*value));
}

DayNumber day_number(std::int64_t unix_seconds_utc) {
    if (unix_seconds_utc < day_zero) {
        throw std::invalid_argument("time " + std::to_string(unix_seconds_utc) + " is before 2000-01-01");
    }
    const std::int64_t day = (unix_seconds_utc - day_zero) / seconds_per_day;
    if (day > std::numeric_limits<DayNumber>::max()) {
        throw std::invalid_argument("time " + std::to_string(unix_seconds_utc) + " is after 2179-06-06");
    }
    return static_cast<DayNumber>(day);
}

std::int64_t unix_seconds(DayNumber day) { return day_zero + std::int64_t{day} * seconds_per_day; }

}  // namespace cardd::protocol::card
