#pragma once
// A simulated ACR122U-class reader at the USB bulk-transfer level: it takes
// CCID messages on bulk OUT, runs the pseudo-APDUs against the virtual card
// on it, and queues CCID answers for bulk IN, exactly as the real reader
// would. Cards are placed and taken away by the test or by the daemon's
// `encoder-sim-place` / `encoder-sim-remove` commands; a card can also be set
// to leave after a number of further card commands, to play a card pulled in
// the middle of a write. Thread-safe: placement may come from another thread
// than the driver's transfers.
//
// Given a shelf directory, the reader keeps its cards there as physical
// cards keep their memory: every change to a card's memory, and every card
// placed, is synced to that card's file before the reader answers, so a
// process killed in the middle of a card write forgets nothing the card
// acknowledged. Without one the cards live in memory only.

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/encoder/sim/shelf_directory.hpp"
#include "daemon/encoder/sim/virtual_card.hpp"
#include "daemon/encoder/usb_transport.hpp"
#include "protocol/ccid/acr122_apdu.hpp"
#include "protocol/ccid/ccid_message.hpp"

namespace cardd::encoder::sim {

class SimulatedReader final : public UsbTransport {
public:
    static constexpr const char* firmware_version = "ACR122U215";

    /// Cards in memory only, gone with the reader.
    SimulatedReader() = default;
    /// Cards kept in `shelf`. The reader starts empty: load_shelf_directory()
    /// takes the cards the directory holds.
    explicit SimulatedReader(ShelfDirectory shelf);

    Result<void> bulk_out(std::span<const std::uint8_t> message, std::chrono::milliseconds timeout) override;
    Result<std::vector<std::uint8_t>> bulk_in(std::size_t max_size, std::chrono::milliseconds timeout) override;

    // Placing a card that the shelf directory cannot take fails with storage, and
    // the reader is left as it was.

    /// Puts a new blank card on the reader (a fresh 4-byte UID, never one
    /// already handed out by this reader) and answers its UID.
    Result<std::vector<std::uint8_t>> place_blank();
    /// Puts the card with `uid` back on the reader: the one this reader last
    /// saw with that UID, or a new blank one. Throws std::invalid_argument
    /// for a UID that is not 4 or 7 bytes.
    Result<void> place(const std::vector<std::uint8_t>& uid);
    /// Puts an arbitrary card on the reader (tests: a card from another system).
    Result<void> place(VirtualCard card);
    /// Takes the card away, keeping it for a later place(uid).
    void remove();
    /// The card leaves after `commands` more card commands have been answered
    /// (XfrBlocks that reach the card: not LoadKey or the firmware query,
    /// which the reader answers itself); 0 takes it away now.
    void remove_after(int commands);
    /// Answers the next `count` XfrBlocks with a time extension first.
    void delay_answers(int count);
    /// Every card command (as counted by remove_after) takes `per_command`
    /// before it is answered, as a physical reader takes some milliseconds
    /// per APDU; zero answers at once. The time passes outside the reader's
    /// lock, so a card can be placed or taken away meanwhile.
    void slow_down(std::chrono::milliseconds per_command);
    std::chrono::milliseconds per_command() const;

    std::optional<std::vector<std::uint8_t>> card_on_reader() const;
    /// A copy of the card with `uid` (on the reader or kept), for tests.
    std::optional<VirtualCard> card(const std::vector<std::uint8_t>& uid) const;

    /// What became of a request to act on a card away from the reader.
    enum class KeptCard { changed, not_kept, on_reader, not_stored };
    /// Runs `change` on the kept card with `uid`, as something other than
    /// this reader would (a terminal): never on the card on the reader,
    /// whose driver may be in the middle of a command. The change is in the
    /// card's file before it counts (not_stored, and the card unchanged, when
    /// the file cannot take it).
    KeptCard change_kept_card(const std::vector<std::uint8_t>& uid, const std::function<void(VirtualCard&)>& change);

    /// Every card this reader has seen, as text: one card a line, the UID in
    /// hex, a space, then the 64 blocks as 1024 hex digits (keys included:
    /// the text is as secret as the cards). Each card file of the shelf
    /// directory holds that card's line, as did the single file of earlier
    /// releases all of them.
    std::string save_shelf() const;
    /// Replaces the kept cards with those of a save_shelf text (and the
    /// directory's, when there is one: each card written, then the files of
    /// cards not in the text removed); the reader is left empty. corrupt, and
    /// nothing changed, when a line is malformed; storage when the directory
    /// cannot take them (some cards may then be written already).
    Result<void> load_shelf(std::string_view text);
    /// Replaces the kept cards with those of the shelf directory, none when
    /// it does not exist yet; the reader is left empty. The old single file,
    /// when there is one, is moved in first: every card it holds written to
    /// the directory, and only then the file removed. corrupt or storage,
    /// and nothing changed in the reader, when a file is malformed or cannot
    /// be read. A reader without a directory keeps its cards.
    Result<void> load_shelf_directory();

private:
    using Uid = std::vector<std::uint8_t>;

    void answer(protocol::ccid::MessageType type, const protocol::ccid::HostMessage& to,
                protocol::ccid::CommandStatus status, std::uint8_t error, std::vector<std::uint8_t> data = {});
    /// Runs one message; true when it was a card command.
    bool run_message(std::span<const std::uint8_t> message);
    bool xfr_block(const protocol::ccid::HostMessage& message);
    void escape(const protocol::ccid::HostMessage& message);
    protocol::ccid::IccStatus icc_status() const noexcept;
    void put_on_reader(const Uid& uid);
    void take_away() noexcept;
    Uid fresh_uid();
    protocol::acr122::Response run_on_card(const protocol::acr122::Command& command);
    /// Stores `card` in its file in the shelf directory, if there is one.
    Result<void> store(const VirtualCard& card) const;

    // implementation-defined members
    mutable std::mutex mutex_;
    std::map<std::vector<std::uint8_t>, VirtualCard> shelf_;
    std::optional<std::vector<std::uint8_t>> present_;
    std::deque<std::vector<std::uint8_t>> answers_;
    int remove_countdown_ = -1;
    int delayed_answers_ = 0;
    std::chrono::milliseconds per_command_{0};
    std::uint32_t next_uid_ = 0;
    bool powered_ = false;
    /// The reader's volatile key store (LoadKey), kept while cards come and go.
    std::array<std::optional<Key>, protocol::acr122::key_slots> keys_{};
    std::optional<ShelfDirectory> directory_;
};

}  // namespace cardd::encoder::sim
