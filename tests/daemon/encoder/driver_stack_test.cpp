// The simulated reader under the real driver: MifareReader over CcidReader
// over the simulator's bulk transfers, as the daemon uses a real encoder.
#include <chrono>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "daemon/encoder/ccid_reader.hpp"
#include "daemon/encoder/mifare_reader.hpp"
#include "daemon/encoder/sim/simulated_reader.hpp"

namespace cardd::encoder::sim {
namespace {

namespace card = protocol::card;
using namespace std::chrono_literals;

constexpr Key key_a{0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5};
constexpr Key key_b{0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5};
constexpr Key wrong_key{0x01, 0x02, 0x03, 0x04, 0x05, 0x06};

constexpr int sector = 5;
constexpr std::uint8_t identity = card::block_number(sector, card::identity_offset);
constexpr std::uint8_t balance = card::block_number(sector, card::balance_offset);
constexpr std::uint8_t counter = card::block_number(sector, card::counter_offset);
constexpr std::uint8_t trailer = card::block_number(sector, card::trailer_offset);

Block filled(std::uint8_t byte) {
    Block block{};
    block.fill(byte);
    return block;
}

class DriverStack : public ::testing::Test {
protected:
    // Writes the sector as the card centre issues it, with transport key A.
    void issue() {
        ASSERT_TRUE(mifare.uid().has_value());
        ASSERT_TRUE(mifare.authenticate(trailer, KeyType::a, card::transport_key).has_value());
        ASSERT_TRUE(mifare.write_block(identity, filled(0x11)).has_value());
        ASSERT_TRUE(mifare.write_block(balance, card::encode_balance(1000, balance)).has_value());
        ASSERT_TRUE(mifare.write_block(counter, card::encode_counter(0, counter)).has_value());
        ASSERT_TRUE(mifare.write_block(trailer, card::encode_trailer(key_a, card::issued_access, key_b)).has_value());
    }

