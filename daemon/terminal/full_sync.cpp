#include "daemon/terminal/full_sync.hpp"

#include <algorithm>
#include <string>
#include <vector>

#include "daemon/terminal/command_retry.hpp"
#include "protocol/bitmap.hpp"
#include "protocol/checksum.hpp"
#include "protocol/command.hpp"
#include "protocol/registers.hpp"

namespace cardd::daemon {

namespace {

using protocol::Status;
using protocol::SyncFormat;

constexpr auto rw = protocol::WriteFunction::read_write_multiple;

// The data of one full sync in the form it goes on the wire.
class Staging {
public:
    explicit Staging(const FullSyncJob& job) : job_(job) {
        if (job.format == SyncFormat::bitmap) bytes_ = protocol::build_bitmap(job.cards);
    }

    std::uint32_t total() const noexcept {
        return static_cast<std::uint32_t>(bitmap() ? bytes_.size() : job_.cards.size());
    }
    std::uint32_t crc() const { return bitmap() ? protocol::bitmap_crc(bytes_) : protocol::list_crc(job_.cards); }
    protocol::Command chunk_at(std::uint32_t position) const {
        const std::size_t max =
            bitmap() ? protocol::max_bitmap_bytes_per_command(rw) : protocol::max_entries_per_command(rw);
        const std::size_t n = std::min<std::size_t>(max, total() - position);
        if (bitmap()) {
            return protocol::make_full_bitmap_chunk(0, job_.session_id, position,
                                                    std::span(bytes_).subspan(position, n));
        }
        return protocol::make_full_list_chunk(0, job_.session_id, position, job_.cards.subspan(position, n));
    }
    std::uint32_t chunk_size(const protocol::Command& chunk) const noexcept { return chunk.n; }

private:
    bool bitmap() const noexcept { return job_.format == SyncFormat::bitmap; }

    const FullSyncJob& job_;
    std::vector<std::uint8_t> bytes_;
};

class FullSync {
public:
    FullSync(TerminalClient& client, const FullSyncJob& job) : client_(client), job_(job), staging_(job) {}

    LinkResult<protocol::Confirmation> run() {
        const auto begin =
            protocol::make_full_begin(0, job_.session_id, job_.target_version, job_.format, staging_.total());
        auto status = execute_with_retry(client_, begin);
        if (!status) return std::unexpected(std::move(status.error()));
        // OK_ALREADY is not defined for FULL_BEGIN; a terminal that answers it
        // to a repeated begin still has an open, empty staging area.
        if (!succeeded(*status)) return std::unexpected(status_error(begin, *status));

        if (auto sent = send_chunks(); !sent) return std::unexpected(std::move(sent.error()));
        return commit();
    }

private:
    static bool succeeded(Status status) noexcept { return status == Status::ok || status == Status::ok_already; }

    LinkResult<void> send_chunks() {
        std::uint32_t position = 0;
        int resumes = 0;
        while (position < staging_.total()) {
            const auto chunk = staging_.chunk_at(position);
            auto status = execute_with_retry(client_, chunk);
            if (!status) return std::unexpected(std::move(status.error()));
            if (succeeded(*status)) {
                position += staging_.chunk_size(chunk);
                continue;
            }
            const std::string where = "at " + std::to_string(position) + " of " + std::to_string(staging_.total());
            if (*status == Status::sequence && resumes < max_sequence_resumes) {
                ++resumes;
                auto resumed = progress();
                if (!resumed) return abort_with(std::move(resumed.error()));
                position = *resumed;
                continue;
            }
            if (*status == Status::no_session) return std::unexpected(status_error(chunk, *status, where));
            return abort_with(status_error(chunk, *status, where));
        }
        return {};
    }

    // Where the terminal wants the next chunk, from its progress register.
    LinkResult<std::uint32_t> progress() {
        auto read = read_state_with_retry(client_);
        if (!read) return std::unexpected(std::move(read.error()));
        const protocol::TerminalState& state = *read;
        if (state.full_sync_state != protocol::FullSyncState::receiving ||
            state.full_sync_progress > staging_.total()) {
            return link_fail(LinkError::Kind::protocol,
                             "full sync answered SEQUENCE, and the terminal is " +
                                 std::string(protocol::to_string(state.full_sync_state)) + " with progress " +
                                 std::to_string(state.full_sync_progress) + " of " + std::to_string(staging_.total()));
        }
        return state.full_sync_progress;
    }

    LinkResult<protocol::Confirmation> commit() {
        const auto commit = protocol::make_full_commit(0, job_.session_id, staging_.crc());
        auto answer = execute_confirmed_with_retry(client_, commit);
        if (!answer) return std::unexpected(std::move(answer.error()));
        const Status status = answer->status;
        if (succeeded(status)) return answer->seen;
        switch (status) {
            case Status::incomplete:
            case Status::crc_mismatch:
            case Status::no_session:
                // The terminal discarded the staging itself (or never had it).
                return std::unexpected(status_error(commit, status));
            default: return abort_with(status_error(commit, status));
        }
    }

    // Drops the staging area, so a refused sync does not hold the terminal's
    // memory until the next FULL_BEGIN; its outcome does not change ours.
    // Not after link trouble: the abort would only wait out another timeout,
    // and the next FULL_BEGIN discards the staging anyway.
    std::unexpected<LinkError> abort_with(LinkError error) {
        const bool link_trouble = error.kind == LinkError::Kind::timeout || error.kind == LinkError::Kind::io ||
                                  error.kind == LinkError::Kind::garbage;
        if (!link_trouble) (void)client_.execute(protocol::make_full_abort(0, job_.session_id));
        return std::unexpected(std::move(error));
    }

    TerminalClient& client_;
    const FullSyncJob& job_;
    Staging staging_;
};

}  // namespace

LinkResult<protocol::Confirmation> send_full_sync(TerminalClient& client, const FullSyncJob& job) {
    return FullSync(client, job).run();
}

}  // namespace cardd::daemon
