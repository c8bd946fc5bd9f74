#include "daemon/encoder/sim/virtual_card.hpp"

#include <algorithm>
#include <limits>
#include <span>
#include <stdexcept>
#include <utility>

namespace cardd::encoder::sim {

namespace {

namespace card = protocol::card;
using card::AccessConditions;
using card::Operation;
using card::TrailerPart;

constexpr std::size_t block_count = 64;

// Trailer bytes: key A, access bytes (6..8) and the user byte, key B.
constexpr std::size_t key_a_at = 0;
constexpr std::size_t access_at = 6;
constexpr std::size_t key_b_at = 10;
constexpr std::size_t key_size = 6;
constexpr std::size_t access_size = 4;  // the user byte goes with the access bits

// Where the address bytes of a value block start.
constexpr std::size_t address_at = 12;

constexpr std::uint8_t sak_1k = 0x08;

// Any fixed bytes do after UID, BCC, SAK and ATQA; these are the ones found
// on many NXP 1K cards, so a dump looks familiar.
constexpr std::array<std::uint8_t, 8> manufacturer_data{0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69};

constexpr int sector_of(std::uint8_t block) noexcept { return block / card::blocks_per_sector; }
constexpr int offset_of(std::uint8_t block) noexcept { return block % card::blocks_per_sector; }
constexpr bool is_trailer(std::uint8_t block) noexcept { return offset_of(block) == card::trailer_offset; }

std::uint8_t bcc(const std::vector<std::uint8_t>& uid) {
    std::uint8_t x = 0;
    for (const auto byte : uid) x ^= byte;
    return x;
}

Block manufacturer_block(const std::vector<std::uint8_t>& uid) {
    Block block{};
    std::copy(uid.begin(), uid.end(), block.begin());
    std::size_t at = uid.size();
    // A 4-byte UID carries its check byte here; a 7-byte one had it checked
    // during anticollision and the block does not store it.
    if (uid.size() == 4) block[at++] = bcc(uid);
    block[at++] = sak_1k;
    // ATQA, as the card sends it (LSB first): 0x0004 single size, 0x0044 double.
    block[at++] = uid.size() == 4 ? 0x04 : 0x44;
    block[at++] = 0x00;
    std::copy_n(manufacturer_data.begin(), block.size() - at, block.begin() + static_cast<std::ptrdiff_t>(at));
    return block;
}

std::span<const std::uint8_t, 3> access_bytes(const Block& trailer) {
    return std::span<const std::uint8_t, 16>(trailer).subspan<access_at, 3>();
}

Key key_of(const Block& trailer, KeyType type) {
    Key key{};
    const auto from = trailer.begin() + static_cast<std::ptrdiff_t>(type == KeyType::a ? key_a_at : key_b_at);
    std::copy_n(from, key_size, key.begin());
    return key;
}

// A real card checks the three value copies only; the address bytes are the
// application's business. So the strict decoder is shown the value with a
// consistent set of address bytes in place of the block's own.
std::optional<std::int32_t> value_of(const Block& block) {
    Block normalised = card::encode_value_block(0, block[address_at]);
    std::copy_n(block.begin(), address_at, normalised.begin());
    const auto value = card::decode_value_block(normalised, block[address_at]);
    if (!value) return std::nullopt;
    return *value;
}

// The value changes; the address bytes stay as they were (only a write
// alters them on a real card).
Block with_value(const Block& block, std::int32_t value) {
    Block out = card::encode_value_block(value, block[address_at]);
    std::copy(block.begin() + address_at, block.end(), out.begin() + address_at);
    return out;
}

bool same(const Block& a, const Block& b, std::size_t from, std::size_t count) {
    const auto first = static_cast<std::ptrdiff_t>(from);
    const auto last = static_cast<std::ptrdiff_t>(from + count);
    return std::equal(a.begin() + first, a.begin() + last, b.begin() + first);
}

}  // namespace

VirtualCard::VirtualCard(std::vector<std::uint8_t> uid) : uid_(std::move(uid)) {
    if (uid_.size() != 4 && uid_.size() != 7) {
        throw std::invalid_argument("a MIFARE Classic UID has 4 or 7 bytes, not " + std::to_string(uid_.size()));
    }
    memory_[0] = manufacturer_block(uid_);
    const Block trailer = card::encode_trailer(card::transport_key, card::transport_access, card::transport_key);
    for (int sector = 0; sector <= card::last_sector; ++sector) {
        memory_[card::block_number(sector, card::trailer_offset)] = trailer;
    }
}

CardOutcome VirtualCard::check_session(std::uint8_t block) const {
    if (block >= block_count) return CardOutcome::bad_block;
    if (!session_ || session_->sector != sector_of(block)) return CardOutcome::not_authenticated;
    return CardOutcome::ok;
}

std::optional<AccessConditions> VirtualCard::conditions(int sector) const {
    const auto decoded =
        card::decode_access_bytes(access_bytes(memory_[card::block_number(sector, card::trailer_offset)]));
    if (!decoded) return std::nullopt;
    return *decoded;
}

CardOutcome VirtualCard::authenticate(std::uint8_t block, KeyType type, const Key& key) {
    if (block >= block_count) return CardOutcome::bad_block;
    // Whatever the outcome, the card is no longer in the old session: a
    // failed authentication sends a real card back to idle.
    session_.reset();
    const int sector = sector_of(block);
    if (key_of(memory_[card::block_number(sector, card::trailer_offset)], type) != key) {
        return CardOutcome::auth_failed;
    }
    session_ = Session{sector, type};
    return CardOutcome::ok;
}

CardOutcome VirtualCard::read(std::uint8_t block, Block& out) const {
    if (const auto checked = check_session(block); checked != CardOutcome::ok) return checked;
    // A sector whose access bytes do not decode is locked on a real card.
    const auto access = conditions(session_->sector);
    if (!access) return CardOutcome::not_permitted;
    const KeyType key = session_->key;
    if (!is_trailer(block)) {
        if (!card::data_access_allowed(*access, offset_of(block), key, Operation::read)) {
            return CardOutcome::not_permitted;
        }
        out = memory_[block];
        return CardOutcome::ok;
    }
    // Key A never leaves the card; the access bits and key B only where the
    // conditions let this key read them, zeros otherwise.
    const Block& trailer = memory_[block];
    Block masked{};
    if (card::trailer_read_allowed(*access, key, TrailerPart::access_bits)) {
        std::copy_n(trailer.begin() + access_at, access_size, masked.begin() + access_at);
    }
    if (card::trailer_read_allowed(*access, key, TrailerPart::key_b)) {
        std::copy_n(trailer.begin() + key_b_at, key_size, masked.begin() + key_b_at);
    }
    out = masked;
    return CardOutcome::ok;
}

CardOutcome VirtualCard::read_value(std::uint8_t block, std::int32_t& out) const {
    Block data{};
    if (const auto outcome = read(block, data); outcome != CardOutcome::ok) return outcome;
    if (is_trailer(block)) return CardOutcome::not_value_block;
    const auto value = value_of(data);
    if (!value) return CardOutcome::not_value_block;
    out = *value;
    return CardOutcome::ok;
}

CardOutcome VirtualCard::write(std::uint8_t block, const Block& data) {
    if (const auto checked = check_session(block); checked != CardOutcome::ok) return checked;
    if (block == 0) return CardOutcome::not_permitted;  // burnt in at the factory
    if (is_trailer(block)) return write_trailer(block, data);
    const auto access = conditions(session_->sector);
    if (!access || !card::data_access_allowed(*access, offset_of(block), session_->key, Operation::write)) {
        return CardOutcome::not_permitted;
    }
    memory_[block] = data;
    return CardOutcome::ok;
}

CardOutcome VirtualCard::write_trailer(std::uint8_t block, const Block& data) {
    // Access bytes whose inverted copy disagrees lock the sector for good on
    // a real card; the simulator refuses them rather than brick the card.
    if (!card::decode_access_bytes(access_bytes(data))) return CardOutcome::not_permitted;
    const auto access = conditions(session_->sector);
    if (!access) return CardOutcome::not_permitted;
    const KeyType key = session_->key;
    const bool key_a = card::trailer_write_allowed(*access, key, TrailerPart::key_a);
    const bool bits = card::trailer_write_allowed(*access, key, TrailerPart::access_bits);
    const bool key_b = card::trailer_write_allowed(*access, key, TrailerPart::key_b);
    // A key that may write no part of the trailer writes nothing; otherwise
    // every part the write would change must be one this key may write, so
    // a trailer is written whole or not at all.
    Block& trailer = memory_[block];
    if (!key_a && !bits && !key_b) return CardOutcome::not_permitted;
    if (!key_a && !same(trailer, data, key_a_at, key_size)) return CardOutcome::not_permitted;
    if (!bits && !same(trailer, data, access_at, access_size)) return CardOutcome::not_permitted;
    if (!key_b && !same(trailer, data, key_b_at, key_size)) return CardOutcome::not_permitted;
    trailer = data;
    return CardOutcome::ok;
}

CardOutcome VirtualCard::change_value(std::uint8_t block, std::int64_t delta, Operation operation) {
    if (const auto checked = check_session(block); checked != CardOutcome::ok) return checked;
    if (block == 0 || is_trailer(block)) return CardOutcome::not_permitted;
    const auto access = conditions(session_->sector);
    if (!access || !card::data_access_allowed(*access, offset_of(block), session_->key, operation)) {
        return CardOutcome::not_permitted;
    }
    const auto value = value_of(memory_[block]);
    if (!value) return CardOutcome::not_value_block;
    const std::int64_t result = *value + delta;
    if (result < std::numeric_limits<std::int32_t>::min() || result > std::numeric_limits<std::int32_t>::max()) {
        return CardOutcome::not_permitted;
    }
    memory_[block] = with_value(memory_[block], static_cast<std::int32_t>(result));
    return CardOutcome::ok;
}

CardOutcome VirtualCard::increment(std::uint8_t block, std::int32_t amount) {
    return change_value(block, amount, Operation::increment);
}

CardOutcome VirtualCard::decrement(std::uint8_t block, std::int32_t amount) {
    return change_value(block, -static_cast<std::int64_t>(amount), Operation::decrement);
}

CardOutcome VirtualCard::restore(std::uint8_t source, std::uint8_t target) {
    if (const auto checked = check_session(source); checked != CardOutcome::ok) return checked;
    if (const auto checked = check_session(target); checked != CardOutcome::ok) return checked;
    if (source == 0 || target == 0 || is_trailer(source) || is_trailer(target)) return CardOutcome::not_permitted;
    const auto access = conditions(session_->sector);
    // Restore reads the source into the card's register and transfer writes
    // it out: both need the decrement/transfer/restore right.
    if (!access || !card::data_access_allowed(*access, offset_of(source), session_->key, Operation::decrement) ||
        !card::data_access_allowed(*access, offset_of(target), session_->key, Operation::decrement)) {
        return CardOutcome::not_permitted;
    }
    const auto value = value_of(memory_[source]);
    if (!value) return CardOutcome::not_value_block;
    memory_[target] = with_value(memory_[target], *value);
    return CardOutcome::ok;
}

std::optional<std::string> VirtualCard::memory_problem(const std::vector<std::uint8_t>& uid,
                                                       const std::array<Block, 64>& memory) {
    if (uid.size() != 4 && uid.size() != 7) {
        return "the UID has " + std::to_string(uid.size()) + " bytes, not 4 or 7";
    }
    if (!std::equal(uid.begin(), uid.end(), memory[0].begin())) return "block 0 does not start with the UID";
    if (uid.size() == 4 && memory[0][4] != bcc(uid)) return "the check byte in block 0 does not match the UID";
    for (int sector = 0; sector <= card::last_sector; ++sector) {
        if (!card::decode_access_bytes(access_bytes(memory[card::block_number(sector, card::trailer_offset)]))) {
            return "the access bits of sector " + std::to_string(sector) + " disagree with their inverted copy";
        }
    }
    return std::nullopt;
}

std::optional<VirtualCard> VirtualCard::from_memory(std::vector<std::uint8_t> uid,
                                                    const std::array<Block, 64>& memory) {
    if (memory_problem(uid, memory)) return std::nullopt;
    VirtualCard result(std::move(uid));
    result.memory_ = memory;
    return result;
}

}  // namespace cardd::encoder::sim
