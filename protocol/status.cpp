#include "protocol/status.hpp"

namespace cardd::protocol {

std::string_view to_string(Status status) noexcept {
    switch (status) {
        case Status::ok: return "OK";
        case Status::ok_already: return "OK_ALREADY";
        case Status::version_mismatch: return "VERSION_MISMATCH";
        case Status::capacity: return "CAPACITY";
        case Status::bad_argument: return "BAD_ARGUMENT";
        case Status::sequence: return "SEQUENCE";
        case Status::no_session: return "NO_SESSION";
        case Status::crc_mismatch: return "CRC_MISMATCH";
        case Status::incomplete: return "INCOMPLETE";
        case Status::unknown_opcode: return "UNKNOWN_OPCODE";
        case Status::busy: return "BUSY";
    }
    return "UNKNOWN";
}

std::string_view to_string(Opcode opcode) noexcept {
    switch (opcode) {
        case Opcode::add: return "ADD";
        case Opcode::remove: return "REMOVE";
        case Opcode::full_begin: return "FULL_BEGIN";
        case Opcode::full_list_chunk: return "FULL_LIST_CHUNK";
        case Opcode::full_bitmap_chunk: return "FULL_BITMAP_CHUNK";
        case Opcode::full_commit: return "FULL_COMMIT";
        case Opcode::full_abort: return "FULL_ABORT";
        case Opcode::records_ack: return "RECORDS_ACK";
        case Opcode::set_clock: return "SET_CLOCK";
    }
    return "UNKNOWN";
}

std::string_view to_string(SyncFormat format) noexcept {
    switch (format) {
        case SyncFormat::list: return "list";
        case SyncFormat::bitmap: return "bitmap";
    }
    return "unknown";
}

std::string_view to_string(FullSyncState state) noexcept {
    switch (state) {
        case FullSyncState::idle: return "idle";
        case FullSyncState::receiving: return "receiving";
    }
    return "unknown";
}

bool is_known(Status status) noexcept { return raw(status) <= raw(Status::busy); }

bool is_known(Opcode opcode) noexcept { return to_string(opcode) != "UNKNOWN"; }

}  // namespace cardd::protocol
