#include "protocol/ccid/ccid_message.hpp"

#include <string>

#include "protocol/hex.hpp"

namespace cardd::protocol::ccid {

namespace {

// Header offsets shared by both directions (CCID 6.1 and 6.2).
constexpr std::size_t at_type = 0;
constexpr std::size_t at_length = 1;
constexpr std::size_t at_slot = 5;
constexpr std::size_t at_seq = 6;
constexpr std::size_t at_status = 7;
constexpr std::size_t at_error = 8;
constexpr std::size_t at_specific = 7;

constexpr std::uint8_t icc_status_mask = 0x03;
constexpr std::uint8_t command_status_shift = 6;
constexpr std::uint8_t reserved_status_bits = 0x3C;

bool is_reader_type(std::uint8_t type) noexcept {
    switch (static_cast<MessageType>(type)) {
        case MessageType::data_block:
        case MessageType::slot_status:
        case MessageType::escape_answer: return true;
        default: return false;
    }
}

// Messages whose payload CCID fixes at zero bytes (dwLength 00000000h).
bool carries_no_data(MessageType type) noexcept {
    switch (type) {
        case MessageType::icc_power_on:
        case MessageType::icc_power_off:
        case MessageType::get_slot_status:
        case MessageType::slot_status: return true;
        default: return false;
    }
}

std::vector<std::uint8_t> header(MessageType type, std::size_t length, std::uint8_t slot, std::uint8_t seq) {
    std::vector<std::uint8_t> bytes(header_size, 0);
    bytes.reserve(header_size + length);
    bytes[at_type] = static_cast<std::uint8_t>(type);
    for (std::size_t i = 0; i < 4; ++i) bytes[at_length + i] = static_cast<std::uint8_t>(length >> (8 * i));
    bytes[at_slot] = slot;
    bytes[at_seq] = seq;
    return bytes;
}

// The checks both directions share: header present, dwLength within the
// reader's message size and equal to what follows, no data where CCID
// allows none. Answers the payload.
Decoded<std::span<const std::uint8_t>> payload(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < header_size) {
        return decode_fail(DecodeErrc::truncated,
                           "a CCID message needs a 10-byte header, got " + std::to_string(bytes.size()) + " bytes");
    }
    std::uint32_t length = 0;
    for (std::size_t i = 0; i < 4; ++i) length |= std::uint32_t{bytes[at_length + i]} << (8 * i);
    // dwMaxCCIDMessageLength counts the header too.
    if (length > max_message_size - header_size) {
        return decode_fail(DecodeErrc::too_long, "dwLength " + std::to_string(length) +
                                                     " makes a message longer than " +
                                                     std::to_string(max_message_size) + " bytes");
    }
    const std::size_t have = bytes.size() - header_size;
    if (have < length) {
        return decode_fail(DecodeErrc::truncated, "dwLength is " + std::to_string(length) + " but " +
                                                      std::to_string(have) + " payload bytes follow");
    }
    if (have > length) {
        return decode_fail(DecodeErrc::too_long, std::to_string(have - length) + " bytes after the " +
                                                     std::to_string(length) + "-byte payload");
    }
    if (length != 0 && carries_no_data(static_cast<MessageType>(bytes[at_type]))) {
        return decode_fail(DecodeErrc::too_long, "message type " + hex(bytes[at_type]) +
                                                     " carries no data, dwLength is " + std::to_string(length));
    }
    return bytes.subspan(header_size);
}

}  // namespace

bool is_host_message_type(std::uint8_t type) noexcept {
    switch (static_cast<MessageType>(type)) {
        case MessageType::icc_power_on:
        case MessageType::icc_power_off:
        case MessageType::get_slot_status:
        case MessageType::escape:
        case MessageType::xfr_block: return true;
        default: return false;
    }
}

std::vector<std::uint8_t> encode(const HostMessage& m) {
    auto bytes = header(m.type, m.data.size(), m.slot, m.seq);
    for (std::size_t i = 0; i < m.specific.size(); ++i) bytes[at_specific + i] = m.specific[i];
    bytes.insert(bytes.end(), m.data.begin(), m.data.end());
    return bytes;
}

