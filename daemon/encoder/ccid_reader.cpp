#include "daemon/encoder/ccid_reader.hpp"

#include <stdexcept>
#include <string>
#include <utility>

#include "protocol/hex.hpp"

namespace cardd::encoder {

namespace ccid = protocol::ccid;
using protocol::hex;

namespace {

// ACR122U-class readers have one slot.
constexpr std::uint8_t slot = 0;

const char* name(ccid::MessageType type) noexcept {
    switch (type) {
        case ccid::MessageType::icc_power_on: return "IccPowerOn";
        case ccid::MessageType::icc_power_off: return "IccPowerOff";
        case ccid::MessageType::get_slot_status: return "GetSlotStatus";
        case ccid::MessageType::escape: return "Escape";
        case ccid::MessageType::xfr_block: return "XfrBlock";
        case ccid::MessageType::data_block: return "DataBlock";
        case ccid::MessageType::slot_status: return "SlotStatus";
        case ccid::MessageType::escape_answer: return "Escape answer";
    }
    return "unknown message";
}

// CCID 6.2.1: which RDR_to_PC message answers each PC_to_RDR message, failed
// or not.
ccid::MessageType answer_type(ccid::MessageType request) noexcept {
    switch (request) {
        case ccid::MessageType::icc_power_off:
        case ccid::MessageType::get_slot_status: return ccid::MessageType::slot_status;
        case ccid::MessageType::escape: return ccid::MessageType::escape_answer;
        default: return ccid::MessageType::data_block;
    }
}

std::string describe_slot_error(std::uint8_t error) {
    const std::string number = "bError " + hex(error);
    switch (error) {
        case ccid::slot_error::icc_mute: return number + " (card mute)";
        case ccid::slot_error::xfr_parity_error: return number + " (parity error)";
        case ccid::slot_error::hw_error: return number + " (reader hardware error)";
        case ccid::slot_error::bad_atr_ts: return number + " (bad ATR)";
        case ccid::slot_error::cmd_slot_busy: return number + " (slot busy)";
        case ccid::slot_error::cmd_not_supported: return number + " (command not supported)";
        default: return number;
    }
}

// Contactless readers report a missing card either way: ICC status absent,
// or a failed command whose bError says no card answered.
bool card_gone(const ccid::ReaderMessage& answer) noexcept {
    return answer.icc == ccid::IccStatus::absent ||
           (answer.command == ccid::CommandStatus::failed && answer.error == ccid::slot_error::icc_mute);
}

}  // namespace

CcidReader::CcidReader(UsbTransport& transport, std::chrono::milliseconds timeout)
    : transport_(transport), timeout_(timeout) {}

Result<protocol::ccid::ReaderMessage> CcidReader::exchange(protocol::ccid::HostMessage message) {
    if (ccid::header_size + message.data.size() > ccid::max_message_size) {
        throw std::invalid_argument(std::string(name(message.type)) + " payload of " +
                                    std::to_string(message.data.size()) + " bytes exceeds the reader's message size");
    }
    message.slot = slot;
    message.seq = next_seq_++;
    if (auto sent = transport_.bulk_out(ccid::encode(message), timeout_); !sent) {
        return std::unexpected(std::move(sent.error()));
    }
    const ccid::MessageType expected = answer_type(message.type);
    for (int extensions = 0;; ++extensions) {
        auto bytes = transport_.bulk_in(ccid::max_message_size, timeout_);
        if (!bytes) return std::unexpected(std::move(bytes.error()));
        auto answer = ccid::decode_reader_message(*bytes);
        if (!answer) {
            return fail(Errc::garbled,
                        std::string("malformed answer to ") + name(message.type) + ": " + answer.error().message);
        }
        // A stale answer (to a command that timed out earlier) also lands
        // here: its sequence number gives it away.
        if (answer->seq != message.seq) {
            return fail(Errc::garbled, std::string("answer to ") + name(message.type) + " has sequence number " +
                                           std::to_string(answer->seq) + ", expected " + std::to_string(message.seq));
        }
        if (answer->type != expected || answer->slot != slot) {
            return fail(Errc::garbled, std::string("answer to ") + name(message.type) + " is a " + name(answer->type) +
                                           " for slot " + std::to_string(answer->slot) + ", expected a " +
                                           name(expected) + " for slot 0");
        }
        if (answer->command != ccid::CommandStatus::time_extension) return std::move(*answer);
        // The reader needs more time (the card is slow, or the reader is
        // retrying the RF exchange); the real answer follows on bulk IN.
        if (extensions >= max_time_extensions) {
            return fail(Errc::timeout, std::string("the reader asked for more time ") +
                                           std::to_string(max_time_extensions + 1) + " times on one " +
                                           name(message.type));
        }
    }
}

Result<bool> CcidReader::card_present() {
    auto answer = exchange(ccid::get_slot_status(slot, 0));
    if (!answer) return std::unexpected(std::move(answer.error()));
    if (card_gone(*answer)) {
        powered_ = false;
        return false;
    }
    if (answer->command == ccid::CommandStatus::failed) {
        return fail(Errc::card_failed, "GetSlotStatus failed: " + describe_slot_error(answer->error));
    }
    return true;
}

Result<std::vector<std::uint8_t>> CcidReader::power_on() {
    auto answer = exchange(ccid::power_on(slot, 0));
    if (!answer) return std::unexpected(std::move(answer.error()));
    if (card_gone(*answer)) {
        powered_ = false;
        return fail(Errc::no_card, "no card on the reader");
    }
    if (answer->command == ccid::CommandStatus::failed) {
        powered_ = false;
        return fail(Errc::card_failed, "the card did not power up: " + describe_slot_error(answer->error));
    }
    powered_ = true;
    return std::move(answer->data);
}

Result<void> CcidReader::power_off() {
    auto answer = exchange(ccid::power_off(slot, 0));
    if (!answer) return std::unexpected(std::move(answer.error()));
    // Either way nothing is powered any more; with the card gone there was
    // nothing to switch off, which is what power_off wants.
    powered_ = false;
    if (answer->command == ccid::CommandStatus::failed && !card_gone(*answer)) {
        return fail(Errc::card_failed, "IccPowerOff failed: " + describe_slot_error(answer->error));
    }
    return {};
}

Result<std::vector<std::uint8_t>> CcidReader::transmit(std::span<const std::uint8_t> apdu) {
    auto answer = exchange(ccid::xfr_block(slot, 0, apdu));
    if (!answer) return std::unexpected(std::move(answer.error()));
    if (card_gone(*answer)) {
        // A card that was powered and is gone left mid-operation; without a
        // power-up there was never a card to lose.
        const bool was_powered = powered_;
        powered_ = false;
        if (was_powered) return fail(Errc::card_removed, "the card left the reader");
        return fail(Errc::no_card, "no card on the reader");
    }
    if (answer->command == ccid::CommandStatus::failed) {
        return fail(Errc::card_failed, "XfrBlock failed: " + describe_slot_error(answer->error));
    }
    return std::move(answer->data);
}

Result<std::vector<std::uint8_t>> CcidReader::escape(std::span<const std::uint8_t> command) {
    auto answer = exchange(ccid::escape(slot, 0, command));
    if (!answer) return std::unexpected(std::move(answer.error()));
    // Escape commands talk to the reader, not the card, so an empty slot
    // does not matter; only the command status does.
    if (answer->command == ccid::CommandStatus::failed) {
        return fail(Errc::card_failed, "the reader refused an Escape command: " + describe_slot_error(answer->error));
    }
    return std::move(answer->data);
}

}  // namespace cardd::encoder
