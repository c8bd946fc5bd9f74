#pragma once
// A simulated ACR122U-class reader at the USB bulk-transfer level: it takes
// CCID messages on bulk OUT, runs the pseudo-APDUs against the virtual card
// on it, and queues CCID answers for bulk IN, exactly as the real reader
// would. Cards are placed and taken away by the test or by the daemon's
// `encoder-sim-place` / `encoder-sim-remove` commands; a card can also be set
// to leave after a number of further card commands, to play a card pulled in
// the middle of a write. Thread-safe: placement may come from another thread
// than the driver's transfers.

#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "encoder/sim/virtual_card.hpp"
#include "encoder/usb_transport.hpp"

namespace cardd::encoder::sim {

class SimulatedReader final : public UsbTransport {
public:
    static constexpr const char* firmware_version = "ACR122U215";

    Result<void> bulk_out(std::span<const std::uint8_t> message, std::chrono::milliseconds timeout) override;
    Result<std::vector<std::uint8_t>> bulk_in(std::size_t max_size, std::chrono::milliseconds timeout) override;

    /// Puts a new blank card on the reader (a fresh 4-byte UID, never one
    /// already handed out by this reader) and answers its UID.
    std::vector<std::uint8_t> place_blank();
    /// Puts the card with `uid` back on the reader: the one this reader last
    /// saw with that UID, or a new blank one.
    void place(const std::vector<std::uint8_t>& uid);
    /// Puts an arbitrary card on the reader (tests: a card from another system).
    void place(VirtualCard card);
    /// Takes the card away, keeping it for a later place(uid).
    void remove();
    /// The card leaves after `commands` more card commands have been answered.
    void remove_after(int commands);
    /// Answers the next `count` XfrBlocks with a time extension first.
    void delay_answers(int count);

    std::optional<std::vector<std::uint8_t>> card_on_reader() const;
    /// A copy of the card with `uid` (on the reader or kept), for tests.
    std::optional<VirtualCard> card(const std::vector<std::uint8_t>& uid) const;

private:
    // implementation-defined members
    mutable std::mutex mutex_;
    std::map<std::vector<std::uint8_t>, VirtualCard> shelf_;
    std::optional<std::vector<std::uint8_t>> present_;
    std::deque<std::vector<std::uint8_t>> answers_;
    int remove_countdown_ = -1;
    int delayed_answers_ = 0;
    std::uint32_t next_uid_ = 0;
    bool powered_ = false;
};

}  // namespace cardd::encoder::sim
