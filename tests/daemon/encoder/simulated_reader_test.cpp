// The simulated reader seen from the wire: raw CCID messages in, raw answers
// out, checked with the protocol codecs and nothing of the driver.
#include "daemon/encoder/sim/simulated_reader.hpp"

#include <chrono>
#include <cstdint>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "protocol/hex.hpp"

namespace cardd::encoder::sim {
namespace {

namespace ccid = protocol::ccid;
namespace acr122 = protocol::acr122;
using namespace std::chrono_literals;

ccid::ReaderMessage next_answer(SimulatedReader& reader) {
    const auto bytes = reader.bulk_in(ccid::max_message_size, 100ms);
    EXPECT_TRUE(bytes.has_value()) << bytes.error().message;
    if (!bytes) return {};
    const auto message = ccid::decode_reader_message(*bytes);
    EXPECT_TRUE(message.has_value()) << message.error().message;
    return message.value_or(ccid::ReaderMessage{});
}

void send(SimulatedReader& reader, const ccid::HostMessage& message) {
    EXPECT_TRUE(reader.bulk_out(ccid::encode(message), 100ms).has_value());
}

ccid::ReaderMessage exchange(SimulatedReader& reader, const ccid::HostMessage& message) {
    send(reader, message);
    return next_answer(reader);
}

ccid::ReaderMessage transmit(SimulatedReader& reader, const acr122::Command& command, std::uint8_t seq = 9) {
    return exchange(reader, ccid::xfr_block(0, seq, acr122::encode(command)));
}

acr122::Response response_of(const ccid::ReaderMessage& answer) {
    const auto response = acr122::decode_response(answer.data);
    EXPECT_TRUE(response.has_value());
    return response.value_or(acr122::Response{});
}

TEST(SimulatedReader, nothingQueuedIsATimeoutAtOnce) {
    SimulatedReader reader;
    const auto start = std::chrono::steady_clock::now();
    const auto answer = reader.bulk_in(ccid::max_message_size, 2000ms);
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().code, Errc::timeout);
    EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
}

TEST(SimulatedReader, slotStatusFollowsTheCard) {
    SimulatedReader reader;
    auto status = exchange(reader, ccid::get_slot_status(0, 1));
    EXPECT_EQ(status.type, ccid::MessageType::slot_status);
    EXPECT_EQ(status.seq, 1);
    EXPECT_EQ(status.icc, ccid::IccStatus::absent);
    EXPECT_EQ(status.command, ccid::CommandStatus::ok);

    reader.place_blank().value();
    EXPECT_EQ(exchange(reader, ccid::get_slot_status(0, 2)).icc, ccid::IccStatus::present_inactive);
    const auto atr = exchange(reader, ccid::power_on(0, 3));
    EXPECT_EQ(atr.type, ccid::MessageType::data_block);
    EXPECT_EQ(atr.command, ccid::CommandStatus::ok);
    EXPECT_EQ(atr.icc, ccid::IccStatus::present_active);
    const std::vector<std::uint8_t> expected_atr{0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00,
                                                 0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A};
    EXPECT_EQ(atr.data, expected_atr);
    status = exchange(reader, ccid::get_slot_status(0, 4));
    EXPECT_EQ(status.icc, ccid::IccStatus::present_active);
    EXPECT_EQ(status.specific, 0);  // clock running

    const auto off = exchange(reader, ccid::power_off(0, 5));
    EXPECT_EQ(off.type, ccid::MessageType::slot_status);
    EXPECT_EQ(off.icc, ccid::IccStatus::present_inactive);
    reader.remove();
    EXPECT_EQ(exchange(reader, ccid::get_slot_status(0, 6)).icc, ccid::IccStatus::absent);
}

TEST(SimulatedReader, powerOnWithoutCardIsMute) {
    SimulatedReader reader;
    const auto answer = exchange(reader, ccid::power_on(0, 7));
    EXPECT_EQ(answer.type, ccid::MessageType::data_block);
    EXPECT_EQ(answer.seq, 7);
    EXPECT_EQ(answer.command, ccid::CommandStatus::failed);
    EXPECT_EQ(answer.error, ccid::slot_error::icc_mute);
    EXPECT_EQ(answer.icc, ccid::IccStatus::absent);
}

TEST(SimulatedReader, xfrBlockWithoutCardIsMute) {
    SimulatedReader reader;
    const auto answer = transmit(reader, acr122::GetUid{}, 42);
    EXPECT_EQ(answer.type, ccid::MessageType::data_block);
    EXPECT_EQ(answer.seq, 42);
    EXPECT_EQ(answer.command, ccid::CommandStatus::failed);
    EXPECT_EQ(answer.error, ccid::slot_error::icc_mute);
    EXPECT_EQ(answer.icc, ccid::IccStatus::absent);
}

TEST(SimulatedReader, otherSlotsDoNotExist) {
    SimulatedReader reader;
    const auto answer = exchange(reader, ccid::get_slot_status(1, 8));
    EXPECT_EQ(answer.type, ccid::MessageType::slot_status);
    EXPECT_EQ(answer.slot, 1);
    EXPECT_EQ(answer.seq, 8);
    EXPECT_EQ(answer.command, ccid::CommandStatus::failed);
    EXPECT_EQ(answer.error, 5);
}

TEST(SimulatedReader, unknownMessageTypeIsNotSupported) {
    SimulatedReader reader;
    // PC_to_RDR_GetParameters, which this reader does not implement.
    const std::vector<std::uint8_t> get_parameters{0x6C, 0, 0, 0, 0, 0x00, 0x33, 0, 0, 0};
    ASSERT_TRUE(reader.bulk_out(get_parameters, 100ms).has_value());
    const auto answer = next_answer(reader);
    EXPECT_EQ(answer.type, ccid::MessageType::slot_status);
    EXPECT_EQ(answer.seq, 0x33);
    EXPECT_EQ(answer.command, ccid::CommandStatus::failed);
    EXPECT_EQ(answer.error, ccid::slot_error::cmd_not_supported);
}

TEST(SimulatedReader, escapeAnswersTheFirmware) {
    SimulatedReader reader;
    const auto answer = exchange(reader, ccid::escape(0, 11, acr122::encode(acr122::GetFirmware{})));
    EXPECT_EQ(answer.type, ccid::MessageType::escape_answer);
    EXPECT_EQ(answer.seq, 11);
    EXPECT_EQ(answer.command, ccid::CommandStatus::ok);
    EXPECT_EQ(std::string(answer.data.begin(), answer.data.end()), SimulatedReader::firmware_version);
}

TEST(SimulatedReader, getUidAnswersTheUidAndOk) {
    SimulatedReader reader;
    const auto uid = reader.place_blank().value();
    exchange(reader, ccid::power_on(0, 1));
    const auto answer = transmit(reader, acr122::GetUid{});
    EXPECT_EQ(answer.command, ccid::CommandStatus::ok);
    EXPECT_EQ(response_of(answer), (acr122::Response{uid, acr122::sw::ok}));
}

TEST(SimulatedReader, authenticateUsesTheLoadedKeySlot) {
    SimulatedReader reader;
    reader.place_blank().value();
    exchange(reader, ccid::power_on(0, 1));
    // Nothing loaded in slot 1 yet.
    EXPECT_EQ(response_of(transmit(reader, acr122::Authenticate{4, KeyType::a, 1})).status, acr122::sw::failed);
    EXPECT_TRUE(response_of(transmit(reader, acr122::LoadKey{1, protocol::card::transport_key})).ok());
    EXPECT_TRUE(response_of(transmit(reader, acr122::Authenticate{4, KeyType::a, 1})).ok());
    EXPECT_TRUE(response_of(transmit(reader, acr122::LoadKey{0, Key{1, 2, 3, 4, 5, 6}})).ok());
    EXPECT_EQ(response_of(transmit(reader, acr122::Authenticate{4, KeyType::a, 0})).status, acr122::sw::failed);
    // The failed authentication dropped the session.
    EXPECT_EQ(response_of(transmit(reader, acr122::ReadBinary{4})).status, acr122::sw::failed);
}

TEST(SimulatedReader, malformedApduIsAnsweredWithAStatusWord) {
    SimulatedReader reader;
    reader.place_blank().value();
    exchange(reader, ccid::power_on(0, 1));
    const std::vector<std::uint8_t> wrong_class{0x00, 0xB0, 0x00, 0x04, 0x10};
    auto answer = exchange(reader, ccid::xfr_block(0, 2, wrong_class));
    EXPECT_EQ(answer.command, ccid::CommandStatus::ok);
    EXPECT_EQ(response_of(answer).status, acr122::sw::bad_p1_p2);
    const std::vector<std::uint8_t> short_update{0xFF, 0xD6, 0x00, 0x04, 0x10, 0x01, 0x02};
    answer = exchange(reader, ccid::xfr_block(0, 3, short_update));
    const auto status = response_of(answer).status;
    EXPECT_TRUE(status == acr122::sw::wrong_length || status == acr122::sw::bad_p1_p2) << protocol::hex(status, 4);
}

TEST(SimulatedReader, timeExtensionPrecedesDelayedAnswers) {
    SimulatedReader reader;
    const auto uid = reader.place_blank().value();
    exchange(reader, ccid::power_on(0, 1));
    reader.delay_answers(1);
    send(reader, ccid::xfr_block(0, 5, acr122::encode(acr122::GetUid{})));
    const auto wait = next_answer(reader);
    EXPECT_EQ(wait.type, ccid::MessageType::data_block);
    EXPECT_EQ(wait.seq, 5);
    EXPECT_EQ(wait.command, ccid::CommandStatus::time_extension);
    EXPECT_EQ(wait.error, 1);
    const auto answer = next_answer(reader);
    EXPECT_EQ(answer.seq, 5);
    EXPECT_EQ(response_of(answer).data, uid);
    // Only the one.
    send(reader, ccid::xfr_block(0, 6, acr122::encode(acr122::GetUid{})));
    EXPECT_EQ(next_answer(reader).command, ccid::CommandStatus::ok);
}

TEST(SimulatedReader, answerLargerThanTheTransferIsAnIoError) {
    SimulatedReader reader;
    send(reader, ccid::power_on(0, 1));
    const auto answer = reader.bulk_in(4, 100ms);
    ASSERT_FALSE(answer.has_value());
    EXPECT_EQ(answer.error().code, Errc::usb_io);
}

TEST(SimulatedReader, blankCardsGetFreshUids) {
    SimulatedReader reader;
    std::set<std::vector<std::uint8_t>> seen;
    for (int i = 0; i < 50; ++i) {
        const auto uid = reader.place_blank().value();
        ASSERT_EQ(uid.size(), 4u);
        EXPECT_NE(uid[0], 0x88);
        EXPECT_TRUE(seen.insert(uid).second);
        EXPECT_EQ(reader.card_on_reader(), uid);
    }
    // A UID placed by hand is not handed out again.
    SimulatedReader other;
    const auto first = other.place_blank().value();
    SimulatedReader fresh;
    fresh.place(first).value();
    EXPECT_NE(fresh.place_blank().value(), first);
}

TEST(SimulatedReader, placedBackCardKeepsItsData) {
    SimulatedReader reader;
    const auto uid = reader.place_blank().value();
    exchange(reader, ccid::power_on(0, 1));
    transmit(reader, acr122::LoadKey{0, protocol::card::transport_key});
    transmit(reader, acr122::Authenticate{4, KeyType::a, 0});
    Block data{};
    data.fill(0x3C);
    EXPECT_TRUE(response_of(transmit(reader, acr122::UpdateBinary{4, data})).ok());

    reader.place_blank().value();
    EXPECT_NE(reader.card_on_reader(), uid);
    reader.place(uid).value();
    EXPECT_EQ(reader.card_on_reader(), uid);
    ASSERT_TRUE(reader.card(uid).has_value());
    EXPECT_EQ(reader.card(uid)->memory()[4], data);
    // The card left the field in between: no power, no authentication.
    EXPECT_EQ(exchange(reader, ccid::get_slot_status(0, 2)).icc, ccid::IccStatus::present_inactive);
    exchange(reader, ccid::power_on(0, 3));
    EXPECT_EQ(response_of(transmit(reader, acr122::ReadBinary{4})).status, acr122::sw::failed);
}

TEST(SimulatedReader, removeAfterTakesTheCardAfterThatManyCardCommands) {
    SimulatedReader reader;
    const auto uid = reader.place_blank().value();
    exchange(reader, ccid::power_on(0, 1));
    reader.remove_after(2);
    transmit(reader, acr122::LoadKey{0, protocol::card::transport_key});  // stays in the reader: not counted
    EXPECT_TRUE(response_of(transmit(reader, acr122::Authenticate{4, KeyType::a, 0})).ok());
    EXPECT_TRUE(response_of(transmit(reader, acr122::ReadBinary{4})).ok());
    EXPECT_FALSE(reader.card_on_reader().has_value());
    const auto gone = transmit(reader, acr122::ReadBinary{4});
    EXPECT_EQ(gone.command, ccid::CommandStatus::failed);
    EXPECT_EQ(gone.icc, ccid::IccStatus::absent);
    EXPECT_TRUE(reader.card(uid).has_value());  // kept on the shelf
}

// Slowed, each card command takes the time given before its answer can be
// read; what stays in the reader (LoadKey) and the slot messages do not,
// and 0 answers at once again.
TEST(SimulatedReader, slowedEachCardCommandTakesTheTimeGiven) {
    using Clock = std::chrono::steady_clock;
    SimulatedReader reader;
    reader.place_blank().value();
    exchange(reader, ccid::power_on(0, 1));
    reader.slow_down(60ms);
    EXPECT_EQ(reader.per_command(), 60ms);

    auto start = Clock::now();
    transmit(reader, acr122::LoadKey{0, protocol::card::transport_key});
    exchange(reader, ccid::get_slot_status(0, 2));
    EXPECT_LT(Clock::now() - start, 50ms) << "a command that stays in the reader was slowed";

    start = Clock::now();
    EXPECT_TRUE(response_of(transmit(reader, acr122::Authenticate{4, KeyType::a, 0})).ok());
    EXPECT_TRUE(response_of(transmit(reader, acr122::ReadBinary{4})).ok());
    EXPECT_TRUE(response_of(transmit(reader, acr122::GetUid{})).ok());
    EXPECT_GE(Clock::now() - start, 180ms);

    reader.slow_down(0ms);
    start = Clock::now();
    EXPECT_TRUE(response_of(transmit(reader, acr122::ReadBinary{4})).ok());
    EXPECT_LT(Clock::now() - start, 50ms);
}

// While a slowed command waits, the card can be taken away from another
// thread: the reader's lock is not held for the delay.
TEST(SimulatedReader, aSlowedCommandDoesNotHoldTheReader) {
    SimulatedReader reader;
    reader.place_blank().value();
    exchange(reader, ccid::power_on(0, 1));
    reader.slow_down(300ms);
    std::thread sender([&] { send(reader, ccid::xfr_block(0, 2, acr122::encode(acr122::GetUid{}))); });
    std::this_thread::sleep_for(50ms);
    const auto start = std::chrono::steady_clock::now();
    reader.remove();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 100ms);
    sender.join();
    EXPECT_FALSE(reader.card_on_reader().has_value());
    EXPECT_TRUE(response_of(next_answer(reader)).ok()) << "the command ran before the card left";
}

