// The simulated reader with a card directory, under the real driver stack,
// checked the way a restarted daemon would see it: a second reader that
// loads the same directory. Nothing here ever asks the reader to save: every
// change the card acknowledged must be in its file already, as it would be
// on a physical card, and a change the file cannot take must not happen at
// all. And the single file of earlier releases, moved in on first load.
#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <variant>
#include <vector>

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "daemon/encoder/card_session.hpp"
#include "daemon/encoder/ccid_reader.hpp"
#include "daemon/encoder/mifare_reader.hpp"
#include "daemon/encoder/sim/simulated_reader.hpp"
#include "daemon/encoder/sim/virtual_card.hpp"
#include "protocol/card/access_bits.hpp"
#include "protocol/card/card_layout.hpp"
#include "protocol/card/key_diversification.hpp"
#include "protocol/ccid/acr122_apdu.hpp"
#include "protocol/ccid/ccid_message.hpp"
#include "protocol/hex.hpp"
#include "tests/support/temp_dir.hpp"

namespace cardd::encoder::sim {
namespace {

namespace fs = std::filesystem;
namespace card = protocol::card;
namespace ccid = protocol::ccid;
namespace acr122 = protocol::acr122;
using Uid = std::vector<std::uint8_t>;
using Memory = std::array<Block, 64>;
using namespace std::chrono_literals;

constexpr card::MasterKey master{0x3C, 0x91, 0x07, 0xE4, 0x5A, 0x12, 0xBF, 0x68,
                                 0xD3, 0x2E, 0x7B, 0x40, 0x99, 0xC5, 0x0A, 0xF6};
constexpr card::Identity identity{card::CardStatus::active, 123456, 42, 9825, 11651};
constexpr std::int32_t opening = 5000;

constexpr Key key_a{0xA0, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5};
constexpr Key key_b{0xB0, 0xB1, 0xB2, 0xB3, 0xB4, 0xB5};

constexpr int sector = 1;
constexpr std::uint8_t identity_block = card::block_number(sector, card::identity_offset);
constexpr std::uint8_t balance_block = card::block_number(sector, card::balance_offset);
constexpr std::uint8_t counter_block = card::block_number(sector, card::counter_offset);
constexpr std::uint8_t trailer_block = card::block_number(sector, card::trailer_offset);

// Every pulled-card loop stops long before this; it only guards against a
// card that never leaves.
constexpr int max_commands = 100;

Block filled(std::uint8_t byte) {
    Block block{};
    block.fill(byte);
    return block;
}

std::string describe(const Error& error) { return std::string(to_string(error.code)) + ": " + error.message; }

std::string contents(const fs::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

ino_t inode_of(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_ino;
}

mode_t mode_of(const fs::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_mode & 07777;
}

/// The names in a directory, sorted.
std::set<std::string> names_in(const fs::path& directory) {
    std::set<std::string> names;
    for (const auto& entry : fs::directory_iterator(directory)) names.insert(entry.path().filename().string());
    return names;
}

fs::path made(const fs::path& directory) {
    fs::create_directories(directory);
    return directory;
}

/// Sits between the driver and the reader and notes every block write the
/// card acknowledged (90 00), read off the wire with the protocol codecs.
class AcknowledgedWrites final : public UsbTransport {
public:
    explicit AcknowledgedWrites(UsbTransport& reader) : reader_(reader) {}

    Result<void> bulk_out(std::span<const std::uint8_t> message, std::chrono::milliseconds timeout) override {
        pending_.reset();
        const auto host = ccid::decode_host_message(message);
        if (host && host->type == ccid::MessageType::xfr_block) {
            const auto command = acr122::decode_command(host->data);
            if (command && std::holds_alternative<acr122::UpdateBinary>(*command)) {
                pending_ = std::get<acr122::UpdateBinary>(*command);
            }
        }
        return reader_.bulk_out(message, timeout);
    }

    Result<std::vector<std::uint8_t>> bulk_in(std::size_t max_size, std::chrono::milliseconds timeout) override {
        auto bytes = reader_.bulk_in(max_size, timeout);
        if (!bytes || !pending_) return bytes;
        const auto answer = ccid::decode_reader_message(*bytes);
        if (!answer || answer->type != ccid::MessageType::data_block || answer->command != ccid::CommandStatus::ok) {
            return bytes;  // a time extension, or the card did not answer
        }
        const auto response = acr122::decode_response(answer->data);
        if (response && response->ok()) acknowledged.push_back(*pending_);
        pending_.reset();
        return bytes;
    }

    std::vector<acr122::UpdateBinary> acknowledged;

private:
    UsbTransport& reader_;
    std::optional<acr122::UpdateBinary> pending_;
};

class DurableShelf : public ::testing::Test {
protected:
    /// The card as a restarted daemon would find it: read from the file by a
    /// reader of its own.
    Memory from_file(const Uid& uid) const {
        SimulatedReader restarted(shelf());
        const auto loaded = restarted.load_shelf_directory();
        EXPECT_TRUE(loaded.has_value()) << describe(loaded.error());
        const auto kept = restarted.card(uid);
        EXPECT_TRUE(kept.has_value()) << "the file does not hold the card";
        return kept ? kept->memory() : Memory{};
    }

    Memory in_memory(const Uid& uid) const {
        const auto kept = reader_.card(uid);
        EXPECT_TRUE(kept.has_value());
        return kept ? kept->memory() : Memory{};
    }

    // Gives the sector keys and value blocks, as the card centre issues it.
    void issue() {
        ASSERT_TRUE(mifare_.uid().has_value());
        ASSERT_TRUE(mifare_.authenticate(trailer_block, KeyType::a, card::transport_key).has_value());
        ASSERT_TRUE(mifare_.write_block(identity_block, filled(0x11)).has_value());
        ASSERT_TRUE(mifare_.write_block(balance_block, card::encode_balance(1000, balance_block)).has_value());
        ASSERT_TRUE(mifare_.write_block(counter_block, card::encode_counter(0, counter_block)).has_value());
        ASSERT_TRUE(
            mifare_.write_block(trailer_block, card::encode_trailer(key_a, card::issued_access, key_b)).has_value());
    }

    // An APDU sent past the driver, for the one MifareReader has no call for.
    acr122::Response transmit(const acr122::Command& command) {
        const auto apdu = acr122::encode(command);
        EXPECT_TRUE(reader_.bulk_out(ccid::encode(ccid::xfr_block(0, 0x77, apdu)), 100ms).has_value());
        const auto bytes = reader_.bulk_in(ccid::max_message_size, 100ms);
        EXPECT_TRUE(bytes.has_value());
        if (!bytes) return {};
        const auto answer = ccid::decode_reader_message(*bytes);
        EXPECT_TRUE(answer.has_value());
        if (!answer) return {};
        return acr122::decode_response(answer->data).value_or(acr122::Response{{}, 0});
    }

    test::TempDir dir_;
    fs::path data_ = made(dir_.path() / "data");
    fs::path cards_ = data_ / "encoder-desk.cards.d";
    fs::path old_file_ = data_ / "encoder-desk.cards";
    ShelfDirectory shelf() const { return ShelfDirectory(cards_, old_file_); }
    fs::path file_of(const Uid& uid) const { return cards_ / protocol::hex_bytes(uid); }
    SimulatedReader reader_{shelf()};
    AcknowledgedWrites wire_{reader_};
    CcidReader ccid_{wire_, 200ms};
    MifareReader mifare_{ccid_};
};

TEST_F(DurableShelf, aBlockWriteIsInTheFileWhenItIsAcknowledged) {
    const Uid uid = reader_.place_blank().value();
    ASSERT_TRUE(mifare_.uid().has_value());
    ASSERT_TRUE(mifare_.authenticate(identity_block, KeyType::a, card::transport_key).has_value());
    const auto written = mifare_.write_block(identity_block, filled(0x5C));
    ASSERT_TRUE(written.has_value()) << describe(written.error());

    const Memory kept = from_file(uid);
    EXPECT_EQ(kept[identity_block], filled(0x5C));
    EXPECT_EQ(kept, in_memory(uid));
}

TEST_F(DurableShelf, valueTransfersAreInTheFile) {
    const Uid uid = reader_.place_blank().value();
    issue();
    ASSERT_TRUE(mifare_.authenticate(balance_block, KeyType::b, key_b).has_value());
    ASSERT_TRUE(mifare_.increment(balance_block, 500).has_value());
    EXPECT_EQ(card::decode_balance(from_file(uid)[balance_block], balance_block).value_or(-1), 1500);
    ASSERT_TRUE(mifare_.decrement(balance_block, 200).has_value());
    EXPECT_EQ(card::decode_balance(from_file(uid)[balance_block], balance_block).value_or(-1), 1300);

    // Restore the balance into the counter block, and transfer it there.
    const Block counter_before = in_memory(uid)[counter_block];
    ASSERT_TRUE(transmit(acr122::RestoreValue{balance_block, counter_block}).ok());
    const Block counter_after = in_memory(uid)[counter_block];
    ASSERT_NE(counter_after, counter_before);
    EXPECT_EQ(from_file(uid)[counter_block], counter_after);
}

// Each card is in the file as soon as it is on the reader, not only once
// the next one has been placed.
TEST_F(DurableShelf, placedCardsAreInTheFile) {
    const Uid blank = reader_.place_blank().value();
    EXPECT_EQ(from_file(blank), VirtualCard(blank).memory());
    const Uid by_hand{0x04, 0x11, 0x22, 0x33};
    ASSERT_TRUE(reader_.place(by_hand).has_value());
    EXPECT_EQ(from_file(by_hand), VirtualCard(by_hand).memory());
    VirtualCard written(Uid{0x04, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA});
    ASSERT_EQ(written.authenticate(identity_block, KeyType::a, card::transport_key), CardOutcome::ok);
    ASSERT_EQ(written.write(identity_block, filled(0x42)), CardOutcome::ok);
    ASSERT_TRUE(reader_.place(written).has_value());
    EXPECT_EQ(from_file(written.uid()), written.memory());
    EXPECT_EQ(from_file(blank), VirtualCard(blank).memory());
}

// remove_after(n) takes the card away once n more card commands have been
// answered; for n = 0, 1, 2, ... the write stops after each of its block
// writes in turn. MIFARE Classic writes a block whole or not at all, and the
// blocks of a sector one by one: the file must show exactly the blocks the
// card acknowledged before it left, each whole, and no other.
TEST_F(DurableShelf, aCardPulledDuringAWriteLeavesExactlyTheAcknowledgedBlocks) {
    std::set<std::size_t> torn_after;
    for (int n = 0;; ++n) {
        ASSERT_LE(n, max_commands);
        SCOPED_TRACE("the card left after " + std::to_string(n) + " commands");
        const Uid uid = reader_.place_blank().value();
        wire_.acknowledged.clear();
        reader_.remove_after(n);
        const auto written =
            CardSession(mifare_, master, sector).write_sector(card_sector(identity, opening, 1, sector));
        const bool left = !reader_.card_on_reader().has_value();

        Memory expected = VirtualCard(uid).memory();
        for (const auto& write : wire_.acknowledged) expected[write.block] = write.data;
        const Memory kept = from_file(uid);
        for (std::size_t block = 0; block < kept.size(); ++block) {
            EXPECT_EQ(kept[block], expected[block]) << "block " << block;
        }
        EXPECT_EQ(kept, in_memory(uid));
        torn_after.insert(wire_.acknowledged.size());
        if (!left) {
            ASSERT_TRUE(written.has_value()) << describe(written.error());
            break;
        }
    }
    // Pulled before the first block write, after each of them (identity,
    // counter, trailer, balance), and never: the write has four.
    EXPECT_EQ(torn_after, (std::set<std::size_t>{0, 1, 2, 3, 4}));
}

TEST_F(DurableShelf, aWriteTheFileCannotTakeFailsAndChangesNothing) {
    const Uid uid = reader_.place_blank().value();
    issue();
    const Memory before = in_memory(uid);
    const std::string file_before = contents(file_of(uid));
    fs::remove_all(data_);

    ASSERT_TRUE(mifare_.authenticate(balance_block, KeyType::b, key_b).has_value());
    const auto written = mifare_.write_block(identity_block, filled(0x66));
    ASSERT_FALSE(written.has_value());
    // What the card answers to a write it refuses, the card still there.
    EXPECT_EQ(written.error().code, Errc::not_permitted) << describe(written.error());
    EXPECT_EQ(in_memory(uid), before);
    const auto increment = mifare_.increment(balance_block, 100);
    ASSERT_FALSE(increment.has_value());
    EXPECT_EQ(increment.error().code, Errc::not_permitted) << describe(increment.error());
    EXPECT_EQ(in_memory(uid), before);
    EXPECT_FALSE(transmit(acr122::RestoreValue{balance_block, counter_block}).ok());
    EXPECT_EQ(in_memory(uid), before);

    // No card goes on the reader that the file could not keep.
    const auto placed = reader_.place_blank();
    ASSERT_FALSE(placed.has_value());
    EXPECT_EQ(placed.error().code, Errc::storage);
    EXPECT_EQ(reader_.card_on_reader(), uid);

    // With the directory back, the card is written as it was before.
    made(data_);
    const auto again = mifare_.write_block(identity_block, filled(0x66));
    ASSERT_TRUE(again.has_value()) << describe(again.error());
    EXPECT_EQ(from_file(uid)[identity_block], filled(0x66));
    EXPECT_NE(contents(file_of(uid)), file_before);
}

TEST_F(DurableShelf, aMalformedFileIsRefusedAndTheReaderStartsEmpty) {
    made(cards_);
    std::ofstream(cards_ / "04A20001") << "04A20001 not a card\n";
    SimulatedReader restarted(shelf());
    const auto loaded = restarted.load_shelf_directory();
    ASSERT_FALSE(loaded.has_value());
    EXPECT_EQ(loaded.error().code, Errc::corrupt);
    EXPECT_EQ(restarted.save_shelf(), "");
}

TEST_F(DurableShelf, noFileYetIsAnEmptyShelf) {
    SimulatedReader fresh(ShelfDirectory(data_ / "encoder-new.cards.d", data_ / "encoder-new.cards"));
    const auto loaded = fresh.load_shelf_directory();
    ASSERT_TRUE(loaded.has_value()) << describe(loaded.error());
    EXPECT_EQ(fresh.save_shelf(), "");
    EXPECT_FALSE(fs::exists(data_ / "encoder-new.cards.d"));
    EXPECT_FALSE(fs::exists(data_ / "encoder-new.cards"));
}

// Placing a card and writing to it each write that card's file: the other
// cards' files keep their inodes (a store renames a new file in).
TEST_F(DurableShelf, aPlacementOrAWriteTouchesOneFileOnly) {
    const Uid first = reader_.place_blank().value();
    const Uid second = reader_.place_blank().value();
    const ino_t first_inode = inode_of(file_of(first));
    const ino_t second_inode = inode_of(file_of(second));

    const Uid third = reader_.place_blank().value();
    EXPECT_EQ(inode_of(file_of(first)), first_inode);
    EXPECT_EQ(inode_of(file_of(second)), second_inode);
    EXPECT_EQ(names_in(cards_), (std::set<std::string>{protocol::hex_bytes(first), protocol::hex_bytes(second),
                                                       protocol::hex_bytes(third)}));

    const ino_t third_inode = inode_of(file_of(third));
    ASSERT_TRUE(mifare_.uid().has_value());
    ASSERT_TRUE(mifare_.authenticate(identity_block, KeyType::a, card::transport_key).has_value());
    ASSERT_TRUE(mifare_.write_block(identity_block, filled(0x5C)).has_value());
    EXPECT_NE(inode_of(file_of(third)), third_inode);
    EXPECT_EQ(inode_of(file_of(first)), first_inode);
    EXPECT_EQ(inode_of(file_of(second)), second_inode);
    EXPECT_EQ(from_file(third)[identity_block], filled(0x5C));

    // Placing a card kept already (nothing changed) writes nothing.
    const ino_t written_inode = inode_of(file_of(third));
    ASSERT_TRUE(reader_.place(first).has_value());
    EXPECT_EQ(inode_of(file_of(first)), first_inode);
    EXPECT_EQ(inode_of(file_of(third)), written_inode);
}

TEST_F(DurableShelf, theDirectoryAndItsFilesAreOwnerOnly) {
    const mode_t old_mask = ::umask(0);
    const Uid uid = reader_.place_blank().value();
    ::umask(old_mask);
    EXPECT_EQ(mode_of(cards_), 0700);
    EXPECT_EQ(mode_of(file_of(uid)), 0600);
}

// A write cut short before its rename leaves UID.new beside the card's file:
// a restarted reader finds the card as it was acknowledged, and no temporary.
TEST_F(DurableShelf, aStaleTemporaryIsIgnored) {
    const Uid uid = reader_.place_blank().value();
    std::ofstream(file_of(uid).string() + ".new") << protocol::hex_bytes(uid) << " half a card";
    EXPECT_EQ(from_file(uid), VirtualCard(uid).memory());
    EXPECT_EQ(names_in(cards_), std::set<std::string>{protocol::hex_bytes(uid)});
}

// The single file of an earlier release: every card moved into the
// directory, a file each, and the old file gone only then.
TEST_F(DurableShelf, theOldSingleFileIsMovedIn) {
    SimulatedReader before;  // an earlier release's cards, as its file held them
    const Uid blank = before.place_blank().value();
    VirtualCard written(Uid{0x04, 0x55, 0x66, 0x77, 0x88, 0x99, 0xAA});
    ASSERT_EQ(written.authenticate(identity_block, KeyType::a, card::transport_key), CardOutcome::ok);
    ASSERT_EQ(written.write(identity_block, filled(0x42)), CardOutcome::ok);
    ASSERT_TRUE(before.place(written).has_value());
    const std::string text = before.save_shelf();
    std::ofstream(old_file_) << text;
    std::ofstream(old_file_.string() + ".new") << "half an old file";

    SimulatedReader restarted(shelf());
    const auto loaded = restarted.load_shelf_directory();
    ASSERT_TRUE(loaded.has_value()) << describe(loaded.error());
    EXPECT_EQ(restarted.save_shelf(), text);
    EXPECT_FALSE(fs::exists(old_file_));
    EXPECT_FALSE(fs::exists(old_file_.string() + ".new"));
    EXPECT_EQ(names_in(cards_),
              (std::set<std::string>{protocol::hex_bytes(blank), protocol::hex_bytes(written.uid())}));
    EXPECT_EQ(mode_of(cards_), 0700);
    EXPECT_EQ(mode_of(file_of(blank)), 0600);
    EXPECT_EQ(from_file(written.uid()), written.memory());
}

// Killed half way through the move, the old file is still there and some
// cards are in the directory already: the next load moves it again, whole.
TEST_F(DurableShelf, aMoveCutShortIsDoneAgain) {
    SimulatedReader before;
    const Uid one = before.place_blank().value();
    const Uid two = before.place_blank().value();
    const std::string text = before.save_shelf();
    std::ofstream(old_file_) << text;
    made(cards_);
    std::ofstream(file_of(one)) << text.substr(0, text.find('\n') + 1);

    SimulatedReader restarted(shelf());
    const auto loaded = restarted.load_shelf_directory();
    ASSERT_TRUE(loaded.has_value()) << describe(loaded.error());
    EXPECT_EQ(restarted.save_shelf(), text);
    EXPECT_FALSE(fs::exists(old_file_));
    EXPECT_EQ(names_in(cards_), (std::set<std::string>{protocol::hex_bytes(one), protocol::hex_bytes(two)}));
}

// A malformed old file is refused whole: nothing moved, the file kept for
// someone to look at.
TEST_F(DurableShelf, aMalformedOldFileIsKeptAndNothingMoved) {
    std::ofstream(old_file_) << "04A20001 not a card\n";
    SimulatedReader restarted(shelf());
    const auto loaded = restarted.load_shelf_directory();
    ASSERT_FALSE(loaded.has_value());
    EXPECT_EQ(loaded.error().code, Errc::corrupt);
    EXPECT_NE(loaded.error().message.find(old_file_.string()), std::string::npos) << loaded.error().message;
    EXPECT_TRUE(fs::exists(old_file_));
    EXPECT_FALSE(fs::exists(cards_));
}

// A card file that holds another card than its name says is refused.
TEST_F(DurableShelf, aCardFileUnderAnotherNameIsRefused) {
    const Uid uid = reader_.place_blank().value();
    fs::rename(file_of(uid), cards_ / "04000001");
    SimulatedReader restarted(shelf());
    const auto loaded = restarted.load_shelf_directory();
    ASSERT_FALSE(loaded.has_value());
    EXPECT_EQ(loaded.error().code, Errc::corrupt);
    EXPECT_NE(loaded.error().message.find("04000001"), std::string::npos) << loaded.error().message;
}

// Loading a shelf text writes its cards and removes the files of the others.
TEST_F(DurableShelf, loadingAShelfTextRemovesTheFilesOfCardsNotInIt) {
    const Uid kept = reader_.place_blank().value();
    const Uid dropped = reader_.place_blank().value();
    SimulatedReader other;
    ASSERT_TRUE(other.place(kept).has_value());
    const Uid added{0x04, 0x11, 0x22, 0x33};
    ASSERT_NE(added, dropped);
    ASSERT_TRUE(other.place(added).has_value());
    ASSERT_TRUE(reader_.load_shelf(other.save_shelf()).has_value());
    EXPECT_EQ(names_in(cards_), (std::set<std::string>{protocol::hex_bytes(kept), protocol::hex_bytes(added)}));
    EXPECT_FALSE(fs::exists(file_of(dropped)));
}

}  // namespace
}  // namespace cardd::encoder::sim
