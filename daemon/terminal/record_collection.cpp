#include "daemon/terminal/record_collection.hpp"

#include <string>

namespace cardd::daemon {

namespace {

// Where to start: from_seq if the terminal still holds it (or it is next),
// else the oldest record held. Below oldest, the records were acknowledged
// and dropped; above next, the terminal's numbering restarted.
std::uint32_t start_cursor(std::int64_t from_seq, std::uint32_t oldest_seq, std::uint32_t next_seq) {
    if (from_seq >= oldest_seq && from_seq <= next_seq) return static_cast<std::uint32_t>(from_seq);
    return oldest_seq;
}

}  // namespace

bool holds_new_records(std::int64_t from_seq, std::uint32_t oldest_seq, std::uint32_t next_seq) noexcept {
    return oldest_seq < next_seq && start_cursor(from_seq, oldest_seq, next_seq) < next_seq;
}

LinkResult<CollectedRecords> read_new_records(TerminalClient& client, std::int64_t from_seq, std::size_t max_records,
                                              std::optional<std::uint32_t> from_serial) {
    auto read = client.read_state();
    if (!read) return std::unexpected(std::move(read.error()));
    protocol::TerminalState state = *read;
    if (state.oldest_seq > state.next_seq) {
        return link_fail(LinkError::Kind::protocol, "terminal reports oldest record " +
                                                        std::to_string(state.oldest_seq) + " above next " +
                                                        std::to_string(state.next_seq));
    }

    if (from_serial && *from_serial != 0 && *from_serial != state.serial) {
        return std::unexpected(wrong_terminal(*from_serial, state.serial));
    }
    CollectedRecords collected{state.serial, {}, start_cursor(from_seq, state.oldest_seq, state.next_seq)};
    std::uint32_t& cursor = collected.next_seq;
    bool state_refreshed = false;
    while (cursor < state.next_seq && collected.records.size() < max_records) {
        auto window = client.read_records(cursor);
        if (!window) return std::unexpected(std::move(window.error()));
        std::size_t taken = 0;
        for (const auto& record : *window) {
            // Records at or past next were not there when the state was read;
            // the next collection takes them, in order.
            if (record.seq < cursor || record.seq >= state.next_seq) continue;
            if (collected.records.size() >= max_records) break;
            collected.records.push_back(record);
            cursor = record.seq + 1;
            ++taken;
        }
        if (taken > 0) {
            state_refreshed = false;
            continue;
        }
        // Nothing at the cursor although the state said it was held: records
        // were acknowledged meanwhile (another collector). Read the state once
        // more and go on from its oldest; a terminal that still returns nothing
        // for a seq it claims to hold breaks CT-1.
        if (state_refreshed) {
            return link_fail(LinkError::Kind::protocol, "terminal holds records [" + std::to_string(state.oldest_seq) +
                                                            ", " + std::to_string(state.next_seq) +
                                                            ") but returns none at seq " + std::to_string(cursor));
        }
        auto again = client.read_state();
        if (!again) return std::unexpected(std::move(again.error()));
        if (again->serial != state.serial) {
            return link_fail(LinkError::Kind::protocol, "terminal serial changed during collection");
        }
        state = *again;
        state_refreshed = true;
        if (cursor < state.oldest_seq) cursor = state.oldest_seq;
    }
    return collected;
}

LinkResult<void> acknowledge_records(TerminalClient& client, std::uint32_t up_to_seq) {
    auto status = client.ack_records(up_to_seq);
    if (!status) return std::unexpected(std::move(status.error()));
    switch (*status) {
        case protocol::Status::ok:
        case protocol::Status::ok_already: return {};
        case protocol::Status::busy: return link_fail(LinkError::Kind::busy, "RECORDS_ACK: terminal busy");
        default:
            return link_fail(LinkError::Kind::protocol,
                             "RECORDS_ACK answered " + std::string(protocol::to_string(*status)));
    }
}

}  // namespace cardd::daemon
