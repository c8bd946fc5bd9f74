#include "tools/termsim/full_sync.hpp"

#include <bit>
#include <stdexcept>

#include "protocol/bitmap.hpp"
#include "protocol/checksum.hpp"

namespace cardd::termsim {

using protocol::Status;
using protocol::SyncFormat;

void FullSyncStaging::begin(const protocol::FullBegin& begin) {
    session_.emplace();
    session_->id = begin.session;
    session_->target_version = begin.target_version;
    session_->format = begin.format;
    session_->total = begin.total;
}

FullSyncStaging::Placement FullSyncStaging::place(std::uint32_t first, std::size_t count) const noexcept {
    const std::uint64_t received = session_->received;
    if (first == received) return Placement::append;
    // "A chunk wholly received before": it ends at or before what we hold.
    if (std::uint64_t{first} + count <= received) return Placement::already;
    return Placement::out_of_sequence;
}

Status FullSyncStaging::append_list(std::uint32_t session, std::uint32_t first_index,
                                    std::span<const std::uint32_t> entries) {
    if (!session_ || session_->id != session) return Status::no_session;
    if (session_->format != SyncFormat::list) return Status::bad_argument;
    switch (place(first_index, entries.size())) {
        case Placement::already: return Status::ok_already;
        case Placement::out_of_sequence: return Status::sequence;
        case Placement::append: break;
    }
    if (std::uint64_t{session_->received} + entries.size() > session_->total) return Status::bad_argument;
    session_->entries.insert(session_->entries.end(), entries.begin(), entries.end());
    session_->crc = protocol::list_crc(entries, session_->crc);
    session_->received += static_cast<std::uint32_t>(entries.size());
    return Status::ok;
}

Status FullSyncStaging::append_bitmap(std::uint32_t session, std::uint32_t byte_offset,
                                      std::span<const std::uint8_t> bytes, std::size_t capacity) {
    if (!session_ || session_->id != session) return Status::no_session;
    if (session_->format != SyncFormat::bitmap) return Status::bad_argument;
    switch (place(byte_offset, bytes.size())) {
        case Placement::already: return Status::ok_already;
        case Placement::out_of_sequence: return Status::sequence;
        case Placement::append: break;
    }
    if (std::uint64_t{session_->received} + bytes.size() > session_->total) return Status::bad_argument;
    std::size_t cards = 0;
    for (const std::uint8_t byte : bytes) cards += static_cast<std::size_t>(std::popcount(byte));
    if (session_->bitmap_cards + cards > capacity) return Status::capacity;
    session_->bitmap.insert(session_->bitmap.end(), bytes.begin(), bytes.end());
    session_->bitmap_cards += cards;
    session_->crc = protocol::bitmap_crc(bytes, session_->crc);
    session_->received += static_cast<std::uint32_t>(bytes.size());
    return Status::ok;
}

std::expected<FullSyncStaging::Staged, Status> FullSyncStaging::commit(std::uint32_t session, std::uint32_t crc) {
    if (!session_ || session_->id != session) return std::unexpected(Status::no_session);
    Session done = std::move(*session_);
    session_.reset();
    if (done.received < done.total) return std::unexpected(Status::incomplete);
    if (done.crc != crc) return std::unexpected(Status::crc_mismatch);
    Staged staged;
    staged.target_version = done.target_version;
    if (done.format == SyncFormat::list) {
        staged.cards = std::move(done.entries);
    } else {
        // The chunks were checked bit by bit on arrival (no card 0, none
        // above the limit), so the bitmap always reads.
        auto cards = protocol::read_bitmap(done.bitmap);
        if (!cards) throw std::logic_error("staged bitmap does not read: " + cards.error().message);
        staged.cards = std::move(*cards);
    }
    return staged;
}

void FullSyncStaging::abort(std::uint32_t session) noexcept {
    if (session_ && session_->id == session) session_.reset();
}

}  // namespace cardd::termsim
