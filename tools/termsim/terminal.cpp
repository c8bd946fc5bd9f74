#include "tools/termsim/terminal.hpp"

#include <algorithm>
#include <chrono>
#include <utility>
#include <stdexcept>

#include "protocol/bitmap.hpp"
#include "protocol/words.hpp"
#include "tools/termsim/address_map.hpp"

namespace cardd::termsim {

namespace p = cardd::protocol;
using p::Opcode;
using p::Status;

namespace {

bool quantity_ok(std::size_t count, std::size_t max) noexcept { return count >= 1 && count <= max; }

}  // namespace

std::int64_t Terminal::system_clock() noexcept {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

Terminal::Terminal(TerminalConfig config, Clock clock) : config_(std::move(config)), clock_(std::move(clock)) {
    if (config_.serial == 0) throw std::invalid_argument("the serial number must be non-zero");
    if (config_.bitmap_limit > p::max_card_number) {
        throw std::invalid_argument("the bitmap limit must be at most 16777215 (card numbers are 24 bits)");
    }
    model_regs_ = p::encode_model_name(config_.model);
}

std::uint32_t Terminal::highest_card() const noexcept {
    return config_.bitmap_limit != 0 ? config_.bitmap_limit : p::max_card_number;
}

std::uint32_t Terminal::clock_now() const {
    // The register is a u32 of Unix seconds; the terminal's clock wraps with it.
    return static_cast<std::uint32_t>(clock_() + clock_offset_);
}

// ---- register access -------------------------------------------------------

ReadResult Terminal::read_registers(std::uint16_t address, std::uint16_t count) {
    if (!quantity_ok(count, p::modbus::max_read_registers)) {
        return std::unexpected(ModbusException::illegal_data_value);
    }
    if (auto ok = check_read(address, count); !ok) return std::unexpected(ok.error());
    return read_image(address, count);
}

WriteResult Terminal::write_registers(std::uint16_t address, std::span<const std::uint16_t> values) {
    if (!quantity_ok(values.size(), p::modbus::max_write_registers)) {
        return std::unexpected(ModbusException::illegal_data_value);
    }
    return apply_write(address, values);
}

ReadResult Terminal::write_read(std::uint16_t write_address, std::span<const std::uint16_t> values,
                                std::uint16_t read_address, std::uint16_t read_count) {
    if (!quantity_ok(values.size(), p::modbus::max_rw_write_registers) ||
        !quantity_ok(read_count, p::modbus::max_rw_read_registers)) {
        return std::unexpected(ModbusException::illegal_data_value);
    }
    // Both halves are checked before either is done: an exception means
    // nothing happened, so a master may retry the whole request.
    if (auto ok = check_write(write_address, static_cast<std::uint16_t>(values.size())); !ok) {
        return std::unexpected(ok.error());
    }
    if (auto ok = check_read(read_address, read_count); !ok) return std::unexpected(ok.error());
    if (auto done = apply_write(write_address, values); !done) return std::unexpected(done.error());
    return read_image(read_address, read_count);
}

WriteResult Terminal::apply_write(std::uint16_t address, std::span<const std::uint16_t> values) {
    const auto target = check_write(address, static_cast<std::uint16_t>(values.size()));
    if (!target) return std::unexpected(target.error());
    switch (*target) {
        case WriteTarget::mailbox_command:
            std::ranges::copy(values, mailbox_.begin());
            run_command(values);
            break;
        case WriteTarget::records_cursor: {
            auto words = p::split_u32(cursor_);
            for (std::size_t i = 0; i < values.size(); ++i) words[address - p::records::cursor.address + i] = values[i];
            cursor_ = p::join_u32(words[0], words[1]);
            break;
        }
    }
    return {};
}

std::vector<std::uint16_t> Terminal::read_image(std::uint16_t address, std::uint16_t count) const {
    std::optional<std::array<std::uint16_t, 32>> state_regs;
    std::optional<std::vector<std::uint16_t>> window_regs;
    std::vector<std::uint16_t> out;
    out.reserve(count);
    for (std::uint32_t a = address; a < std::uint32_t{address} + count; ++a) {
        if (a < p::state::block.end()) {
            if (!state_regs) state_regs = p::encode_state_block(state());
            out.push_back((*state_regs)[a - p::state::block.address]);
        } else if (a < p::model_name::block.end()) {
            out.push_back(model_regs_[a - p::model_name::block.address]);
        } else if (a >= p::mailbox::block.address && a < p::mailbox::block.end()) {
            // The mailbox reads back the registers of the last command written.
            out.push_back(mailbox_[a - p::mailbox::block.address]);
        } else if (a < p::records::cursor.end()) {
            out.push_back(p::split_u32(cursor_)[a - p::records::cursor.address]);
        } else {
            if (!window_regs) window_regs = p::encode_records_window(records_.window(cursor_));
            const std::size_t i = a - p::records::count.address;
            out.push_back(i < window_regs->size() ? (*window_regs)[i] : std::uint16_t{0});
        }
    }
    return out;
}

// ---- commands --------------------------------------------------------------

void Terminal::run_command(std::span<const std::uint16_t> regs) {
    auto command = p::decode_command(regs);
    // check_write() let through 7..123 registers only, which always decode.
    if (!command) throw std::logic_error("mailbox write does not decode: " + command.error().message);
    last_tag_ = command->tag;
    last_status_ = busy_ ? Status::busy : execute(*command);
}

Status Terminal::execute(const p::Command& command) {
    switch (command.opcode) {
        case Opcode::add:
        case Opcode::remove: return add_or_remove(command);
        case Opcode::full_begin: return full_begin(command);
        case Opcode::full_list_chunk: return full_list_chunk(command);
        case Opcode::full_bitmap_chunk: return full_bitmap_chunk(command);
        case Opcode::full_commit: return full_commit(command);
        case Opcode::full_abort: return full_abort(command);
        case Opcode::records_ack: return records_ack(command);
        case Opcode::set_clock: return set_clock(command);
    }
    return Status::unknown_opcode;
}

bool Terminal::cards_valid(std::span<const std::uint32_t> cards) const noexcept {
    const std::uint32_t highest = highest_card();
    for (const std::uint32_t card : cards) {
        if (card == 0 || card > highest) return false;
    }
    return true;
}

Status Terminal::add_or_remove(const p::Command& command) {
    // Arguments first: a malformed command is BAD_ARGUMENT whatever the version.
    const auto entries = p::read_entries(command);
    if (!entries || command.arg2 <= command.arg1 || !cards_valid(*entries)) return Status::bad_argument;
    if (version_ == command.arg1) {
        if (command.opcode == Opcode::add) {
            if (blacklist_.size_after_add(*entries) > config_.capacity) return Status::capacity;
            blacklist_.add(*entries);
        } else {
            blacklist_.remove(*entries);
        }
        version_ = command.arg2;
        dirty_ = true;
        return Status::ok;
    }
    if (version_ == command.arg2) return Status::ok_already;
    return Status::version_mismatch;
}

Status Terminal::full_begin(const p::Command& command) {
    const auto begin = p::read_full_begin(command);  // n = 3, 3 payload registers, format 0 or 1
    if (!begin || begin->session == 0) return Status::bad_argument;
    if (begin->format == p::SyncFormat::bitmap) {
        // A bitmap may run to the end of the byte that holds the limit's bit.
        if (config_.bitmap_limit == 0 || begin->total > p::bitmap_bytes_for(config_.bitmap_limit)) {
            return Status::bad_argument;
        }
    } else if (begin->total > config_.capacity) {
        return Status::capacity;
    }
    staging_.begin(*begin);
    return Status::ok;
}

Status Terminal::full_list_chunk(const p::Command& command) {
    const auto entries = p::read_entries(command);
    if (!entries || !cards_valid(*entries)) return Status::bad_argument;
    return staging_.append_list(command.arg1, command.arg2, *entries);
}

Status Terminal::full_bitmap_chunk(const p::Command& command) {
    const auto bytes = p::read_bitmap_bytes(command);
    if (!bytes) return Status::bad_argument;
    const std::uint64_t highest = highest_card();
    for (std::size_t i = 0; i < bytes->size(); ++i) {
        const std::uint8_t byte = (*bytes)[i];
        if (byte == 0) continue;
        const std::uint64_t first_card = (std::uint64_t{command.arg2} + i) * 8;
        for (unsigned bit = 0; bit < 8; ++bit) {
            if ((byte & (0x80u >> bit)) == 0) continue;
            const std::uint64_t card = first_card + bit;
            if (card == 0 || card > highest) return Status::bad_argument;
        }
    }
    return staging_.append_bitmap(command.arg1, command.arg2, *bytes, config_.capacity);
}

Status Terminal::full_commit(const p::Command& command) {
    if (!p::check_payload_length(command)) return Status::bad_argument;
    auto staged = staging_.commit(command.arg1, command.arg2);
    if (staged) {
        blacklist_.replace(std::move(staged->cards));
        version_ = staged->target_version;
        last_commit_ = CommittedSession{command.arg1, command.arg2};
        dirty_ = true;
        return Status::ok;
    }
    if (staged.error() == Status::no_session && last_commit_ == CommittedSession{command.arg1, command.arg2}) {
        return Status::ok_already;
    }
    return staged.error();
}

Status Terminal::full_abort(const p::Command& command) {
    if (!p::check_payload_length(command)) return Status::bad_argument;
    staging_.abort(command.arg1);
    return Status::ok;
}

Status Terminal::records_ack(const p::Command& command) {
    if (!p::check_payload_length(command)) return Status::bad_argument;
    if (records_.acknowledge(command.arg1)) dirty_ = true;
    return Status::ok;
}

Status Terminal::set_clock(const p::Command& command) {
    if (!p::check_payload_length(command)) return Status::bad_argument;
    clock_offset_ = std::int64_t{command.arg1} - clock_();
    dirty_ = true;
    return Status::ok;
}

// ---- cards presented -------------------------------------------------------

std::expected<p::TransactionRecord, std::string> Terminal::tap(std::uint32_t card, std::int32_t amount_cents,
                                                               std::uint32_t balance_after,
                                                               std::optional<std::uint16_t> counter) {
    if (card == 0) return std::unexpected("card number 0 is never valid");
    std::uint16_t& card_counter = card_counters_[card];
    if (counter) card_counter = *counter;
    p::TransactionRecord record{.seq = 0,
                                .card_no = card,
                                .amount_cents = amount_cents,
                                .balance_after = balance_after,
                                .time = clock_now(),
                                .counter = card_counter,
                                .kind = p::RecordKind::purchase};
    if (blacklist_.contains(card)) {
        record.kind = p::RecordKind::refused;
        record.amount_cents = 0;
    } else if (amount_cents < 0) {
        record.kind = p::RecordKind::refund;
    }
    if (!records_.append(record)) {
        return std::unexpected("record memory full (" + std::to_string(RecordLog::max_held) +
                               " records held); acknowledge records first");
    }
    // A refused card is not written to, so its counter stays.
    if (record.kind != p::RecordKind::refused) ++card_counter;
    dirty_ = true;
    return record;
}

// ---- state -----------------------------------------------------------------

p::TerminalState Terminal::state() const {
    p::TerminalState s;
    s.serial = config_.serial;
    s.firmware = config_.firmware;
    s.capabilities = config_.bitmap_limit != 0 ? p::capability::bitmap_full_sync : std::uint16_t{0};
    s.blacklist_version = version_;
    s.blacklist_count = static_cast<std::uint32_t>(blacklist_.size());
    s.list_capacity = config_.capacity;
    s.bitmap_limit = config_.bitmap_limit;
    s.last_status = last_status_;
    s.last_tag = last_tag_;
    s.oldest_seq = records_.oldest();
    s.next_seq = records_.next();
    s.clock = clock_now();
    s.full_sync_state = staging_.receiving() ? p::FullSyncState::receiving : p::FullSyncState::idle;
    s.full_sync_progress = staging_.progress();
    s.checksum = blacklist_.checksum();
    return s;
}

PersistentState Terminal::persistent() const {
    PersistentState saved;
    saved.serial = config_.serial;
    saved.version = version_;
    saved.blacklist = blacklist_.cards();
    saved.oldest = records_.oldest();
    saved.next = records_.next();
    saved.records = records_.records();
    saved.clock_offset = clock_offset_;
    saved.last_commit = last_commit_;
    saved.card_counters = card_counters_;
    return saved;
}

std::expected<void, std::string> Terminal::restore(const PersistentState& saved) {
    if (saved.serial != config_.serial) {
        return std::unexpected("the saved state belongs to serial " + std::to_string(saved.serial) + ", not " +
                               std::to_string(config_.serial));
    }
    for (const std::uint32_t card : saved.blacklist) {
        if (card == 0 || card > p::max_card_number) {
            return std::unexpected("the saved blacklist holds card number " + std::to_string(card));
        }
    }
    RecordLog log;
    if (auto ok = log.restore(saved.oldest, saved.next, saved.records); !ok) return ok;
    version_ = saved.version;
    blacklist_.replace(saved.blacklist);
    records_ = std::move(log);
    clock_offset_ = saved.clock_offset;
    last_commit_ = saved.last_commit;
    card_counters_ = saved.card_counters;
    cursor_ = records_.oldest();
    return {};
}

bool Terminal::take_dirty() noexcept { return std::exchange(dirty_, false); }

}  // namespace cardd::termsim
