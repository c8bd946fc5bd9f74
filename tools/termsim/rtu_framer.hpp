#pragma once
// Modbus RTU framing: unit id, PDU, CRC-16 (low byte first). Pure: bytes and
// the times they arrived in, frames out.
//
// A request of a function whose layout Modbus defines is cut by its length,
// so back-to-back frames on a pseudo-terminal (which has no real silences)
// still separate. A request of any other function ends at the first silence
// of 3.5 characters (or the floor given, since a pseudo-terminal delivers
// bytes in bursts); so does the recovery after a frame with a bad CRC: every
// byte up to the next silence is dropped.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace cardd::termsim {

/// CRC-16/MODBUS (poly 0xA001 reflected, init 0xFFFF). libmodbus does not
/// export its own, so the simulator carries these few lines.
std::uint16_t crc16_modbus(std::span<const std::uint8_t> bytes) noexcept;

/// unit + pdu + CRC, low byte first.
std::vector<std::uint8_t> rtu_frame(std::uint8_t unit, std::span<const std::uint8_t> pdu);

/// Length of a whole request frame from its first bytes: a length, 0 when
/// more bytes are needed to tell, nullopt for a function the framer does
/// not know (the frame ends at a silence).
std::optional<std::size_t> rtu_request_length(std::span<const std::uint8_t> head) noexcept;

struct RtuFrame {
    std::uint8_t unit = 0;
    std::vector<std::uint8_t> pdu;
};

class RtuFramer {
public:
    using TimePoint = std::chrono::steady_clock::time_point;
    static constexpr std::size_t max_frame_bytes = 256;

    /// `silence`: the gap that ends a frame.
    explicit RtuFramer(std::chrono::microseconds silence) : silence_(silence) {}

    /// Bytes read at `now`.
    void feed(std::span<const std::uint8_t> bytes, TimePoint now);
    /// Frames complete by `now`, CRC checked, in order.
    std::vector<RtuFrame> take(TimePoint now);
    /// When take() has work to do if no byte arrives before then.
    std::optional<TimePoint> deadline() const noexcept;
    /// Frames dropped: bad CRC, cut short, or too long.
    std::size_t dropped() const noexcept { return dropped_; }

private:
    void on_silence();
    void scan();
    bool emit(std::span<const std::uint8_t> frame);  // false: dropped

    std::chrono::microseconds silence_;
    std::vector<std::uint8_t> buffer_;
    std::vector<RtuFrame> ready_;
    std::optional<TimePoint> last_byte_;
    bool discarding_ = false;
    std::size_t dropped_ = 0;
};

}  // namespace cardd::termsim
