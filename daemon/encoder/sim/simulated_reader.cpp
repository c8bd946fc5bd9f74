#include "daemon/encoder/sim/simulated_reader.hpp"

#include <algorithm>
#include <string>
#include <thread>
#include <utility>
#include <variant>

#include "protocol/hex.hpp"

namespace cardd::encoder::sim {

namespace {

namespace ccid = protocol::ccid;
namespace acr122 = protocol::acr122;
using ccid::CommandStatus;
using ccid::MessageType;

// What an ACR122U answers to IccPowerOn for a MIFARE Classic 1K: the PC/SC
// part 3 ATR of a contactless storage card, standard 03 (ISO 14443 A part
// 3), card name 00 01.
constexpr std::array<std::uint8_t, 20> mifare_1k_atr{0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00,
                                                     0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A};

// CCID reports a malformed command by the offset of the faulty header field.
constexpr std::uint8_t length_field_error = 1;  // dwLength
constexpr std::uint8_t slot_field_error = 5;    // bSlot ("slot does not exist")

// bClockStatus: running while the card is powered, stopped otherwise.
constexpr std::uint8_t clock_running = 0x00;
constexpr std::uint8_t clock_stopped = 0x03;

// The BWT multiplier a time extension asks for.
constexpr std::uint8_t time_extension_multiplier = 1;

// Fresh UIDs count up from here: NXP's manufacturer byte first, as on the
// cards a canteen buys.
constexpr std::uint32_t first_uid = 0x04A20001;
// A 4-byte UID starting with the cascade tag would read as the first half
// of a 7-byte one during anticollision.
constexpr std::uint8_t cascade_tag = 0x88;

std::vector<std::uint8_t> firmware_bytes() { return acr122::encode_firmware(SimulatedReader::firmware_version); }

acr122::Response status_only(std::uint16_t status) { return {{}, status}; }

acr122::Response outcome(CardOutcome result) {
    return status_only(result == CardOutcome::ok ? acr122::sw::ok : acr122::sw::failed);
}

// Runs one pseudo-APDU against the card on the reader.
struct Runner {
    VirtualCard& card;
    std::array<std::optional<Key>, acr122::key_slots>& keys;

    acr122::Response operator()(const acr122::GetUid&) const { return {card.uid(), acr122::sw::ok}; }

    acr122::Response operator()(const acr122::LoadKey& command) const {
        if (command.slot >= keys.size()) return status_only(acr122::sw::failed);
        keys[command.slot] = command.key;
        return status_only(acr122::sw::ok);
    }

    acr122::Response operator()(const acr122::Authenticate& command) const {
        if (command.slot >= keys.size() || !keys[command.slot]) return status_only(acr122::sw::failed);
        return outcome(card.authenticate(command.block, command.type, *keys[command.slot]));
    }

    acr122::Response operator()(const acr122::ReadBinary& command) const {
        Block data{};
        const auto result = card.read(command.block, data);
        if (result != CardOutcome::ok) return outcome(result);
        return {{data.begin(), data.end()}, acr122::sw::ok};
    }

    acr122::Response operator()(const acr122::UpdateBinary& command) const {
        return outcome(card.write(command.block, command.data));
    }

    acr122::Response operator()(const acr122::ValueOperation& command) const {
        switch (command.op) {
            case acr122::ValueOp::store:
                return outcome(
                    card.write(command.block, protocol::card::encode_value_block(command.value, command.block)));
            case acr122::ValueOp::increment: return outcome(card.increment(command.block, command.value));
            case acr122::ValueOp::decrement: return outcome(card.decrement(command.block, command.value));
        }
        return status_only(acr122::sw::bad_p1_p2);
    }

    acr122::Response operator()(const acr122::ReadValue& command) const {
        std::int32_t value = 0;
        const auto result = card.read_value(command.block, value);
        if (result != CardOutcome::ok) return outcome(result);
        const auto bits = static_cast<std::uint32_t>(value);
        return {{static_cast<std::uint8_t>(bits >> 24), static_cast<std::uint8_t>(bits >> 16),
                 static_cast<std::uint8_t>(bits >> 8), static_cast<std::uint8_t>(bits)},
                acr122::sw::ok};
    }

