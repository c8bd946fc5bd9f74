#include "tools/termsim/rtu_framer.hpp"

#include <utility>

namespace cardd::termsim {

std::uint16_t crc16_modbus(std::span<const std::uint8_t> bytes) noexcept {
    std::uint16_t crc = 0xFFFF;
    for (const std::uint8_t byte : bytes) {
        crc = static_cast<std::uint16_t>(crc ^ byte);
        for (int bit = 0; bit < 8; ++bit) {
            crc = (crc & 1u) != 0 ? static_cast<std::uint16_t>((crc >> 1) ^ 0xA001u)
                                  : static_cast<std::uint16_t>(crc >> 1);
        }
    }
    return crc;
}

std::vector<std::uint8_t> rtu_frame(std::uint8_t unit, std::span<const std::uint8_t> pdu) {
    std::vector<std::uint8_t> out;
    out.reserve(pdu.size() + 3);
    out.push_back(unit);
    out.insert(out.end(), pdu.begin(), pdu.end());
    const std::uint16_t crc = crc16_modbus(out);
    out.push_back(static_cast<std::uint8_t>(crc & 0xFF));
    out.push_back(static_cast<std::uint8_t>(crc >> 8));
    return out;
}

std::optional<std::size_t> rtu_request_length(std::span<const std::uint8_t> head) noexcept {
    if (head.size() < 2) return std::size_t{0};
    // Request layouts from the Modbus application protocol, counted with the
    // unit id in front and the 2 CRC bytes behind.
    switch (head[1]) {
        case 0x01:
        case 0x02:
        case 0x03:
        case 0x04:
        case 0x05:
        case 0x06:
        case 0x08: return std::size_t{8};
        case 0x07:
        case 0x0B:
        case 0x0C:
        case 0x11: return std::size_t{4};
        case 0x16: return std::size_t{10};
        case 0x18: return std::size_t{6};
        case 0x0F:
        case 0x10: return head.size() < 7 ? std::size_t{0} : 9 + std::size_t{head[6]};
        case 0x14:
        case 0x15: return head.size() < 3 ? std::size_t{0} : 5 + std::size_t{head[2]};
        case 0x17: return head.size() < 11 ? std::size_t{0} : 13 + std::size_t{head[10]};
        default: return std::nullopt;
    }
}

void RtuFramer::feed(std::span<const std::uint8_t> bytes, TimePoint now) {
    if (last_byte_ && now - *last_byte_ >= silence_) on_silence();
    last_byte_ = now;
    if (discarding_) return;
    buffer_.insert(buffer_.end(), bytes.begin(), bytes.end());
    scan();
}

std::vector<RtuFrame> RtuFramer::take(TimePoint now) {
    if (last_byte_ && now - *last_byte_ >= silence_) {
        on_silence();
        last_byte_.reset();
    }
    return std::exchange(ready_, {});
}

std::optional<RtuFramer::TimePoint> RtuFramer::deadline() const noexcept {
    if (!last_byte_ || (buffer_.empty() && !discarding_)) return std::nullopt;
    return *last_byte_ + silence_;
}

void RtuFramer::on_silence() {
    discarding_ = false;
    if (buffer_.empty()) return;
    // A frame of unknown length ends here; a frame of known length that is
    // still short was cut off.
    if (!rtu_request_length(buffer_) && buffer_.size() <= max_frame_bytes) {
        emit(buffer_);
    } else {
        ++dropped_;
    }
    buffer_.clear();
}

void RtuFramer::scan() {
    while (!discarding_ && buffer_.size() >= 2) {
        const auto length = rtu_request_length(buffer_);
        if (!length) return;       // wait for the silence
        if (*length == 0) return;  // need more bytes to know
        if (*length > max_frame_bytes) {
            ++dropped_;
            buffer_.clear();
            discarding_ = true;
            return;
        }
        if (buffer_.size() < *length) return;
        const std::vector<std::uint8_t> frame(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(*length));
        buffer_.erase(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(*length));
        if (!emit(frame)) {
            // After a bad CRC nothing in the buffer can be trusted to start a
            // frame: drop everything up to the next silence.
            buffer_.clear();
            discarding_ = true;
        }
    }
}

bool RtuFramer::emit(std::span<const std::uint8_t> frame) {
    if (frame.size() < 4) {
        ++dropped_;
        return false;
    }
    const std::size_t body = frame.size() - 2;
    const std::uint16_t received = static_cast<std::uint16_t>(frame[body] | (unsigned{frame[body + 1]} << 8));
    if (crc16_modbus(frame.first(body)) != received) {
        ++dropped_;
        return false;
    }
    ready_.push_back(RtuFrame{
        frame[0], std::vector<std::uint8_t>(frame.begin() + 1, frame.begin() + static_cast<std::ptrdiff_t>(body))});
    return true;
}

}  // namespace cardd::termsim
