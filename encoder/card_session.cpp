#include "encoder/card_session.hpp"

#include <limits>
#include <stdexcept>

#include "protocol/card/access_bits.hpp"
#include "protocol/hex.hpp"

namespace cardd::encoder {

namespace card = protocol::card;

namespace {

std::string describe(const card::Identity& identity) {
    return "card " + std::to_string(identity.card_no) + " (serial " + std::to_string(identity.serial) + ")";
}

/// Wraps a decoder's refusal: which block, and why.
Error corrupt(const char* block, const protocol::DecodeError& error) {
    return Error{Errc::corrupt, std::string("the card's ") + block + " block is not valid: " + error.message};
}

bool same(const CardImage& a, const card::Identity& identity, std::int32_t balance, std::uint32_t counter) {
    return a.identity == identity && a.balance == balance && a.counter == counter;
}

}  // namespace

std::string uid_hex(const std::vector<std::uint8_t>& uid) { return protocol::hex_bytes(uid); }

Sector blank_sector() { return Sector{}; }

Sector card_sector(const card::Identity& identity, std::int32_t balance, std::uint32_t counter, int sector) {
    Sector content;
    content.keys = CardKind::ours;
    content.data[card::identity_offset] = card::encode_identity(identity);
    content.data[card::balance_offset] = card::encode_balance(balance, card::block_number(sector, card::balance_offset));
    content.data[card::counter_offset] = card::encode_counter(counter, card::block_number(sector, card::counter_offset));
    return content;
}

Result<Sector> CardSession::read_sector() {
    auto kind = classify();
    if (!kind) return std::unexpected(kind.error());
    if (*kind == CardKind::foreign) {
        return fail(Errc::auth_failed, "the card " + uid_hex(uid_) + " belongs to another system: its sector answers "
                                       "to neither the transport key nor this card centre's key");
    }
    Sector content;
    content.keys = *kind;
    for (const int offset : {card::identity_offset, card::balance_offset, card::counter_offset}) {
        auto data = reader_.read_block(block(offset));
        if (!data) return std::unexpected(data.error());
        content.data[static_cast<std::size_t>(offset)] = *data;
    }
    return content;
}

Result<void> CardSession::write_sector(const Sector& target) {
    if (target.keys == CardKind::foreign) throw std::invalid_argument("a card is never written to another system's keys");
    auto kind = classify();
    if (!kind) return std::unexpected(kind.error());
    if (*kind == CardKind::foreign) {
        return fail(Errc::auth_failed, "the card " + uid_hex(uid_) +
                                           " belongs to another system (its sector answers to neither the transport "
                                           "key nor this card centre's key); it cannot be written");
    }
    const auto write = [&](int offset) { return reader_.write_block(block(offset), target.data[static_cast<std::size_t>(offset)]); };
    // classify() left the sector open with the key that opened it.
    if (target.keys == CardKind::blank) {
        // Money first: once the balance block is zero the card holds none.
        for (const int offset : {card::balance_offset, card::identity_offset, card::counter_offset}) {
            if (auto done = write(offset); !done) return std::unexpected(done.error());
        }
        if (*kind == CardKind::ours) {
            const card::Block trailer = card::encode_trailer(card::transport_key, card::transport_access, card::transport_key);
            if (auto done = reader_.write_block(block(card::trailer_offset), trailer); !done) {
                return std::unexpected(done.error());
            }
        }
    } else {
        for (const int offset : {card::identity_offset, card::counter_offset}) {
            if (auto done = write(offset); !done) return std::unexpected(done.error());
        }
        if (*kind == CardKind::blank) {
            const card::Block trailer =
                card::encode_trailer(card::card_key(master_, uid_, sector_, card::KeyType::a), card::issued_access,
                                     card::card_key(master_, uid_, sector_, card::KeyType::b));
            if (auto done = reader_.write_block(block(card::trailer_offset), trailer); !done) {
                return std::unexpected(done.error());
            }
            // Opening under the new keys proves the trailer took.
            if (auto again = uid(); !again) return std::unexpected(again.error());
            if (auto opened = authenticate_ours(card::KeyType::b); !opened) return std::unexpected(opened.error());
        }
        if (auto done = write(card::balance_offset); !done) return std::unexpected(done.error());
    }
    auto written = read_sector();
    if (!written) return std::unexpected(written.error());
    if (*written != target) return fail(Errc::card_failed, "the card read back differs from what was written");
    return {};
}

CardSession::CardSession(MifareReader& reader, const card::MasterKey& master, int sector)
    : reader_(reader), master_(master), sector_(sector) {}

std::uint8_t CardSession::block(int offset) const { return card::block_number(sector_, offset); }

Result<std::vector<std::uint8_t>> CardSession::uid() {
    auto uid = reader_.uid();
    if (uid) uid_ = *uid;
    return uid;
}

Result<void> CardSession::authenticate_transport() {
    return reader_.authenticate(block(card::trailer_offset), card::KeyType::a, card::transport_key);
}

Result<void> CardSession::authenticate_ours(card::KeyType type) {
    if (uid_.empty()) {
        auto read_uid = uid();
        if (!read_uid) return std::unexpected(read_uid.error());
    }
    const card::Key key = card::card_key(master_, uid_, sector_, type);
    return reader_.authenticate(block(card::trailer_offset), type, key);
}

Result<CardKind> CardSession::classify() {
    auto read_uid = uid();
    if (!read_uid) return std::unexpected(read_uid.error());
    if (auto transport = authenticate_transport()) return CardKind::blank;
    else if (transport.error().code != Errc::auth_failed) return std::unexpected(transport.error());
    // A refused key leaves a MIFARE card halted; selecting it again (the
    // UID request) wakes it for the next try.
    if (auto again = uid(); !again) return std::unexpected(again.error());
    if (auto ours = authenticate_ours(card::KeyType::b)) return CardKind::ours;
    else if (ours.error().code != Errc::auth_failed) return std::unexpected(ours.error());
    if (auto again = uid(); !again) return std::unexpected(again.error());
    return CardKind::foreign;
}

Result<CardImage> CardSession::read_authenticated() {
    CardImage image;
    image.uid = uid_;
    auto identity_block = reader_.read_block(block(card::identity_offset));
    if (!identity_block) return std::unexpected(identity_block.error());
    auto identity = card::decode_identity(*identity_block);
    if (!identity) return std::unexpected(corrupt("identity", identity.error()));
    image.identity = *identity;

    auto balance_block = reader_.read_block(block(card::balance_offset));
    if (!balance_block) return std::unexpected(balance_block.error());
    auto balance = card::decode_balance(*balance_block, block(card::balance_offset));
    if (!balance) return std::unexpected(corrupt("balance", balance.error()));
    image.balance = *balance;

    auto counter_block = reader_.read_block(block(card::counter_offset));
    if (!counter_block) return std::unexpected(counter_block.error());
    auto counter = card::decode_counter(*counter_block, block(card::counter_offset));
    if (!counter) return std::unexpected(corrupt("counter", counter.error()));
    image.counter = *counter;
    return image;
}

Result<CardImage> CardSession::read() {
    auto read_uid = uid();
    if (!read_uid) return std::unexpected(read_uid.error());
    if (auto authenticated = authenticate_ours(card::KeyType::b); !authenticated) {
        if (authenticated.error().code == Errc::auth_failed) {
            return fail(Errc::auth_failed, "the card " + uid_hex(uid_) +
                                               " does not answer to this card centre's keys: a blank card, or "
                                               "one from another system");
        }
        return std::unexpected(authenticated.error());
    }
    return read_authenticated();
}

Result<CardImage> CardSession::write(const card::Identity& identity, std::int32_t balance, std::uint32_t counter) {
    auto kind = classify();
    if (!kind) return std::unexpected(kind.error());
    if (*kind == CardKind::foreign) {
        return fail(Errc::auth_failed, "the card " + uid_hex(uid_) +
                                           " belongs to another system (its sector answers to neither the transport "
                                           "key nor this card centre's key); it cannot be written");
    }
    // classify() left the sector authenticated with the key that opened it.
    const std::uint8_t identity_at = block(card::identity_offset);
    const std::uint8_t balance_at = block(card::balance_offset);
    const std::uint8_t counter_at = block(card::counter_offset);
    if (auto done = reader_.write_block(balance_at, card::encode_balance(0, balance_at)); !done) {
        return std::unexpected(done.error());
    }
    if (auto done = reader_.write_block(identity_at, card::encode_identity(identity)); !done) {
        return std::unexpected(done.error());
    }
    if (auto done = reader_.write_block(counter_at, card::encode_counter(counter, counter_at)); !done) {
        return std::unexpected(done.error());
    }
    if (*kind == CardKind::blank) {
        const card::Block trailer =
            card::encode_trailer(card::card_key(master_, uid_, sector_, card::KeyType::a), card::issued_access,
                                 card::card_key(master_, uid_, sector_, card::KeyType::b));
        if (auto done = reader_.write_block(block(card::trailer_offset), trailer); !done) {
            return std::unexpected(done.error());
        }
        // Opening under the new keys proves the trailer took.
        if (auto again = uid(); !again) return std::unexpected(again.error());
        if (auto authenticated = authenticate_ours(card::KeyType::b); !authenticated) {
            return std::unexpected(authenticated.error());
        }
    }
    // The commit point: until now the card held no money.
    if (auto done = reader_.write_block(balance_at, card::encode_balance(balance, balance_at)); !done) {
        return std::unexpected(done.error());
    }
    auto image = read_authenticated();
    if (!image) return unverified(identity, balance, counter);
    if (!same(*image, identity, balance, counter)) {
        return fail(Errc::card_failed, "the card read back differs from what was written to " + describe(identity));
    }
    return image;
}

CardImage CardSession::unverified(const card::Identity& identity, std::int32_t balance, std::uint32_t counter) const {
    CardImage image;
    image.uid = uid_;
    image.identity = identity;
    image.balance = balance;
    image.counter = counter;
    image.verified = false;
    return image;
}

Result<CardImage> CardSession::add_to_balance(std::int32_t amount) {
    auto before = read();
    if (!before) return std::unexpected(before.error());
    const std::int64_t expected = std::int64_t{before->balance} + amount;
    if (expected < 0 || expected > std::numeric_limits<std::int32_t>::max()) {
        return fail(Errc::card_failed, "the card holds " + std::to_string(before->balance) + " cents; changing it by " +
                                           std::to_string(amount) + " leaves the value block's range");
    }
    const std::uint8_t balance_at = block(card::balance_offset);
    // The commit point.
    auto changed = amount >= 0 ? reader_.increment(balance_at, amount) : reader_.decrement(balance_at, -amount);
    if (!changed) return std::unexpected(changed.error());
    auto after = read_authenticated();
    if (!after) {
        return unverified(before->identity, static_cast<std::int32_t>(expected), before->counter);
    }
    if (after->balance != expected || after->identity != before->identity) {
        return fail(Errc::card_failed, "the card holds " + std::to_string(after->balance) + " cents after the change, not " +
                                           std::to_string(expected));
    }
    return after;
}

Result<WipeOutcome> CardSession::wipe() {
    auto kind = classify();
    if (!kind) return std::unexpected(kind.error());
    if (*kind == CardKind::foreign) {
        return fail(Errc::auth_failed, "the card " + uid_hex(uid_) +
                                           " belongs to another system; only this card centre's cards can be wiped");
    }
    const card::Block zero{};
    // The commit point: once the balance block is zero the card holds no money.
    if (auto done = reader_.write_block(block(card::balance_offset), zero); !done) return std::unexpected(done.error());
    for (const int offset : {card::identity_offset, card::counter_offset}) {
        if (auto done = reader_.write_block(block(offset), zero); !done) return WipeOutcome::unfinished;
    }
    if (*kind == CardKind::ours) {
        const card::Block trailer =
            card::encode_trailer(card::transport_key, card::transport_access, card::transport_key);
        if (auto done = reader_.write_block(block(card::trailer_offset), trailer); !done) return WipeOutcome::unfinished;
        if (auto again = uid(); !again) return WipeOutcome::unfinished;
        if (auto authenticated = authenticate_transport(); !authenticated) return WipeOutcome::unfinished;
    }
    for (const int offset : {card::identity_offset, card::balance_offset, card::counter_offset}) {
        auto read_back = reader_.read_block(block(offset));
        if (!read_back) return WipeOutcome::unfinished;
        if (*read_back != zero) return fail(Errc::card_failed, "the card read back is not blank after the wipe");
    }
    return WipeOutcome::blank;
}

}  // namespace cardd::encoder
