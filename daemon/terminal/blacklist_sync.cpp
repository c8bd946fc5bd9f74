#include "daemon/terminal/blacklist_sync.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "daemon/terminal/command_retry.hpp"
#include "daemon/terminal/full_sync.hpp"
#include "protocol/checksum.hpp"
#include "protocol/command.hpp"
#include "protocol/hex.hpp"
#include "protocol/registers.hpp"

namespace cardd::daemon {

namespace {

using protocol::Status;
using Kind = SyncOutcome::Kind;

constexpr auto rw = protocol::WriteFunction::read_write_multiple;
constexpr std::int64_t max_wire_version = 0xFFFF'FFFF;  // versions travel as u32

// Card numbers as CT-1 carries them, ascending and distinct; nullopt when one
// cannot be carried at all (0, or above 24 bits).
std::optional<std::vector<std::uint32_t>> wire_cards(std::span<const std::uint32_t> cards) {
    std::vector<std::uint32_t> result;
    result.reserve(cards.size());
    for (const std::uint32_t card : cards) {
        if (card < 1 || card > protocol::max_card_number) return std::nullopt;
        result.push_back(card);
    }
    std::ranges::sort(result);
    const auto [first, last] = std::ranges::unique(result);
    result.erase(first, last);
    return result;
}

std::string batch_name(const BlacklistBatch& batch) {
    if (batch.op == BatchOp::full) return "full batch to version " + std::to_string(batch.new_version);
    return std::string(to_string(batch.op)) + " batch " + std::to_string(batch.base_version) + "->" +
           std::to_string(batch.new_version) + " (" + std::to_string(batch.cards.size()) + " cards)";
}

std::string hex(std::uint32_t value) { return protocol::hex(value, 8, protocol::HexCase::lower); }

// What a set asks of the terminal that it cannot give: more entries than its
// capacity, or (with bitmap support) a card above its bitmap limit, which
// CT-1 refuses in every command as BAD_ARGUMENT, not only in bitmaps.
std::optional<std::string> limits_problem(std::span<const std::uint32_t> cards, const protocol::TerminalState& s) {
    if (cards.size() > s.list_capacity) {
        return "the terminal holds at most " + std::to_string(s.list_capacity) + " entries, its blacklist has " +
               std::to_string(cards.size());
    }
    if (s.supports_bitmap() && !cards.empty() && cards.back() > s.bitmap_limit) {
        return "card " + std::to_string(cards.back()) + " is above the terminal's bitmap limit " +
               std::to_string(s.bitmap_limit) + ", and a CT-1 terminal with bitmap support refuses such cards";
    }
    return std::nullopt;
}

class Synchroniser {
public:
    Synchroniser(TerminalClient& client, const SyncPlan& plan) : client_(client), plan_(plan) {}

    SyncOutcome run() {
        if (auto problem = check_plan()) return failed("the plan cannot be sent: " + *problem, std::nullopt);
        desired_checksum_ = protocol::blacklist_checksum(desired_);

        auto info = client_.read_state();
        if (!info) return failed(info.error(), "reading the state block");
        state_ = info->state;
        const std::int64_t version = state_->blacklist_version;

        if (version == plan_.planned_version) {
            if (state_->checksum == desired_checksum_) return level();
            return needs_full("the terminal is at the planned version " + std::to_string(version) +
                              " but its checksum is " + hex(state_->checksum) + ", not " + hex(desired_checksum_));
        }
        if (auto problem = limits_problem(desired_, *state_)) return failed(*problem, LinkError::Kind::capacity);

        const auto start = chain_position(version);
        if (!start) return needs_full(why_off_chain(version));
        // Already past some pending batches (an earlier run's answer was
        // lost): the terminal enforces those, so say so even if this run fails.
        if (*start > 0) confirmed_ = plan_.pending[*start - 1].new_version;
        if (plan_.pending[*start].op != BatchOp::full) {
            if (auto why = why_not_deltas(*start)) return needs_full(*why);
        }
        for (std::size_t i = *start; i < plan_.pending.size(); ++i) {
            const auto& batch = plan_.pending[i];
            auto sent = batch.op == BatchOp::full ? send_full(batch) : send_delta(batch);
            if (sent) return std::move(*sent);
        }
        return verify();
    }

private:
    // ---- outcomes ----

    SyncOutcome outcome(Kind kind, std::string reason, std::optional<LinkError::Kind> error = std::nullopt) {
        return {kind, state_, confirmed_, std::move(reason), error, format_};
    }
    SyncOutcome level() {
        // Nothing pending means nothing new to confirm (and version 0 was
        // never a batch the planner could confirm).
        if (!plan_.pending.empty()) confirmed_ = plan_.planned_version;
        return outcome(Kind::level, {});
    }
    SyncOutcome needs_full(std::string reason) { return outcome(Kind::needs_full_sync, std::move(reason)); }
    SyncOutcome failed(std::string reason, std::optional<LinkError::Kind> error) {
        return outcome(Kind::failed, std::move(reason), error);
    }
    SyncOutcome failed(const LinkError& error, const std::string& doing) {
        return failed(doing + ": " + error.message, error.kind);
    }