    acr122::Response operator()(const acr122::RestoreValue& command) const {
        return outcome(card.restore(command.source, command.target));
    }

    // The ACR122U answers its firmware bare, without a status word.
    acr122::Response operator()(const acr122::GetFirmware&) const { return {}; }
};

using Shelf = std::map<std::vector<std::uint8_t>, VirtualCard>;

// LoadKey and the firmware query stay in the reader.
bool reaches_card(const acr122::Command& command) {
    return !std::holds_alternative<acr122::LoadKey>(command) && !std::holds_alternative<acr122::GetFirmware>(command);
}

// Writes, and value operations with their transfer; the rest leave the
// card's memory as it is.
bool writes_card(const acr122::Command& command) {
    return std::holds_alternative<acr122::UpdateBinary>(command) ||
           std::holds_alternative<acr122::ValueOperation>(command) ||
           std::holds_alternative<acr122::RestoreValue>(command);
}

void append_card(std::string& text, const VirtualCard& card) {
    text += protocol::hex_bytes(card.uid());
    text += ' ';
    for (const auto& block : card.memory()) text += protocol::hex_bytes(block);
    text += '\n';
}

std::string shelf_text(const Shelf& shelf) {
    constexpr std::size_t longest_line = 2 * 7 + 1 + 64 * 16 * 2 + 1;
    std::string text;
    text.reserve(shelf.size() * longest_line);
    for (const auto& [uid, card] : shelf) append_card(text, card);
    return text;
}

std::string card_text(const VirtualCard& card) {
    std::string text;
    append_card(text, card);
    return text;
}

// A card's file in the shelf directory.
std::string file_name(const std::vector<std::uint8_t>& uid) { return protocol::hex_bytes(uid); }

Result<Shelf> parse_shelf(std::string_view text) {
    constexpr std::size_t memory_digits = 64 * 16 * 2;
    Shelf loaded;
    int line_no = 0;
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        ++line_no;
        if (line.ends_with('\r')) line.remove_suffix(1);
        if (line.empty()) continue;
        // Messages name the line and the fault, never its bytes: they hold keys.
        const std::string where = "shelf line " + std::to_string(line_no) + ": ";
        const auto space = line.find(' ');
        if (space == std::string_view::npos) return fail(Errc::corrupt, where + "no space between UID and memory");
        const auto uid = protocol::parse_hex_bytes(line.substr(0, space));
        if (!uid || (uid->size() != 4 && uid->size() != 7)) {
            return fail(Errc::corrupt, where + "the UID is not 4 or 7 bytes of hex");
        }
        const std::string_view digits = line.substr(space + 1);
        if (digits.size() != memory_digits) {
            return fail(Errc::corrupt, where + "the memory has " + std::to_string(digits.size()) + " characters, not " +
                                           std::to_string(memory_digits));
        }
        const auto bytes = protocol::parse_hex_bytes(digits);
        if (!bytes) return fail(Errc::corrupt, where + "the memory is not hex");
        std::array<Block, 64> memory{};
        for (std::size_t i = 0; i < bytes->size(); ++i) memory[i / 16][i % 16] = (*bytes)[i];
        if (const auto problem = VirtualCard::memory_problem(*uid, memory)) {
            return fail(Errc::corrupt, where + *problem);
        }
        if (loaded.contains(*uid)) return fail(Errc::corrupt, where + "a second card with the same UID");
        loaded.insert_or_assign(*uid, *VirtualCard::from_memory(*uid, memory));
    }
    return loaded;
}

// The cards of the shelf directory's files, each checked against its name.
Result<Shelf> parse_card_files(const std::map<std::string, std::string>& files) {
    Shelf loaded;
    for (const auto& [name, text] : files) {
        auto cards = parse_shelf(text);
        if (!cards) return fail(Errc::corrupt, "card file " + name + ": " + cards.error().message);
        if (cards->size() != 1) {
            return fail(Errc::corrupt, "card file " + name + ": " + std::to_string(cards->size()) + " cards, not one");
        }
        auto& [uid, card] = *cards->begin();
        if (file_name(uid) != name) return fail(Errc::corrupt, "card file " + name + ": holds another UID");
        loaded.insert_or_assign(uid, std::move(card));
    }
    return loaded;
}

}  // namespace