    SimulatedReader reader;
    CcidReader ccid{reader, 200ms};
    MifareReader mifare{ccid};
};

TEST_F(DriverStack, firmware) {
    const auto firmware = mifare.firmware();
    ASSERT_TRUE(firmware.has_value()) << firmware.error().message;
    EXPECT_EQ(*firmware, SimulatedReader::firmware_version);
}

TEST_F(DriverStack, cardPresenceAndUid) {
    auto present = mifare.card_present();
    ASSERT_TRUE(present.has_value()) << present.error().message;
    EXPECT_FALSE(*present);
    const auto no_uid = mifare.uid();
    ASSERT_FALSE(no_uid.has_value());
    EXPECT_EQ(no_uid.error().code, Errc::no_card);

    const auto placed = reader.place_blank().value();
    present = mifare.card_present();
    ASSERT_TRUE(present.has_value()) << present.error().message;
    EXPECT_TRUE(*present);
    const auto uid = mifare.uid();
    ASSERT_TRUE(uid.has_value()) << uid.error().message;
    EXPECT_EQ(*uid, placed);

    reader.remove();
    present = mifare.card_present();
    ASSERT_TRUE(present.has_value());
    EXPECT_FALSE(*present);
}

TEST_F(DriverStack, authenticateWithRightAndWrongKey) {
    reader.place_blank().value();
    ASSERT_TRUE(mifare.uid().has_value());
    const auto right = mifare.authenticate(identity, KeyType::a, card::transport_key);
    EXPECT_TRUE(right.has_value()) << right.error().message;
    const auto wrong = mifare.authenticate(identity, KeyType::a, wrong_key);
    ASSERT_FALSE(wrong.has_value());
    EXPECT_EQ(wrong.error().code, Errc::auth_failed);
    // The card dropped its authentication with the wrong key.
    EXPECT_FALSE(mifare.read_block(identity).has_value());
}

TEST_F(DriverStack, readWriteAndValueOperations) {
    reader.place_blank().value();
    issue();
    ASSERT_TRUE(mifare.authenticate(balance, KeyType::b, key_b).has_value());
    EXPECT_TRUE(mifare.write_block(identity, filled(0x22)).has_value());
    const auto read = mifare.read_block(identity);
    ASSERT_TRUE(read.has_value()) << read.error().message;
    EXPECT_EQ(*read, filled(0x22));
    const auto up = mifare.increment(balance, 500);
    EXPECT_TRUE(up.has_value()) << up.error().message;
    const auto down = mifare.decrement(balance, 200);
    EXPECT_TRUE(down.has_value()) << down.error().message;
    const auto value = mifare.read_value(balance);
    ASSERT_TRUE(value.has_value()) << value.error().message;
    EXPECT_EQ(*value, 1300);
    const auto block = mifare.read_block(balance);
    ASSERT_TRUE(block.has_value());
    EXPECT_EQ(card::decode_balance(*block, balance).value_or(-1), 1300);
}

TEST_F(DriverStack, keyAMayReadAndDecrementOnly) {
    reader.place_blank().value();
    issue();
    ASSERT_TRUE(mifare.authenticate(balance, KeyType::a, key_a).has_value());
    EXPECT_TRUE(mifare.read_block(identity).has_value());
    EXPECT_TRUE(mifare.decrement(balance, 100).has_value());
    EXPECT_TRUE(mifare.decrement(counter, 1).has_value());

    const auto write = mifare.write_block(identity, filled(0x33));
    ASSERT_FALSE(write.has_value());
    EXPECT_EQ(write.error().code, Errc::not_permitted);
    const auto increment = mifare.increment(balance, 100);
    ASSERT_FALSE(increment.has_value());
    EXPECT_EQ(increment.error().code, Errc::not_permitted);

    const auto value = mifare.read_value(balance);
    ASSERT_TRUE(value.has_value()) << value.error().message;
    EXPECT_EQ(*value, 900);
    const auto kept = reader.card(*reader.card_on_reader());
    ASSERT_TRUE(kept.has_value());
    EXPECT_EQ(kept->memory()[identity], filled(0x11));
}

TEST_F(DriverStack, trailerReadsBackWithoutKeys) {
    reader.place_blank().value();
    issue();
    ASSERT_TRUE(mifare.authenticate(trailer, KeyType::b, key_b).has_value());
    const auto read = mifare.read_block(trailer);
    ASSERT_TRUE(read.has_value()) << read.error().message;
    const auto bits = card::encode_access_bytes(card::issued_access);
    const Block seen{0, 0, 0, 0, 0, 0, bits[0], bits[1], bits[2], card::trailer_user_byte, 0, 0, 0, 0, 0, 0};
    EXPECT_EQ(*read, seen);
}

TEST_F(DriverStack, cardPulledInTheMiddleOfAWrite) {
    const auto uid = reader.place_blank().value();
    ASSERT_TRUE(mifare.uid().has_value());
    reader.remove_after(1);
    ASSERT_TRUE(mifare.authenticate(identity, KeyType::a, card::transport_key).has_value());
    const auto write = mifare.write_block(identity, filled(0x44));
    ASSERT_FALSE(write.has_value());
    EXPECT_TRUE(write.error().code == Errc::card_removed || write.error().code == Errc::no_card)
        << to_string(write.error().code) << ": " << write.error().message;
    ASSERT_TRUE(reader.card(uid).has_value());
    EXPECT_EQ(reader.card(uid)->memory()[identity], Block{});

    // Put back, the card needs a fresh authentication.
    reader.place(uid).value();
    ASSERT_TRUE(mifare.uid().has_value());
    EXPECT_FALSE(mifare.write_block(identity, filled(0x44)).has_value());
    ASSERT_TRUE(mifare.authenticate(identity, KeyType::a, card::transport_key).has_value());
    EXPECT_TRUE(mifare.write_block(identity, filled(0x44)).has_value());
}

TEST_F(DriverStack, timeExtensionsAreWaitedOut) {
    const auto placed = reader.place_blank().value();
    reader.delay_answers(4);
    const auto uid = mifare.uid();
    ASSERT_TRUE(uid.has_value()) << uid.error().message;
    EXPECT_EQ(*uid, placed);
    ASSERT_TRUE(mifare.authenticate(identity, KeyType::a, card::transport_key).has_value());
    EXPECT_TRUE(mifare.write_block(identity, filled(0x55)).has_value());
    const auto read = mifare.read_block(identity);
    ASSERT_TRUE(read.has_value()) << read.error().message;
    EXPECT_EQ(*read, filled(0x55));
}

TEST_F(DriverStack, cardsComeAndGoFromAnotherThread) {
    const auto uid = reader.place_blank().value();
    std::thread hand([&] {
        for (int i = 0; i < 500; ++i) {
            reader.remove();
            reader.place(uid).value();
        }
    });
    // Every exchange stays whole: an answer, with its own sequence number.
    for (int i = 0; i < 500; ++i) {
        const auto present = mifare.card_present();
        ASSERT_TRUE(present.has_value()) << present.error().message;
        const auto read = mifare.uid();
        if (!read) {
            EXPECT_TRUE(read.error().code == Errc::no_card || read.error().code == Errc::card_removed)
                << read.error().message;
        }
    }
    hand.join();
}

TEST_F(DriverStack, shelfSurvivesSaveAndLoad) {
    const auto uid = reader.place_blank().value();
    issue();
    const auto other = reader.place_blank().value();
    const std::string text = reader.save_shelf();

    SimulatedReader restarted;
    const auto loaded = restarted.load_shelf(text);
    ASSERT_TRUE(loaded.has_value()) << loaded.error().message;
    EXPECT_EQ(restarted.save_shelf(), text);
    EXPECT_FALSE(restarted.card_on_reader().has_value());
    ASSERT_TRUE(restarted.card(other).has_value());
    // Blank cards after a restart never reuse a kept UID.
    const auto fresh = restarted.place_blank().value();
    EXPECT_NE(fresh, uid);
    EXPECT_NE(fresh, other);

    restarted.place(uid).value();
    CcidReader restarted_ccid{restarted, 200ms};
    MifareReader restarted_mifare{restarted_ccid};
    ASSERT_TRUE(restarted_mifare.uid().has_value());
    ASSERT_TRUE(restarted_mifare.authenticate(balance, KeyType::a, key_a).has_value());
    const auto value = restarted_mifare.read_value(balance);
    ASSERT_TRUE(value.has_value()) << value.error().message;
    EXPECT_EQ(*value, 1000);
    const auto transport = restarted_mifare.authenticate(balance, KeyType::a, card::transport_key);
    ASSERT_FALSE(transport.has_value());
    EXPECT_EQ(transport.error().code, Errc::auth_failed);
}

TEST_F(DriverStack, malformedShelfIsRejectedAndChangesNothing) {
    reader.place_blank().value();
    issue();
    const std::string good = reader.save_shelf();
    const std::string line = good.substr(0, good.find('\n'));
    const std::string uid_hex = line.substr(0, line.find(' '));
    const std::string memory = line.substr(line.find(' ') + 1);

    std::string bad_trailer = memory;
    // C1 of the access bytes no longer matches its inverted copy.
    char& digit = bad_trailer[2 * (16 * trailer + 7)];
    digit = digit == '0' ? '1' : '0';
    std::string not_hex = memory;
    not_hex[40] = 'x';
    const std::vector<std::string> malformed{
        uid_hex + memory + "\n",                  // no space
        uid_hex + " " + memory.substr(2) + "\n",  // a digit short
        uid_hex + " " + not_hex + "\n",           // not hex
        "04A2 " + memory + "\n",                  // 2-byte UID
        uid_hex + " " + bad_trailer + "\n",       // access bits disagree
        good + good,                              // the same card twice
        "04000000 " + memory + "\n",              // UID not the one in block 0
    };
    SimulatedReader target;
    const auto kept = target.place_blank().value();
    const std::string before = target.save_shelf();
    for (const auto& text : malformed) {
        const auto loaded = target.load_shelf(text);
        ASSERT_FALSE(loaded.has_value());
        EXPECT_EQ(loaded.error().code, Errc::corrupt);
        EXPECT_NE(loaded.error().message.find("line"), std::string::npos) << loaded.error().message;
        // Key bytes never appear in the message.
        EXPECT_EQ(loaded.error().message.find("A0A1A2"), std::string::npos) << loaded.error().message;
        EXPECT_EQ(target.save_shelf(), before);
        EXPECT_EQ(target.card_on_reader(), kept);
    }
}

}  // namespace
}  // namespace cardd::encoder::sim
