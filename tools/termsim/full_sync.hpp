#pragma once
// The staging area of a full sync (FULL_BEGIN, chunks, FULL_COMMIT or
// FULL_ABORT). It lives in RAM only: a terminal that restarts forgets it and
// the sender starts the sync over (chunks then get NO_SESSION).

#include <cstddef>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <vector>

#include "protocol/command.hpp"
#include "protocol/status.hpp"

namespace cardd::termsim {

class FullSyncStaging {
public:
    /// One open session.
    struct Session {
        std::uint32_t id = 0;
        std::uint32_t target_version = 0;
        protocol::SyncFormat format = protocol::SyncFormat::list;
        std::uint32_t total = 0;             ///< entries (list) or bytes (bitmap) announced
        std::uint32_t received = 0;          ///< entries or bytes appended so far
        std::uint32_t crc = 0;               ///< CRC-32 of the data as sent, so far
        std::vector<std::uint32_t> entries;  ///< list: in the order sent
        std::vector<std::uint8_t> bitmap;    ///< bitmap: the bytes
        std::size_t bitmap_cards = 0;        ///< bits set in `bitmap`
    };

    /// What a successful commit enforces.
    struct Staged {
        std::vector<std::uint32_t> cards;
        std::uint32_t target_version = 0;
    };

    bool receiving() const noexcept { return session_.has_value(); }
    const std::optional<Session>& session() const noexcept { return session_; }
    /// Register 0x0017: entries or bytes received; 0 when idle.
    std::uint32_t progress() const noexcept { return session_ ? session_->received : 0; }

    /// Opens an empty staging area, discarding any earlier one. The caller has
    /// validated the arguments.
    void begin(const protocol::FullBegin& begin);

    /// A FULL_LIST_CHUNK whose payload the caller has validated. Statuses: OK,
    /// OK_ALREADY, SEQUENCE, NO_SESSION, BAD_ARGUMENT (a bitmap session, or
    /// entries past the announced total).
    protocol::Status append_list(std::uint32_t session, std::uint32_t first_index,
                                 std::span<const std::uint32_t> entries);

    /// A FULL_BITMAP_CHUNK, as append_list; CAPACITY when the bits set would
    /// pass `capacity` cards.
    protocol::Status append_bitmap(std::uint32_t session, std::uint32_t byte_offset,
                                   std::span<const std::uint8_t> bytes, std::size_t capacity);

    /// FULL_COMMIT for the open session: the staged set, or INCOMPLETE or
    /// CRC_MISMATCH (staging discarded either way), or NO_SESSION when
    /// `session` is not the open one (nothing discarded).
    std::expected<Staged, protocol::Status> commit(std::uint32_t session, std::uint32_t crc);

    /// FULL_ABORT: discards the staging area if `session` is the open one.
    void abort(std::uint32_t session) noexcept;

private:
    // The three outcomes that depend only on where a chunk starts.
    enum class Placement { append, already, out_of_sequence };
    Placement place(std::uint32_t first, std::size_t count) const noexcept;

    std::optional<Session> session_;
};

}  // namespace cardd::termsim