SimulatedReader::SimulatedReader(ShelfDirectory shelf) : directory_(std::move(shelf)) {}

Result<void> SimulatedReader::bulk_out(std::span<const std::uint8_t> message, std::chrono::milliseconds) {
    std::chrono::milliseconds pause{0};
    {
        std::lock_guard lock(mutex_);
        if (run_message(message)) pause = per_command_;
    }
    // The answer is queued already; the host reads it only once this returns.
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
    return {};
}

bool SimulatedReader::run_message(std::span<const std::uint8_t> message) {
    // Without a whole header there is no bSeq to answer to: the reader
    // ignores the transfer and the host times out.
    if (message.size() < ccid::header_size) return false;
    const auto decoded = ccid::decode_host_message(message);
    if (!decoded) {
        ccid::HostMessage echo;
        echo.slot = message[5];
        echo.seq = message[6];
        const std::uint8_t error =
            ccid::is_host_message_type(message[0]) ? length_field_error : ccid::slot_error::cmd_not_supported;
        answer(MessageType::slot_status, echo, CommandStatus::failed, error);
        return false;
    }
    const ccid::HostMessage& host = *decoded;
    if (host.slot != 0) {
        answer(MessageType::slot_status, host, CommandStatus::failed, slot_field_error);
        return false;
    }
    switch (host.type) {
        case MessageType::get_slot_status: answer(MessageType::slot_status, host, CommandStatus::ok, 0); break;
        case MessageType::icc_power_on:
            if (!present_) {
                answer(MessageType::data_block, host, CommandStatus::failed, ccid::slot_error::icc_mute);
                break;
            }
            // Powering up selects the card afresh, which ends any authentication.
            shelf_.at(*present_).halt();
            powered_ = true;
            answer(MessageType::data_block, host, CommandStatus::ok, 0, {mifare_1k_atr.begin(), mifare_1k_atr.end()});
            break;
        case MessageType::icc_power_off:
            if (present_) shelf_.at(*present_).halt();
            powered_ = false;
            answer(MessageType::slot_status, host, CommandStatus::ok, 0);
            break;
        case MessageType::xfr_block: return xfr_block(host);
        case MessageType::escape: escape(host); break;
        default: answer(MessageType::slot_status, host, CommandStatus::failed, ccid::slot_error::cmd_not_supported);
    }
    return false;
}

bool SimulatedReader::xfr_block(const ccid::HostMessage& message) {
    if (delayed_answers_ > 0) {
        --delayed_answers_;
        answer(MessageType::data_block, message, CommandStatus::time_extension, time_extension_multiplier);
    }
    if (!present_ || !powered_) {
        answer(MessageType::data_block, message, CommandStatus::failed, ccid::slot_error::icc_mute);
        return false;
    }
    const auto command = acr122::decode_command(message.data);
    if (!command) {
        const bool length = command.error().code == protocol::DecodeErrc::truncated ||
                            command.error().code == protocol::DecodeErrc::too_long ||
                            command.error().code == protocol::DecodeErrc::length_mismatch;
        const auto status = length ? acr122::sw::wrong_length : acr122::sw::bad_p1_p2;
        answer(MessageType::data_block, message, CommandStatus::ok, 0, acr122::encode(status_only(status)));
        return false;
    }
    std::vector<std::uint8_t> reply;
    if (std::holds_alternative<acr122::GetFirmware>(*command)) {
        reply = firmware_bytes();
    } else {
        reply = acr122::encode(run_on_card(*command));
    }
    answer(MessageType::data_block, message, CommandStatus::ok, 0, std::move(reply));
    if (!reaches_card(*command)) return false;
    if (remove_countdown_ > 0 && --remove_countdown_ == 0) take_away();
    return true;
}