TEST(SimulatedReader, foreignCardCanBePlaced) {
    SimulatedReader reader;
    VirtualCard foreign({0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77});
    reader.place(foreign).value();
    exchange(reader, ccid::power_on(0, 1));
    EXPECT_EQ(response_of(transmit(reader, acr122::GetUid{})).data, foreign.uid());
}

// A kept card can be changed from outside (a terminal), but not the one on
// the reader, which the driver may be writing.
TEST(SimulatedReader, keptCardsChangeOnlyOffTheReader) {
    SimulatedReader reader;
    const auto first = reader.place_blank().value();
    const auto second = reader.place_blank().value();
    Block data{};
    data.fill(0x5A);
    const auto write_block_4 = [&](VirtualCard& card) {
        EXPECT_EQ(card.authenticate(4, KeyType::a, protocol::card::transport_key), CardOutcome::ok);
        EXPECT_EQ(card.write(4, data), CardOutcome::ok);
        card.halt();
    };
    EXPECT_EQ(reader.change_kept_card(second, write_block_4), SimulatedReader::KeptCard::on_reader);
    EXPECT_EQ(reader.card(second)->memory()[4], Block{});
    EXPECT_EQ(reader.change_kept_card({0x01, 0x02, 0x03, 0x04}, write_block_4), SimulatedReader::KeptCard::not_kept);
    EXPECT_EQ(reader.change_kept_card(first, write_block_4), SimulatedReader::KeptCard::changed);
    EXPECT_EQ(reader.card(first)->memory()[4], data);
    EXPECT_EQ(reader.card_on_reader(), second);
}

}  // namespace
}  // namespace cardd::encoder::sim
