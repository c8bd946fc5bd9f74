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
std::optional<std::string> limits_problem(const DesiredSet& cards, const protocol::TerminalState& s) {
    if (cards.size() > s.list_capacity) {
        return "the terminal holds at most " + std::to_string(s.list_capacity) + " entries, its blacklist has " +
               std::to_string(cards.size());
    }
    if (s.supports_bitmap() && cards.size() > 0 && cards.largest() > s.bitmap_limit) {
        return "card " + std::to_string(cards.largest()) + " is above the terminal's bitmap limit " +
               std::to_string(s.bitmap_limit) + ", and a CT-1 terminal with bitmap support refuses such cards";
    }
    return std::nullopt;
}

class Synchroniser {
public:
    Synchroniser(TerminalClient& client, const SyncPlan& plan) : client_(client), plan_(plan) {}

    SyncOutcome run() {
        if (auto problem = check_plan()) return failed("the plan cannot be sent: " + *problem, std::nullopt);
        desired_checksum_ = plan_.desired.checksum();
        if (auto done = run_lean()) return std::move(*done);

        if (plan_.known_state && !plan_.pending.empty() && plan_.pending.front().op == BatchOp::full) {
            state_ = *plan_.known_state;
        } else {
            auto read = client_.read_state();
            if (!read) return failed(read.error(), "reading the state block");
            state_ = *read;
        }
        if (auto other = other_terminal(*state_)) return std::move(*other);
        held_ = HeldRecords{state_->oldest_seq, state_->next_seq};
        last_seen_.reset();
        const std::int64_t version = state_->blacklist_version;

        if (version == plan_.planned_version) {
            if (state_->checksum == desired_checksum_) return level();
            return needs_full("the terminal is at the planned version " + std::to_string(version) +
                              " but its checksum is " + hex(state_->checksum) + ", not " + hex(desired_checksum_));
        }
        if (auto problem = limits_problem(plan_.desired, *state_)) return failed(*problem, LinkError::Kind::capacity);

        const auto start = chain_position(version);
        if (!start) return needs_full(why_off_chain(version));
        // Already past some pending batches (an earlier run's answer was
        // lost): the terminal enforces those, so say so even if this run fails.
        if (*start > 0) confirmed_ = plan_.pending[*start - 1].new_version;
        if (plan_.pending[*start].op != BatchOp::full) {
            if (auto why = why_not_deltas(*start)) return needs_full(*why);
        }
        for (std::size_t i = *start; i < plan_.pending.size();) {
            if (plan_.pending[i].op == BatchOp::full) {
                // It stands for every batch after it: the desired set is sent
                // whole at the planned version.
                if (auto sent = send_full()) return std::move(*sent);
                break;
            }
            const std::size_t end = coalesced_end(i);
            if (send_deltas(i, end, Mode::after_state_read) != Next::go_on) return std::move(*stopped_);
            i = end;
        }
        return verify();
    }

private:
    // ---- outcomes ----

