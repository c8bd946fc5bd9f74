#include "tools/termsim/rtu_transport.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include "protocol/hex.hpp"
#include "protocol/wire_cost.hpp"

namespace cardd::termsim {

namespace {

using namespace std::chrono_literals;

// 3.5 characters at the baud rate, 1750 us above 19200 baud (Modbus over
// serial line 2.5.1.1), but never under 20 ms: a pseudo-terminal has no real
// silences and a busy host may read one frame in two pieces.
std::chrono::microseconds frame_silence(const RtuSettings& settings) {
    const auto t35 =
        settings.baud > 19200
            ? std::chrono::microseconds(1750)
            : std::chrono::microseconds((7ull * settings.bits_per_char() * 1'000'000 + 2ull * settings.baud - 1) /
                                        (2ull * settings.baud));
    return std::max<std::chrono::microseconds>(t35, 20ms);
}

}  // namespace

RtuTransport::RtuTransport(EventLoop& loop, std::map<std::uint8_t, Station*> units, RtuSettings settings, bool verbose)
    : loop_(loop),
      units_(std::move(units)),
      settings_(std::move(settings)),
      verbose_(verbose),
      framer_(frame_silence(settings_)) {
    context_.reset(modbus_new_rtu(settings_.device.c_str(), static_cast<int>(settings_.baud), settings_.parity, 8,
                                  settings_.stop_bits));
    if (!context_) throw std::runtime_error("cannot make a Modbus RTU context: " + std::string(modbus_strerror(errno)));
    if (modbus_connect(context_.get()) != 0) {
        throw std::runtime_error("cannot open " + settings_.device + ": " + modbus_strerror(errno));
    }
    fd_ = modbus_get_socket(context_.get());
    ::fcntl(fd_, F_SETFL, ::fcntl(fd_, F_GETFL) | O_NONBLOCK);
    ::tcflush(fd_, TCIOFLUSH);
    for (auto& [unit, station] : units_) station->set_endpoint(std::nullopt, unit);
    watch_ = loop_.watch(fd_, EPOLLIN, [this](std::uint32_t events) { on_ready(events); });
}

RtuTransport::~RtuTransport() {
    loop_.unwatch(watch_);
    if (silence_timer_ != 0) loop_.cancel(silence_timer_);
    if (answer_timer_ != 0) loop_.cancel(answer_timer_);
    for (const auto& [unit, timer] : late_) loop_.cancel(timer);
}

void RtuTransport::on_ready(std::uint32_t events) {
    if ((events & EPOLLOUT) != 0) flush();
    std::size_t got = 0;
    if ((events & EPOLLIN) != 0) {
        std::uint8_t buffer[1024];
        for (;;) {
            // A serial line in raw mode (VMIN = 0, VTIME = 0, as libmodbus sets
            // it) reads 0 when nothing is waiting: that is not an end of file.
            const ssize_t n = ::read(fd_, buffer, sizeof buffer);
            if (n > 0) {
                framer_.feed(std::span(buffer, static_cast<std::size_t>(n)), EventLoop::Clock::now());
                got += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK) break;
            throw std::runtime_error("serial line " + settings_.device + " failed: " + std::strerror(errno));
        }
        collect(EventLoop::Clock::now());
    }
    if (got == 0 && (events & (EPOLLHUP | EPOLLERR)) != 0) {
        throw std::runtime_error("serial line " + settings_.device + " hung up");
    }
}

void RtuTransport::collect(EventLoop::TimePoint now) {
    for (RtuFrame& frame : framer_.take(now)) pending_.push_back(std::move(frame));
    arm_silence_timer();
    process();
}

void RtuTransport::arm_silence_timer() {
    if (silence_timer_ != 0) {
        loop_.cancel(silence_timer_);
        silence_timer_ = 0;
    }
    if (const auto deadline = framer_.deadline()) {
        silence_timer_ = loop_.call_at(*deadline, [this] {
            silence_timer_ = 0;
            collect(EventLoop::Clock::now());
        });
    }
}

void RtuTransport::process() {
    // One request at a time, as on a real bus: an answer on the line holds
    // back the frames behind it.
    while (!answer_pending_ && !pending_.empty()) {
        const RtuFrame request = std::move(pending_.front());
        pending_.pop_front();
        const auto it = units_.find(request.unit);
        if (it == units_.end() || request.pdu.empty()) continue;  // another unit, or a broadcast
        // A unit still working on a late answer does not hear the line.
        if (late_.contains(request.unit)) continue;
        const Answer answer = it->second->handle(request.pdu);
        if (verbose_) {
            std::fprintf(stderr, "card-termsim: unit %u fc %s -> %s%s\n", request.unit,
                         protocol::hex(request.pdu[0]).c_str(), protocol::hex(answer.pdu[0]).c_str(),
                         answer_note(answer).c_str());
        }
        // A frame on the line is the address, the PDU and the CRC.
        const std::size_t bytes_in = request.pdu.size() + 3;
        if (answer.drop) {
            it->second->stats().count(request.pdu, bytes_in, 0, std::chrono::system_clock::now());
            continue;
        }
        std::uint8_t unit = request.unit;
        std::vector<std::uint8_t> pdu = answer.pdu;
        spoil_answer(answer.spoil, unit, pdu);
        std::vector<std::uint8_t> adu = rtu_frame(unit, pdu);
        it->second->stats().count(request.pdu, bytes_in, adu.size(), std::chrono::system_clock::now());
        if (answer.spoil == Spoil::checksum) adu.back() ^= 0xFF;  // the CRC's high byte
        std::chrono::microseconds delay{0};
        if (settings_.emulate_baud) {
            // The answer is here when its last byte would be on a real line:
            // the request, the silence that ends it, the answer. The silence
            // after the answer is the master's to keep before its next frame.
            const protocol::WireCost cost{bytes_in, adu.size(), 1};
            delay += protocol::rtu_line_time(cost, settings_.baud, settings_.bits_per_char()) -
                     protocol::rtu_silent_interval(settings_.baud, settings_.bits_per_char());
        }
        if (answer.delay.count() > 0) {
            // A slow unit (fault delay) takes its time without holding the
            // line: the master times out and asks others, and the late
            // answer lands on the line whenever it is ready, as it would.
            const std::uint8_t late_unit = request.unit;
            late_[late_unit] =
                loop_.call_after(delay + answer.delay, [this, late_unit, adu = std::move(adu)]() mutable {
                    late_.erase(late_unit);
                    write_out(std::move(adu));
                });
            continue;
        }
        if (delay.count() > 0) {
            answer_pending_ = true;
            answer_timer_ = loop_.call_after(delay, [this, adu = std::move(adu)]() mutable {
                answer_timer_ = 0;
                answer_pending_ = false;
                write_out(std::move(adu));
                process();
            });
            return;
        }
        write_out(std::move(adu));
    }
}

void RtuTransport::write_out(std::vector<std::uint8_t> bytes) {
    out_.insert(out_.end(), bytes.begin(), bytes.end());
    flush();
}

void RtuTransport::flush() {
    std::size_t written = 0;
    while (written < out_.size()) {
        const ssize_t n = ::write(fd_, out_.data() + written, out_.size() - written);
        if (n > 0) {
            written += static_cast<std::size_t>(n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
        throw std::runtime_error("cannot write to " + settings_.device + ": " + std::strerror(errno));
    }
    out_.erase(out_.begin(), out_.begin() + static_cast<std::ptrdiff_t>(written));
    const bool want_write = !out_.empty();
    if (want_write != want_write_) {
        want_write_ = want_write;
        loop_.modify(watch_, want_write ? EPOLLIN | EPOLLOUT : EPOLLIN);
    }
}

}  // namespace cardd::termsim
