#include "daemon/encoder/card_session.hpp"

#include <stdexcept>

#include "protocol/card/access_bits.hpp"
#include "protocol/hex.hpp"

namespace cardd::encoder {

namespace card = protocol::card;

namespace {

/// Wraps a decoder's refusal: which block, and why.
Error corrupt(const char* block, const protocol::DecodeError& error) {
    return Error{Errc::corrupt, std::string("the card's ") + block + " block is not valid: " + error.message};
}

}  // namespace

std::string uid_hex(const std::vector<std::uint8_t>& uid) { return protocol::hex_bytes(uid); }

Sector blank_sector() { return Sector{}; }

Sector card_sector(const card::Identity& identity, std::int32_t balance, std::uint32_t counter, int sector) {
    Sector content;
    content.keys = CardKind::ours;
    content.data[card::identity_offset] = card::encode_identity(identity);
    content.data[card::balance_offset] =
        card::encode_balance(balance, card::block_number(sector, card::balance_offset));
    content.data[card::counter_offset] =
        card::encode_counter(counter, card::block_number(sector, card::counter_offset));
    return content;
}

Result<CardKind> CardSession::open_sector(const char* refused_because) {
    auto kind = classify();
    if (!kind) return std::unexpected(kind.error());
    if (*kind == CardKind::foreign) {
        return fail(Errc::auth_failed, "the card " + uid_hex(uid_) +
                                           " belongs to another system (its sector answers to neither the transport "
                                           "key nor this card centre's key); " +
                                           refused_because);
    }
    return kind;
}

Result<Sector> CardSession::read_sector() {
    auto kind = open_sector("it cannot be read");
    if (!kind) return std::unexpected(kind.error());
    Sector content;
    content.keys = *kind;
    for (const int offset : {card::identity_offset, card::balance_offset, card::counter_offset}) {
        auto data = reader_.read_block(block(offset));
        if (!data) return std::unexpected(data.error());
        content.data[static_cast<std::size_t>(offset)] = *data;
    }
    return content;
}

Result<void> CardSession::change_keys(CardKind keys) {
    const bool ours = keys == CardKind::ours;
    const card::Block trailer =
        ours ? card::encode_trailer(card::card_key(master_, uid_, sector_, card::KeyType::a), card::issued_access,
                                    card::card_key(master_, uid_, sector_, card::KeyType::b))
             : card::encode_trailer(card::transport_key, card::transport_access, card::transport_key);
    if (auto done = reader_.write_block(block(card::trailer_offset), trailer); !done) return done;
    // The sector is still open with the old key, which the new access
    // conditions need not let write. Opening it under the new keys proves the
    // trailer took, and lets key B write the balance that follows.
    if (auto again = uid(); !again) return std::unexpected(again.error());
    return ours ? authenticate_ours(card::KeyType::b) : authenticate_transport();
}

Result<void> CardSession::write_sector(const Sector& target) {
    if (target.keys == CardKind::foreign)
        throw std::invalid_argument("a card is never written to another system's keys");
    auto kind = open_sector("it cannot be written");
    if (!kind) return std::unexpected(kind.error());
    const auto write = [&](int offset) {
        return reader_.write_block(block(offset), target.data[static_cast<std::size_t>(offset)]);
    };
    // The balance goes on a card of ours only once its identity, counter and
    // keys are there, and comes off a card going blank before anything else
    // (docs/card-format.md, "The order of writes").
    const bool to_blank = target.keys == CardKind::blank;
    if (to_blank) {
        if (auto done = write(card::balance_offset); !done) return done;
    }
    for (const int offset : {card::identity_offset, card::counter_offset}) {
        if (auto done = write(offset); !done) return done;
    }
    if (*kind != target.keys) {
        if (auto changed = change_keys(target.keys); !changed) return changed;
    }
    if (!to_blank) {
        if (auto done = write(card::balance_offset); !done) return done;
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
    if (auto transport = authenticate_transport())
        return CardKind::blank;
    else if (transport.error().code != Errc::auth_failed)
        return std::unexpected(transport.error());
    // A refused key leaves a MIFARE card halted; selecting it again (the
    // UID request) wakes it for the next try.
    if (auto again = uid(); !again) return std::unexpected(again.error());
    if (auto ours = authenticate_ours(card::KeyType::b))
        return CardKind::ours;
    else if (ours.error().code != Errc::auth_failed)
        return std::unexpected(ours.error());
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

}  // namespace cardd::encoder