acr122::Response SimulatedReader::run_on_card(const acr122::Command& command) {
    VirtualCard& card = shelf_.at(*present_);
    if (!writes_card(command)) return std::visit(Runner{card, keys_}, command);
    // A physical card acknowledges a write once its EEPROM holds it. Here the
    // card's file is the EEPROM: the command runs on a copy, which becomes the card
    // only once the file holds it, and a write the file cannot take is
    // answered as the card answers a write it refuses.
    VirtualCard changed = card;
    const acr122::Response response = std::visit(Runner{changed, keys_}, command);
    if (response.ok() && !store(changed)) return status_only(acr122::sw::failed);
    card = std::move(changed);
    return response;
}

Result<void> SimulatedReader::store(const VirtualCard& card) const {
    if (!directory_) return {};
    return directory_->store(file_name(card.uid()), card_text(card));
}

void SimulatedReader::escape(const ccid::HostMessage& message) {
    const auto command = acr122::decode_command(message.data);
    if (!command || !std::holds_alternative<acr122::GetFirmware>(*command)) {
        answer(MessageType::escape_answer, message, CommandStatus::failed, ccid::slot_error::cmd_not_supported);
        return;
    }
    answer(MessageType::escape_answer, message, CommandStatus::ok, 0, firmware_bytes());
}

void SimulatedReader::answer(MessageType type, const ccid::HostMessage& to, CommandStatus status, std::uint8_t error,
                             std::vector<std::uint8_t> data) {
    ccid::ReaderMessage reply;
    reply.type = type;
    reply.slot = to.slot;
    reply.seq = to.seq;
    reply.icc = icc_status();
    reply.command = status;
    reply.error = error;
    if (type == MessageType::slot_status) {
        reply.specific = reply.icc == ccid::IccStatus::present_active ? clock_running : clock_stopped;
    }
    reply.data = std::move(data);
    answers_.push_back(ccid::encode(reply));
}

ccid::IccStatus SimulatedReader::icc_status() const noexcept {
    if (!present_) return ccid::IccStatus::absent;
    return powered_ ? ccid::IccStatus::present_active : ccid::IccStatus::present_inactive;
}

Result<std::vector<std::uint8_t>> SimulatedReader::bulk_in(std::size_t max_size, std::chrono::milliseconds) {
    std::lock_guard lock(mutex_);
    // Every answer is queued by the bulk_out that asked for it, so an empty
    // queue will stay empty: waiting out the timeout would only slow tests.
    if (answers_.empty()) return fail(Errc::timeout, "the simulated reader has no answer pending");
    auto reply = std::move(answers_.front());
    answers_.pop_front();
    if (reply.size() > max_size) {
        return fail(Errc::usb_io, "the answer (" + std::to_string(reply.size()) + " bytes) overflows a " +
                                      std::to_string(max_size) + "-byte transfer");
    }
    return reply;
}

void SimulatedReader::take_away() noexcept {
    if (present_) shelf_.at(*present_).halt();
    present_.reset();
    powered_ = false;
    remove_countdown_ = -1;
}

void SimulatedReader::put_on_reader(const Uid& uid) {
    take_away();
    shelf_.at(uid).halt();
    present_ = uid;
}

