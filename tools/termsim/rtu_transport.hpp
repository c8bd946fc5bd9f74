#pragma once
// Modbus RTU on one serial line (a real RS-485 adapter or a pseudo-terminal)
// for one or more unit ids. libmodbus opens and configures the port
// (modbus_new_rtu, modbus_connect); RtuFramer cuts the byte stream. Frames
// for other unit ids, and broadcasts (unit 0), are ignored, so several
// terminals share one bus as CT-1 describes.

#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <vector>

#include "tools/termsim/event_loop.hpp"
#include "tools/termsim/modbus_handle.hpp"
#include "tools/termsim/rtu_framer.hpp"
#include "tools/termsim/station.hpp"

namespace cardd::termsim {

struct RtuSettings {
    std::string device;
    std::uint32_t baud = 19200;
    char parity = 'E';  ///< 'E', 'N' or 'O'
    int stop_bits = 1;
    bool emulate_baud = false;  ///< answer after the time the exchange takes on a real wire

    /// Start bit, 8 data bits, parity bit if any, stop bits: 11 for 8E1 and 8N2.
    std::uint32_t bits_per_char() const noexcept {
        return 1 + 8 + (parity == 'N' ? 0u : 1u) + static_cast<std::uint32_t>(stop_bits);
    }
};

class RtuTransport {
public:
    /// Throws std::runtime_error when the device cannot be opened.
    RtuTransport(EventLoop& loop, std::map<std::uint8_t, Station*> units, RtuSettings settings, bool verbose);
    ~RtuTransport();
    RtuTransport(const RtuTransport&) = delete;
    RtuTransport& operator=(const RtuTransport&) = delete;

private:
    void on_ready(std::uint32_t events);
    void collect(EventLoop::TimePoint now);
    void process();
    void write_out(std::vector<std::uint8_t> bytes);
    void flush();
    void arm_silence_timer();

    EventLoop& loop_;
    std::map<std::uint8_t, Station*> units_;
    RtuSettings settings_;
    bool verbose_;
    ModbusPtr context_;
    int fd_ = -1;  // owned by context_
    EventLoop::WatchId watch_ = 0;
    RtuFramer framer_;
    std::deque<RtuFrame> pending_;
    std::vector<std::uint8_t> out_;
    bool want_write_ = false;
    bool answer_pending_ = false;
    EventLoop::TimerId silence_timer_ = 0;
    EventLoop::TimerId answer_timer_ = 0;
    std::map<std::uint8_t, EventLoop::TimerId> late_;  ///< units whose late answer (fault delay) is on its way
};

}  // namespace cardd::termsim