    SyncOutcome outcome(Kind kind, std::string reason, std::optional<LinkError::Kind> error = std::nullopt) {
        return {kind, state_, confirmed_, std::move(reason), error, format_, held_};
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

    // A terminal whose serial is not the one on record is not written to.
    std::optional<SyncOutcome> other_terminal(const protocol::TerminalState& state) {
        if (!plan_.expected_serial || *plan_.expected_serial == 0 || state.serial == *plan_.expected_serial)
            return std::nullopt;
        confirmed_.reset();
        held_.reset();
        const LinkError error = wrong_terminal(*plan_.expected_serial, state.serial);
        return failed(error.message, error.kind);
    }

    // ---- the plan ----

    // The plan must be sendable as it stands; a broken one is a planner bug, so
    // it fails visibly rather than asking for a full sync it may never reach.
    std::optional<std::string> check_plan() {
        if (plan_.session_id == 0) throw std::invalid_argument("SyncPlan.session_id must be non-zero");
        if (!plan_.desired.carriable()) {
            return "the desired set holds a card number CT-1 cannot carry (0, or above 16777215)";
        }
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
            if (!full && !wire_cards(batch.cards)) return batch_name(batch) + " holds a card number CT-1 cannot carry";
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
        return at + ", from which no pending batch leads (planned " + std::to_string(plan_.planned_version) +
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
            entries += cards.size();
        }
        // Priced as sent: coalesced, one command for each run of batches.
        for (std::size_t i = start; i < plan_.pending.size();) {
            const std::size_t end = coalesced_end(i);
            const std::size_t cards = coalesced_cards(i, end).size();
            // An empty batch still costs its command (it moves the version).
            delta_bytes +=
                cards == 0 ? protocol::command_cost(protocol::mailbox::header_registers, plan_.transport, rw).bytes()
                           : protocol::delta_cost(cards, plan_.transport, rw).bytes();
            i = end;
        }
        // The full sync route also costs one more state read: the caller plans
        // the full batch and runs again. Without it, two or three small deltas
        // to a short list would "lose" to a full sync by a few bytes.
        const auto& desired = plan_.desired.cards();
        const auto format = full_format(desired);
        const auto costs = protocol::full_sync_costs(desired, plan_.transport, rw);
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

    // One read of the state block, 0x0000..0x001F with function 0x03, framed
    // as wire_cost.hpp counts frames: request PDU = fc + address + quantity
    // = 5 bytes, response PDU = fc + byte count + 64 bytes; plus the MBAP
    // header (7) on TCP, or address and CRC (3) on RTU, on each frame.
    std::uint64_t state_read_bytes() const noexcept {
        const std::uint64_t framing = plan_.transport == protocol::Transport::tcp ? 7 : 3;
        return 2 * framing + 5 + 2 + 2 * protocol::state::block.count;
    }

    protocol::SyncFormat full_format(std::span<const std::uint32_t> cards) const {
        return protocol::choose_full_sync_format(cards, plan_.transport, state_->bitmap_limit, state_->capabilities,
                                                 rw);
    }

    // ---- sending ----

    // Each returns an outcome that ends the run, or nullopt to go on.

    // The desired set whole, at the planned version: the pending batches
    // after the full one are in it already.
    std::optional<SyncOutcome> send_full() {
        const auto& cards = plan_.desired.cards();
        if (auto problem = limits_problem(plan_.desired, *state_)) return failed(*problem, LinkError::Kind::capacity);
        format_ = full_format(cards);
        const auto version = static_cast<std::uint32_t>(plan_.planned_version);
        const FullSyncJob job{plan_.session_id, version, *format_, cards};
        auto sent = send_full_sync(client_, job);
        if (!sent) {
            return failed(sent.error(), "full sync to version " + std::to_string(version) + " by " +
                                            std::string(protocol::to_string(*format_)));
        }
        did_full_ = true;
        // The commit read back what the terminal enforces now: verify() needs no state read.
        last_seen_ = *sent;
        held_ = HeldRecords{sent->oldest_seq, sent->next_seq};
        confirmed_ = plan_.planned_version;  // the commit succeeded: the terminal enforces it
        return std::nullopt;
    }

    // ---- deltas ----

    enum class Mode {
        lean,              ///< sent on the version the caller expects, nothing read first
        after_state_read,  ///< sent on the version the state block showed
    };
    enum class Next {
        go_on,       ///< sent and confirmed: the next command, or verify()
        read_state,  ///< lean only: the terminal is not where it was expected; read it first
        stop,        ///< the run ends with stopped_
    };

    // The commands the deltas from `first` on take once coalesced.
    std::size_t delta_commands(std::size_t first) const {
        std::size_t commands = 0;
        for (std::size_t i = first; i < plan_.pending.size() && plan_.pending[i].op != BatchOp::full;) {
            i = coalesced_end(i);
            ++commands;
        }
        return commands;
    }

    // One past the last pending batch that can share a command with batch
    // `first`: the same kind of change, in a row, all their cards in one 0x17
    // (76 entries). Adds then removes are never merged: their order matters.
    std::size_t coalesced_end(std::size_t first) const {
        const auto& pending = plan_.pending;
        std::vector<std::uint32_t> cards = *wire_cards(pending[first].cards);
        std::size_t end = first + 1;
        for (; end < pending.size() && pending[end].op == pending[first].op; ++end) {
            std::vector<std::uint32_t> merged = cards;
            const auto more = *wire_cards(pending[end].cards);
            merged.insert(merged.end(), more.begin(), more.end());
            std::ranges::sort(merged);
            merged.erase(std::ranges::unique(merged).begin(), merged.end());
            if (merged.size() > protocol::max_entries_per_command(rw)) break;
            cards = std::move(merged);
        }
        return end;
    }

    // The cards of batches [first, end), ascending and distinct.
    std::vector<std::uint32_t> coalesced_cards(std::size_t first, std::size_t end) const {
        std::vector<std::uint32_t> cards;
        for (std::size_t i = first; i < end; ++i) {
            const auto more = *wire_cards(plan_.pending[i].cards);
            cards.insert(cards.end(), more.begin(), more.end());
        }
        std::ranges::sort(cards);
        cards.erase(std::ranges::unique(cards).begin(), cards.end());
        return cards;
    }

    std::string batches_name(std::size_t first, std::size_t end) const {
        if (end - first == 1) return batch_name(plan_.pending[first]);
        return std::string(to_string(plan_.pending[first].op)) + " batches " +
               std::to_string(plan_.pending[first].base_version) + "->" +
               std::to_string(plan_.pending[end - 1].new_version) + " (" + std::to_string(end - first) + " coalesced)";
    }

    Next stop(SyncOutcome outcome) {
        stopped_ = std::move(outcome);
        return Next::stop;
    }

    // Batches [first, end) as one command, base of the first to new version
    // of the last; what its 0x17 reads back confirms it.
    Next send_deltas(std::size_t first, std::size_t end, Mode mode) {
        const auto& pending = plan_.pending;
        const std::vector<std::uint32_t> cards = coalesced_cards(first, end);
        const auto base = static_cast<std::uint32_t>(pending[first].base_version);
        const auto next = static_cast<std::uint32_t>(pending[end - 1].new_version);
        const std::string name = batches_name(first, end);
        const auto command = pending[first].op == BatchOp::add ? protocol::make_add(0, base, next, cards)
                                                               : protocol::make_remove(0, base, next, cards);
        auto answer = execute_confirmed_with_retry(client_, command);
        if (!answer) return stop(failed(answer.error(), name));
        last_seen_ = answer->seen;
        held_ = HeldRecords{answer->seen.oldest_seq, answer->seen.next_seq};
        switch (answer->status) {
            case Status::ok:
            case Status::ok_already:  // a retry whose first answer was lost: already applied
                confirmed_ = pending[end - 1].new_version;
                return Next::go_on;
            case Status::version_mismatch:
            case Status::capacity:
            case Status::bad_argument:
                // Sent without reading the terminal first: what it refused
                // is decided with its state block in hand, as without the
                // shortcut. Nothing was changed by the refusal.
                if (mode == Mode::lean) return Next::read_state;
                break;
            default: break;
        }
        switch (answer->status) {
            case Status::version_mismatch:
                // Someone else moved the terminal since its state was read. After
                // our own full sync, asking for another would only go round.
                if (did_full_) return stop(failed(status_error(command, answer->status, name), "after a full sync"));
                return stop(needs_full(name + ": the terminal is no longer at version " +
                                       std::to_string(pending[first].base_version) + " (VERSION_MISMATCH)"));
            case Status::capacity:
                // The final set fits (checked before sending), so the overflow is
                // an intermediate state of the chain or cards the planner does not
                // know of: a full sync of the final set gets through where the
                // same deltas would fail again on every retry.
                if (did_full_) return stop(failed(status_error(command, answer->status, name), "after a full sync"));
                return stop(needs_full(name + ": the terminal answered CAPACITY although the final " +
                                       std::to_string(plan_.desired.size()) + " entries fit its " +
                                       std::to_string(state_->list_capacity)));
            default: {
                auto error = status_error(command, answer->status, name);
                return stop(failed(error.message, error.kind));
            }
        }
    }

    // The common case of a push: the terminal confirmed the version the
    // pending deltas start from, so they are sent at once, each 0x17
    // reading back what confirms it. nullopt: read the state block and
    // go the long way (the terminal was not where it was expected, or there
    // is nothing a delta can do).
    std::optional<SyncOutcome> run_lean() {
        if (!plan_.expected_version || *plan_.expected_version == plan_.planned_version) return std::nullopt;
        const auto start = chain_position(*plan_.expected_version);
        if (!start || plan_.pending[*start].op == BatchOp::full) return std::nullopt;
        // Far behind: the long way weighs deltas against a full sync.
        constexpr std::size_t most_lean_commands = 8;
        if (delta_commands(*start) > most_lean_commands) return std::nullopt;
        for (std::size_t i = *start; i < plan_.pending.size();) {
            if (plan_.pending[i].op == BatchOp::full) return std::nullopt;
            const std::size_t end = coalesced_end(i);
            switch (send_deltas(i, end, Mode::lean)) {
                case Next::go_on: break;
                case Next::read_state: return std::nullopt;
                case Next::stop: return std::move(*stopped_);
            }
            i = end;
        }
        return verify();
    }

    // After a change: the terminal must now be at the planned version with
    // the desired set, or the planner's idea of it is wrong.
    SyncOutcome verify() {
        std::uint32_t version = 0;
        std::uint32_t checksum = 0;
        if (last_seen_) {
            // The last command's own answer shows what it left enforced.
            version = last_seen_->blacklist_version;
            checksum = last_seen_->checksum;
            if (state_) {
                state_->blacklist_version = version;
                state_->blacklist_count = last_seen_->blacklist_count;
                state_->checksum = checksum;
                state_->oldest_seq = last_seen_->oldest_seq;
                state_->next_seq = last_seen_->next_seq;
            }
        } else {
            auto read = read_state_with_retry(client_);
            if (!read) return failed(read.error(), "reading the state block after the change");
            state_ = *read;
            if (auto other = other_terminal(*state_)) return std::move(*other);
            held_ = HeldRecords{state_->oldest_seq, state_->next_seq};
            version = state_->blacklist_version;
            checksum = state_->checksum;
        }
        if (version == plan_.planned_version && checksum == desired_checksum_) return level();
        // What was confirmed along the way is contradicted now; record nothing.
        confirmed_.reset();
        const std::string what = "after the change the terminal reports version " + std::to_string(version) +
                                 " with checksum " + hex(checksum) + ", not version " +
                                 std::to_string(plan_.planned_version) + " with " + hex(desired_checksum_);
        if (did_full_) return failed(what + ", even after a full sync", LinkError::Kind::protocol);
        return needs_full(what);
    }

    TerminalClient& client_;
    const SyncPlan& plan_;
    std::uint32_t desired_checksum_ = 0;
    std::optional<protocol::TerminalState> state_;
    std::optional<std::int64_t> confirmed_;
    std::optional<protocol::SyncFormat> format_;
    std::optional<protocol::Confirmation> last_seen_;  ///< read back by the last command sent
    std::optional<HeldRecords> held_;                  ///< at the terminal's last answer
    std::optional<SyncOutcome> stopped_;               ///< how a run ends when send_deltas says stop
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