std::vector<std::uint8_t> encode(const ReaderMessage& m) {
    auto bytes = header(m.type, m.data.size(), m.slot, m.seq);
    bytes[at_status] = static_cast<std::uint8_t>((static_cast<std::uint8_t>(m.icc) & icc_status_mask) |
                                                 (static_cast<std::uint8_t>(m.command) << command_status_shift));
    bytes[at_error] = m.error;
    bytes[header_size - 1] = m.specific;
    bytes.insert(bytes.end(), m.data.begin(), m.data.end());
    return bytes;
}

// bPowerSelect 00: automatic voltage selection, the only choice a
// contactless reader has.
HostMessage power_on(std::uint8_t slot, std::uint8_t seq) { return {MessageType::icc_power_on, slot, seq, {}, {}}; }

HostMessage power_off(std::uint8_t slot, std::uint8_t seq) { return {MessageType::icc_power_off, slot, seq, {}, {}}; }

HostMessage get_slot_status(std::uint8_t slot, std::uint8_t seq) {
    return {MessageType::get_slot_status, slot, seq, {}, {}};
}

// bBWI 00 and wLevelParameter 0000: a short APDU in one block, no chaining.
HostMessage xfr_block(std::uint8_t slot, std::uint8_t seq, std::span<const std::uint8_t> apdu) {
    return {MessageType::xfr_block, slot, seq, {}, {apdu.begin(), apdu.end()}};
}

HostMessage escape(std::uint8_t slot, std::uint8_t seq, std::span<const std::uint8_t> command) {
    return {MessageType::escape, slot, seq, {}, {command.begin(), command.end()}};
}

Decoded<HostMessage> decode_host_message(std::span<const std::uint8_t> bytes) {
    if (bytes.size() >= 1 && !is_host_message_type(bytes[at_type])) {
        return decode_fail(DecodeErrc::bad_value, "message type " + hex(bytes[at_type]) +
                                                      (is_reader_type(bytes[at_type]) ? " is a reader-to-host message"
                                                                                      : " is not a CCID command"));
    }
    const auto data = payload(bytes);
    if (!data) return std::unexpected(data.error());
    HostMessage m;
    m.type = static_cast<MessageType>(bytes[at_type]);
    m.slot = bytes[at_slot];
    m.seq = bytes[at_seq];
    for (std::size_t i = 0; i < m.specific.size(); ++i) m.specific[i] = bytes[at_specific + i];
    m.data.assign(data->begin(), data->end());
    return m;
}

Decoded<ReaderMessage> decode_reader_message(std::span<const std::uint8_t> bytes) {
    if (bytes.size() >= 1 && !is_reader_type(bytes[at_type])) {
        return decode_fail(
            DecodeErrc::bad_value,
            "message type " + hex(bytes[at_type]) +
                (is_host_message_type(bytes[at_type]) ? " is a host-to-reader message" : " is not a CCID answer"));
    }
    const auto data = payload(bytes);
    if (!data) return std::unexpected(data.error());
    const std::uint8_t status = bytes[at_status];
    if ((status & reserved_status_bits) != 0) {
        return decode_fail(DecodeErrc::bad_value, "bStatus " + hex(status) + " sets reserved bits 2..5");
    }
    const auto icc = static_cast<std::uint8_t>(status & icc_status_mask);
    if (icc > static_cast<std::uint8_t>(IccStatus::absent)) {
        return decode_fail(DecodeErrc::bad_value, "bStatus " + hex(status) + " has the reserved ICC status 3");
    }
    const auto command = static_cast<std::uint8_t>(status >> command_status_shift);
    if (command > static_cast<std::uint8_t>(CommandStatus::time_extension)) {
        return decode_fail(DecodeErrc::bad_value, "bStatus " + hex(status) + " has the reserved command status 3");
    }
    ReaderMessage m;
    m.type = static_cast<MessageType>(bytes[at_type]);
    m.slot = bytes[at_slot];
    m.seq = bytes[at_seq];
    m.icc = static_cast<IccStatus>(icc);
    m.command = static_cast<CommandStatus>(command);
    m.error = bytes[at_error];
    m.specific = bytes[header_size - 1];
    m.data.assign(data->begin(), data->end());
    return m;
}

}  // namespace cardd::protocol::ccid
