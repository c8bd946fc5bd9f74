#pragma once
// CardSession over the whole driver stack as the daemon runs it: the
// simulated reader's bulk transfers under CcidReader and MifareReader, so
// that what a session reports can be checked against the virtual card's raw
// memory. Shared by the tests of the card session.

#include <array>
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/encoder/card_session.hpp"
#include "daemon/encoder/ccid_reader.hpp"
#include "daemon/encoder/mifare_reader.hpp"
#include "daemon/encoder/sim/simulated_reader.hpp"
#include "daemon/encoder/sim/virtual_card.hpp"
#include "protocol/card/access_bits.hpp"
#include "protocol/card/card_layout.hpp"
#include "protocol/card/key_diversification.hpp"

namespace cardd::encoder::session_test {

namespace card = protocol::card;
using card::Block;
using card::KeyType;
using Uid = std::vector<std::uint8_t>;
using Memory = std::array<Block, 64>;

inline constexpr card::MasterKey master{0x3C, 0x91, 0x07, 0xE4, 0x5A, 0x12, 0xBF, 0x68,
                                        0xD3, 0x2E, 0x7B, 0x40, 0x99, 0xC5, 0x0A, 0xF6};
inline constexpr card::MasterKey other_master{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                              0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF};
inline constexpr int sector = 1;
inline constexpr int other_sector = 15;

// Card 123456, serial 42, issued 2026-11-25, expiring 2031-11-25; and the
// same card number given out again on serial 43.
inline constexpr card::Identity identity{card::CardStatus::active, 123456, 42, 9825, 11651};
inline constexpr card::Identity reissued{card::CardStatus::active, 123456, 43, 9900, 11700};

inline constexpr std::int32_t opening = 5000;
inline constexpr std::int32_t top_up = 1234;

inline std::uint8_t at(int offset, int in_sector = sector) { return card::block_number(in_sector, offset); }

inline Block transport_trailer() {
    return card::encode_trailer(card::transport_key, card::transport_access, card::transport_key);
}

inline Block issued_trailer(const Uid& uid, const card::MasterKey& key = master, int in_sector = sector) {
    return card::encode_trailer(card::card_key(key, uid, in_sector, KeyType::a), card::issued_access,
                                card::card_key(key, uid, in_sector, KeyType::b));
}

/// The trailer a sector with `keys` has on the card `uid`.
inline Block trailer_for(CardKind keys, const Uid& uid) {
    return keys == CardKind::ours ? issued_trailer(uid) : transport_trailer();
}

/// A card of ours in the configured sector.
inline Sector ours(std::int32_t balance, std::uint32_t counter, const card::Identity& who = identity) {
    return card_sector(who, balance, counter, sector);
}

inline std::string describe(const Error& error) { return std::string(to_string(error.code)) + ": " + error.message; }

/// A card that left the reader is reported as gone, never as a refused key
/// (which the daemon would report as another system's card) or a bad block.
inline bool card_went_away(const Error& error) {
    return error.code == Errc::card_removed || error.code == Errc::no_card;
}

class CardSessionTest : public ::testing::Test {
protected:
    CardSession session(int in_sector = sector, const card::MasterKey& key = master) {
        return CardSession(mifare, key, in_sector);
    }

    Memory memory(const Uid& uid) const {
        const auto kept = reader.card(uid);
        EXPECT_TRUE(kept.has_value());
        return kept ? kept->memory() : Memory{};
    }

    /// A new blank card on the reader, brought to `content`; answers its UID.
    Uid place_holding(const Sector& content, const card::MasterKey& key = master) {
        const Uid uid = reader.place_blank().value();
        if (content != blank_sector()) {
            const auto written = session(sector, key).write_sector(content);
            EXPECT_TRUE(written.has_value()) << describe(written.error());
        }
        return uid;
    }

    sim::SimulatedReader reader;
    CcidReader ccid{reader, std::chrono::milliseconds(200)};
    MifareReader mifare{ccid};
};

}  // namespace cardd::encoder::session_test