SimulatedReader::Uid SimulatedReader::fresh_uid() {
    for (;;) {
        const std::uint32_t n = first_uid + next_uid_++;
        Uid uid{static_cast<std::uint8_t>(n >> 24), static_cast<std::uint8_t>(n >> 16),
                static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
        // A UID already kept came from the shelf directory or place(uid).
        if (uid[0] != cascade_tag && !shelf_.contains(uid)) return uid;
    }
}

Result<std::vector<std::uint8_t>> SimulatedReader::place_blank() {
    std::lock_guard lock(mutex_);
    Uid uid = fresh_uid();
    VirtualCard card(uid);
    if (auto stored = store(card); !stored) return std::unexpected(std::move(stored.error()));
    shelf_.insert_or_assign(uid, std::move(card));
    put_on_reader(uid);
    return uid;
}

Result<void> SimulatedReader::place(const std::vector<std::uint8_t>& uid) {
    std::lock_guard lock(mutex_);
    if (!shelf_.contains(uid)) {
        VirtualCard card(uid);
        if (auto stored = store(card); !stored) return stored;
        shelf_.insert_or_assign(uid, std::move(card));
    }
    put_on_reader(uid);
    return {};
}

Result<void> SimulatedReader::place(VirtualCard card) {
    std::lock_guard lock(mutex_);
    if (auto stored = store(card); !stored) return stored;
    Uid uid = card.uid();
    shelf_.insert_or_assign(uid, std::move(card));
    put_on_reader(uid);
    return {};
}

// The directory holds no trace of which card is on the reader (a reader
// starts empty), and every change to the cards is in it already: taking a
// card away, now or after some commands, leaves the files as they are.
void SimulatedReader::remove() {
    std::lock_guard lock(mutex_);
    take_away();
}

void SimulatedReader::remove_after(int commands) {
    std::lock_guard lock(mutex_);
    if (commands <= 0) {
        take_away();
        return;
    }
    remove_countdown_ = commands;
}

void SimulatedReader::delay_answers(int count) {
    std::lock_guard lock(mutex_);
    delayed_answers_ = std::max(count, 0);
}

void SimulatedReader::slow_down(std::chrono::milliseconds per_command) {
    std::lock_guard lock(mutex_);
    per_command_ = std::max(per_command, std::chrono::milliseconds(0));
}

std::chrono::milliseconds SimulatedReader::per_command() const {
    std::lock_guard lock(mutex_);
    return per_command_;
}

std::optional<std::vector<std::uint8_t>> SimulatedReader::card_on_reader() const {
    std::lock_guard lock(mutex_);
    return present_;
}

std::optional<VirtualCard> SimulatedReader::card(const std::vector<std::uint8_t>& uid) const {
    std::lock_guard lock(mutex_);
    const auto found = shelf_.find(uid);
    if (found == shelf_.end()) return std::nullopt;
    return found->second;
}

SimulatedReader::KeptCard SimulatedReader::change_kept_card(const std::vector<std::uint8_t>& uid,
                                                            const std::function<void(VirtualCard&)>& change) {
    std::lock_guard lock(mutex_);
    if (present_ == uid) return KeptCard::on_reader;
    const auto found = shelf_.find(uid);
    if (found == shelf_.end()) return KeptCard::not_kept;
    VirtualCard changed = found->second;
    change(changed);
    if (!store(changed)) return KeptCard::not_stored;
    found->second = std::move(changed);
    return KeptCard::changed;
}

std::string SimulatedReader::save_shelf() const {
    std::lock_guard lock(mutex_);
    return shelf_text(shelf_);
}

Result<void> SimulatedReader::load_shelf(std::string_view text) {
    auto loaded = parse_shelf(text);
    if (!loaded) return std::unexpected(std::move(loaded.error()));
    std::lock_guard lock(mutex_);
    if (directory_) {
        for (const auto& [uid, card] : *loaded) {
            if (auto stored = store(card); !stored) return stored;
        }
        for (const auto& [uid, card] : shelf_) {
            if (loaded->contains(uid)) continue;
            if (auto removed = directory_->remove(file_name(uid)); !removed) return removed;
        }
    }
    take_away();
    shelf_ = std::move(*loaded);
    return {};
}

Result<void> SimulatedReader::load_shelf_directory() {
    if (!directory_) return {};
    // The old single file is moved in whole before it goes: a process killed
    // half way finds it still there and moves it again, over the cards it
    // wrote the first time.
    const auto old = directory_->load_old_file();
    if (!old) return std::unexpected(old.error());
    if (*old) {
        auto moving = parse_shelf(**old);
        if (!moving) {
            return fail(Errc::corrupt, directory_->old_file().string() + ": " + moving.error().message);
        }
        for (const auto& [uid, card] : *moving) {
            if (auto stored = store(card); !stored) return stored;
        }
        if (auto removed = directory_->remove_old_file(); !removed) return removed;
    }
    const auto files = directory_->load();
    if (!files) return std::unexpected(files.error());
    auto loaded = parse_card_files(*files);
    if (!loaded) return std::unexpected(std::move(loaded.error()));
    std::lock_guard lock(mutex_);
    take_away();
    shelf_ = std::move(*loaded);
    return {};
}

}  // namespace cardd::encoder::sim
