#pragma once
// The CCID layer over a UsbTransport: one slot, sequence numbers matched on
// every answer, time extensions waited out, slot errors turned into Error
// values. Blocking; the daemon serialises use of each reader.

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "daemon/encoder/encoder_error.hpp"
#include "daemon/encoder/usb_transport.hpp"
#include "protocol/ccid/ccid_message.hpp"

namespace cardd::encoder {

class CcidReader {
public:
    explicit CcidReader(UsbTransport& transport, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

    /// GetSlotStatus: whether a card is on the reader.
    Result<bool> card_present();

    /// IccPowerOn; answers the ATR. no_card when the slot is empty.
    Result<std::vector<std::uint8_t>> power_on();
    Result<void> power_off();

    /// XfrBlock with `apdu`; answers the response APDU (data and SW1 SW2).
    /// card_removed when the slot reports the card gone, garbled on a
    /// mismatched sequence number or a malformed message.
    Result<std::vector<std::uint8_t>> transmit(std::span<const std::uint8_t> apdu);

    /// Escape (PC_to_RDR_Escape) for reader commands such as the firmware version.
    Result<std::vector<std::uint8_t>> escape(std::span<const std::uint8_t> command);

    /// Whether the card was powered by power_on() and has not been reported
    /// gone since (a GetSlotStatus or any answer showing the slot empty).
    bool powered() const noexcept { return powered_; }

    /// Time extensions accepted for one command before it counts as timed out.
    static constexpr int max_time_extensions = 32;

private:
    Result<protocol::ccid::ReaderMessage> exchange(protocol::ccid::HostMessage message);

    UsbTransport& transport_;
    std::chrono::milliseconds timeout_;
    std::uint8_t next_seq_ = 0;
    bool powered_ = false;
};

}  // namespace cardd::encoder