    // ---- the plan ----

    // The plan must be sendable as it stands; a broken one is a planner bug, so
    // it fails visibly rather than asking for a full sync it may never reach.
    std::optional<std::string> check_plan() {
        if (plan_.session_id == 0) throw std::invalid_argument("SyncPlan.session_id must be non-zero");
        auto desired = wire_cards(plan_.desired);
        if (!desired) return "the desired set holds a card number CT-1 cannot carry (0, or above 16777215)";
        desired_ = std::move(*desired);
        if (plan_.planned_version < 0 || plan_.planned_version > max_wire_version) {
            return "planned version " + std::to_string(plan_.planned_version) + " does not fit 32 bits";
        }
        const BlacklistBatch* previous = nullptr;
        for (const auto& batch : plan_.pending) {
            const bool full = batch.op == BatchOp::full;
            if (batch.new_version < 1 || batch.new_version > max_wire_version) {
                return batch_name(batch) + ": version does not fit 32 bits";
            }
            if (full && previous != nullptr) return batch_name(batch) + " follows other pending batches";
            if (!full && (batch.base_version < 0 || batch.base_version >= batch.new_version)) {
                return batch_name(batch) + ": new version is not above the base";
            }
            if (!full && previous != nullptr && batch.base_version != previous->new_version) {
                return batch_name(batch) + " does not follow " + batch_name(*previous);
            }
            if (!wire_cards(batch.cards)) return batch_name(batch) + " holds a card number CT-1 cannot carry";
            previous = &batch;
        }
        if (previous != nullptr && previous->new_version != plan_.planned_version) {
            return "the last pending batch is not the planned version " + std::to_string(plan_.planned_version);
        }
        return std::nullopt;
    }

    // Index of the first pending batch the terminal still needs, given the
    // version it enforces: right after the batch that produced that version,
    // or the first delta when the terminal is at its base. A full batch at
    // the head is sent whatever the terminal holds (its base means nothing).
    std::optional<std::size_t> chain_position(std::int64_t version) const {
        const auto& pending = plan_.pending;
        for (std::size_t i = pending.size(); i-- > 0;) {
            if (pending[i].new_version == version) return i + 1;  // < size: the last one is planned_version
        }
        if (pending.empty()) return std::nullopt;
        if (pending.front().op == BatchOp::full) return 0;
        if (pending.front().base_version == version) return 0;
        return std::nullopt;
    }

    std::string why_off_chain(std::int64_t version) const {
        const std::string at = "the terminal reports version " + std::to_string(version);
        if (version > plan_.planned_version) {
            return at + ", above the planned " + std::to_string(plan_.planned_version);
        }
        if (std::ranges::find(plan_.known_versions, version) == plan_.known_versions.end()) {
            return at + ", which was never planned for it";
        }
        return at + ", and no pending batch starts there (planned " + std::to_string(plan_.planned_version) +
               ", confirmed " + std::to_string(plan_.confirmed_version) + ")";
    }

    // Reasons to replace the deltas from `start` on by a full sync: a batch
    // that cannot be one 0x17 command, a card the terminal would refuse (the
    // final set does not hold it: limits_problem has checked that), or deltas
    // that cost more bytes than a full sync (a terminal far behind).
    std::optional<std::string> why_not_deltas(std::size_t start) const {
        std::uint64_t delta_bytes = 0;
        std::size_t entries = 0;
        for (std::size_t i = start; i < plan_.pending.size(); ++i) {
            const auto& batch = plan_.pending[i];
            const auto cards = *wire_cards(batch.cards);
            if (cards.size() > protocol::max_entries_per_command(rw)) {
                return batch_name(batch) + " does not fit one command";
            }
            if (state_->supports_bitmap() && !cards.empty() && cards.back() > state_->bitmap_limit) {
                return batch_name(batch) + ": card " + std::to_string(cards.back()) +
                       " is above the terminal's bitmap limit " + std::to_string(state_->bitmap_limit) +
                       ", which it refuses; the final set does not hold it";
            }
            // An empty batch still costs its command (it moves the version).
            delta_bytes +=
                cards.empty() ? protocol::command_cost(protocol::mailbox::header_registers, plan_.transport, rw).bytes()
                              : protocol::delta_cost(cards.size(), plan_.transport, rw).bytes();
            entries += cards.size();
        }
        // The full sync route also costs one more state read: the caller plans
        // the full batch and runs again. Without it, two or three small deltas
        // to a short list would "lose" to a full sync by a few bytes.
        const auto format = full_format(desired_);
        const auto costs = protocol::full_sync_costs(desired_, plan_.transport, rw);
        const std::uint64_t full_bytes =
            (format == protocol::SyncFormat::bitmap ? costs.bitmap : costs.list).bytes() + state_read_bytes();
        if (delta_bytes > full_bytes) {
            return "the " + std::to_string(plan_.pending.size() - start) + " pending batches (" +
                   std::to_string(entries) + " entries) cost " + std::to_string(delta_bytes) +
                   " bytes on the wire, a full sync by " + std::string(protocol::to_string(format)) + " " +
                   std::to_string(full_bytes);
        }
        return std::nullopt;
    }

