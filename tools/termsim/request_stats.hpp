#pragma once
// What one terminal has served: Modbus requests by function code and by what
// they asked (a state read, a command and its opcode, a records window), and
// the bytes of the frames in and out as they went on the wire (MBAP header
// and PDU on TCP; address, PDU and CRC on RTU). Benchmarks read these counts
// (--stats-file, or "stats" on the control socket) to compare a client's
// traffic with protocol/wire_cost.hpp. Pure: the transports count, the
// caller gives the time.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>

#include <nlohmann/json.hpp>

namespace cardd::termsim {

/// What a request asked of the terminal, read from its PDU.
enum class RequestKind {
    state_read,   ///< 0x03 of the state block or model name
    command,      ///< a write at the mailbox (0x10, or 0x17 whose write half starts at 0x0100)
    record_read,  ///< 0x17 writing the record cursor, or a read of the records block
    other,        ///< anything else: a bad address, an unknown function, a malformed PDU
};

std::string_view to_string(RequestKind kind) noexcept;

/// The kind of a request PDU, and the command's opcode when it is one.
struct RequestClass {
    RequestKind kind = RequestKind::other;
    std::optional<std::uint16_t> opcode;
};
RequestClass classify_request(std::span<const std::uint8_t> pdu) noexcept;
/// A command's opcode name ("ADD"), or the kind's ("state_read"): what
/// "fault exception CODE P ON" names.
std::string_view request_name(const RequestClass& request) noexcept;

class RequestStats {
public:
    using TimePoint = std::chrono::system_clock::time_point;

    /// One request served: its PDU, the bytes of its frame and of the
    /// answer's frame (0 when the answer was dropped), and when it was served.
    void count(std::span<const std::uint8_t> request_pdu, std::size_t bytes_in, std::size_t bytes_out, TimePoint when);

    std::uint64_t requests() const noexcept { return requests_; }
    std::uint64_t bytes_in() const noexcept { return bytes_in_; }
    std::uint64_t bytes_out() const noexcept { return bytes_out_; }
    std::optional<TimePoint> last_request_at() const noexcept { return last_; }

    /// Adds another terminal's counts (the process's totals); the later last request wins.
    RequestStats& operator+=(const RequestStats& other);

    /// {"requests", "bytes_in", "bytes_out", "by_function": {"0x17": n},
    ///  "by_kind": {"command": n}, "by_opcode": {"ADD": n}, "last_request_at": Unix seconds or null}
    nlohmann::json to_json() const;

private:
    std::uint64_t requests_ = 0;
    std::uint64_t bytes_in_ = 0;
    std::uint64_t bytes_out_ = 0;
    std::map<std::uint8_t, std::uint64_t> by_function_;
    std::map<RequestKind, std::uint64_t> by_kind_;
    std::map<std::uint16_t, std::uint64_t> by_opcode_;
    std::optional<TimePoint> last_;
};

}  // namespace cardd::termsim
