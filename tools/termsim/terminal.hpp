#pragma once
// One CT-1 consumption terminal as a state machine, with no I/O: the
// registers a Modbus master reads and writes, the commands the mailbox runs,
// and the cards presented at it. docs/protocol.md says how each rule of
// terminal-protocol.md is read; this class is where those readings live.

#include <array>
#include <cstdint>
#include <deque>
#include <expected>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "protocol/command.hpp"
#include "protocol/record.hpp"
#include "protocol/registers.hpp"
#include "protocol/state_block.hpp"
#include "protocol/status.hpp"
#include "tools/termsim/blacklist.hpp"
#include "tools/termsim/full_sync.hpp"
#include "tools/termsim/modbus_exception.hpp"
#include "tools/termsim/record_log.hpp"

namespace cardd::termsim {

/// What a terminal is built as: fixed for its life, set by flags.
struct TerminalConfig {
    std::uint32_t serial = 1;         ///< non-zero
    std::uint16_t firmware = 0x0100;  ///< major << 8 | minor
    std::uint32_t capacity = 10000;   ///< most cards on the list
    std::uint32_t bitmap_limit = 0;   ///< highest card a bitmap may cover; 0: no bitmap support
    std::string model = "CT-SIM";     ///< printable ASCII, at most 16 bytes
};

/// The last successful FULL_COMMIT, so that its repeat is OK_ALREADY.
struct CommittedSession {
    std::uint32_t session = 0;
    std::uint32_t crc = 0;
    friend bool operator==(const CommittedSession&, const CommittedSession&) = default;
};

/// What a terminal keeps in flash across power cycles (--state).
struct PersistentState {
    std::uint32_t serial = 0;  ///< whose state this is
    std::uint32_t version = 0;
    std::vector<std::uint32_t> blacklist;  ///< ascending
    std::uint32_t oldest = RecordLog::first_seq;
    std::uint32_t next = RecordLog::first_seq;
    std::deque<protocol::TransactionRecord> records;  ///< [oldest, next)
    std::int64_t clock_offset = 0;                    ///< terminal clock minus host clock, seconds
    std::optional<CommittedSession> last_commit;
    /// Transaction counters of the simulated cards seen (not terminal
    /// flash in real life, but kept with it so records stay consistent).
    std::map<std::uint32_t, std::uint16_t> card_counters;
};

class Terminal {
public:
    /// Host time, Unix seconds. Tests pass a fake one.
    using Clock = std::function<std::int64_t()>;
    static std::int64_t system_clock() noexcept;

    /// Throws std::invalid_argument for a config CT-1 forbids (serial 0, a
    /// model name that does not fit, a bitmap limit above 0xFFFFFF).
    explicit Terminal(TerminalConfig config, Clock clock = system_clock);

    // Modbus register access. Each either does all of its work or answers an
    // exception and changes nothing.

    /// Function 0x03.
    ReadResult read_registers(std::uint16_t address, std::uint16_t count);
    /// Function 0x10. A write at 0x0100 runs a command.
    WriteResult write_registers(std::uint16_t address, std::span<const std::uint16_t> values);
    /// Function 0x17: the write is done before the read.
    ReadResult write_read(std::uint16_t write_address, std::span<const std::uint16_t> values,
                          std::uint16_t read_address, std::uint16_t read_count);

    /// A card presented: a refusal when blacklisted (amount 0, balance kept),
    /// else a purchase (amount >= 0) or a refund (amount < 0). The record's
    /// counter is the card's transaction counter as read, before this
    /// transaction: `counter` when given, else the simulated card's own,
    /// which a purchase or refund then moves up by one. Fails when the
    /// record memory is full or the card number is 0.
    std::expected<protocol::TransactionRecord, std::string> tap(std::uint32_t card, std::int32_t amount_cents,
                                                                std::uint32_t balance_after,
                                                                std::optional<std::uint16_t> counter = std::nullopt);

    /// While busy ("serving a card") every command is answered BUSY.
    void set_busy(bool busy) noexcept { busy_ = busy; }
    bool busy() const noexcept { return busy_; }

    /// The state block as it reads now.
    protocol::TerminalState state() const;
    const TerminalConfig& config() const noexcept { return config_; }
    const Blacklist& blacklist() const noexcept { return blacklist_; }
    const FullSyncStaging& staging() const noexcept { return staging_; }
    const RecordLog& records() const noexcept { return records_; }
    std::uint32_t cursor() const noexcept { return cursor_; }
    std::int64_t clock_offset() const noexcept { return clock_offset_; }
    /// Highest card number this terminal takes: the bitmap limit, or
    /// 0xFFFFFF without bitmap support.
    std::uint32_t highest_card() const noexcept;

    /// Flash contents, and loading them at power-up. restore() refuses a state
    /// of another serial or one that does not hold together.
    PersistentState persistent() const;
    std::expected<void, std::string> restore(const PersistentState& saved);

    /// True once after every change that must reach flash; the caller saves
    /// persistent() before it answers.
    bool take_dirty() noexcept;

private:
    WriteResult apply_write(std::uint16_t address, std::span<const std::uint16_t> values);
    std::vector<std::uint16_t> read_image(std::uint16_t address, std::uint16_t count) const;

    void run_command(std::span<const std::uint16_t> regs);
    protocol::Status execute(const protocol::Command& command);
    protocol::Status add_or_remove(const protocol::Command& command);
    protocol::Status full_begin(const protocol::Command& command);
    protocol::Status full_list_chunk(const protocol::Command& command);
    protocol::Status full_bitmap_chunk(const protocol::Command& command);
    protocol::Status full_commit(const protocol::Command& command);
    protocol::Status full_abort(const protocol::Command& command);
    protocol::Status records_ack(const protocol::Command& command);
    protocol::Status set_clock(const protocol::Command& command);
    bool cards_valid(std::span<const std::uint32_t> cards) const noexcept;
    std::uint32_t clock_now() const;

    TerminalConfig config_;
    Clock clock_;
    std::array<std::uint16_t, 8> model_regs_{};

    // Flash.
    std::uint32_t version_ = 0;
    Blacklist blacklist_;
    RecordLog records_;
    std::int64_t clock_offset_ = 0;
    std::optional<CommittedSession> last_commit_;
    std::map<std::uint32_t, std::uint16_t> card_counters_;

    // RAM.
    FullSyncStaging staging_;
    protocol::Status last_status_ = protocol::Status::ok;
    std::uint16_t last_tag_ = 0;
    std::uint32_t cursor_ = RecordLog::first_seq;
    std::array<std::uint16_t, protocol::mailbox::block.count> mailbox_{};
    bool busy_ = false;
    bool dirty_ = false;
};

}  // namespace cardd::termsim