    // One read of 0x0000..0x0027 with function 0x03, framed as wire_cost.hpp
    // counts frames: request PDU = fc + address + quantity = 5 bytes, response
    // PDU = fc + byte count + 80 bytes; plus the MBAP header (7) on TCP, or
    // address and CRC (3) on RTU, on each frame.
    std::uint64_t state_read_bytes() const noexcept {
        const std::uint64_t framing = plan_.transport == protocol::Transport::tcp ? 7 : 3;
        return 2 * framing + 5 + 2 + 2 * 40;
    }

    protocol::SyncFormat full_format(std::span<const std::uint32_t> cards) const {
        return protocol::choose_full_sync_format(cards, plan_.transport, state_->bitmap_limit, state_->capabilities,
                                                 rw);
    }

    // ---- sending ----

    // Each returns an outcome that ends the run, or nullopt to go on.

    std::optional<SyncOutcome> send_full(const BlacklistBatch& batch) {
        const auto cards = *wire_cards(batch.cards);
        if (auto problem = limits_problem(cards, *state_)) return failed(*problem, LinkError::Kind::capacity);
        format_ = full_format(cards);
        const FullSyncJob job{plan_.session_id, static_cast<std::uint32_t>(batch.new_version), *format_, cards};
        if (auto sent = send_full_sync(client_, job); !sent) {
            return failed(sent.error(), batch_name(batch) + " by " + std::string(protocol::to_string(*format_)));
        }
        did_full_ = true;
        confirmed_ = batch.new_version;  // the commit succeeded: the terminal enforces it
        return std::nullopt;
    }

    std::optional<SyncOutcome> send_delta(const BlacklistBatch& batch) {
        const auto cards = *wire_cards(batch.cards);
        const auto base = static_cast<std::uint32_t>(batch.base_version);
        const auto next = static_cast<std::uint32_t>(batch.new_version);
        const auto command = batch.op == BatchOp::add ? protocol::make_add(0, base, next, cards)
                                                      : protocol::make_remove(0, base, next, cards);
        auto status = execute_with_retry(client_, command);
        if (!status) return failed(status.error(), batch_name(batch));
        switch (*status) {
            case Status::ok:
            case Status::ok_already:  // a retry whose first answer was lost: already applied
                confirmed_ = batch.new_version;
                return std::nullopt;
            case Status::version_mismatch:
                // Someone else moved the terminal since its state was read. After
                // our own full sync, asking for another would only go round.
                if (did_full_) return failed(status_error(command, *status, batch_name(batch)), "after a full sync");
                return needs_full(batch_name(batch) + ": the terminal is no longer at version " +
                                  std::to_string(batch.base_version) + " (VERSION_MISMATCH)");
            case Status::capacity:
                // The final set fits (checked before sending), so the overflow is
                // an intermediate state of the chain or cards the planner does not
                // know of: a full sync of the final set gets through where the
                // same deltas would fail again on every retry.
                if (did_full_) return failed(status_error(command, *status, batch_name(batch)), "after a full sync");
                return needs_full(batch_name(batch) + ": the terminal answered CAPACITY although the final " +
                                  std::to_string(desired_.size()) + " entries fit its " +
                                  std::to_string(state_->list_capacity));
            default: {
                auto error = status_error(command, *status, batch_name(batch));
                return failed(error.message, error.kind);
            }
        }
    }

    // After a change: the terminal must now be at the planned version with
    // the desired set, or the planner's idea of it is wrong.
    SyncOutcome verify() {
        auto info = read_state_with_retry(client_);
        if (!info) return failed(info.error(), "reading the state block after the change");
        state_ = info->state;
        if (state_->blacklist_version == plan_.planned_version && state_->checksum == desired_checksum_) {
            return level();
        }
        // What was confirmed along the way is contradicted now; record nothing.
        confirmed_.reset();
        const std::string what = "after the change the terminal reports version " +
                                 std::to_string(state_->blacklist_version) + " with checksum " + hex(state_->checksum) +
                                 ", not version " + std::to_string(plan_.planned_version) + " with " +
                                 hex(desired_checksum_);
        if (did_full_) return failed(what + ", even after a full sync", LinkError::Kind::protocol);
        return needs_full(what);
    }

    TerminalClient& client_;
    const SyncPlan& plan_;
    std::vector<std::uint32_t> desired_;
    std::uint32_t desired_checksum_ = 0;
    std::optional<protocol::TerminalState> state_;
    std::optional<std::int64_t> confirmed_;
    std::optional<protocol::SyncFormat> format_;
    bool did_full_ = false;
};

}  // namespace

std::string_view to_string(SyncOutcome::Kind kind) noexcept {
    switch (kind) {
        case SyncOutcome::Kind::level: return "level";
        case SyncOutcome::Kind::needs_full_sync: return "needs_full_sync";
        case SyncOutcome::Kind::failed: return "failed";
    }
    return "unknown";
}

SyncOutcome synchronise(TerminalClient& client, const SyncPlan& plan) { return Synchroniser(client, plan).run(); }

}  // namespace cardd::daemon
