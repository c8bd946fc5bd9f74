// Fuzzes card-termsim's Modbus RTU framer: frames come out CRC-checked and
// do not depend on how the bytes were cut into reads arriving together; a
// frame written out again frames to itself once the line is silent.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "tests/fuzz/fuzz_support.hpp"
#include "tools/termsim/rtu_framer.hpp"

using cardd::fuzz::require;
using cardd::termsim::RtuFrame;
using cardd::termsim::RtuFramer;
using namespace std::chrono_literals;

namespace {

constexpr auto silence = 2ms;

std::vector<RtuFrame> frame_all(std::span<const std::uint8_t> bytes, std::size_t step) {
    RtuFramer framer(silence);
    const RtuFramer::TimePoint at{};
    for (std::size_t i = 0; i < bytes.size();) {
        const std::size_t n = step == 0 ? bytes.size() : std::min(step, bytes.size() - i);
        framer.feed(bytes.subspan(i, n), at);
        i += n;
    }
    std::vector<RtuFrame> frames = framer.take(at);
    for (RtuFrame& frame : framer.take(at + 10 * silence)) frames.push_back(std::move(frame));
    return frames;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t step = data[0] % 16;
    const std::span<const std::uint8_t> stream(data + 1, size - 1);
    const auto whole = frame_all(stream, 0);
    const auto cut = frame_all(stream, step);
    require(whole.size() == cut.size(), "the number of frames depends on the reads");
    for (std::size_t i = 0; i < whole.size(); ++i) {
        const RtuFrame& frame = whole[i];
        require(frame.unit == cut[i].unit && frame.pdu == cut[i].pdu, "a frame depends on the reads");
        require(!frame.pdu.empty() && frame.pdu.size() + 3 <= RtuFramer::max_frame_bytes, "a PDU of a bad size");
        const auto adu = cardd::termsim::rtu_frame(frame.unit, frame.pdu);
        require(cardd::termsim::crc16_modbus(adu) == 0, "a frame written out does not check its CRC");
        const auto again = frame_all(adu, 0);
        require(again.size() == 1 && again[0].unit == frame.unit && again[0].pdu == frame.pdu,
                "a frame written out does not frame to itself");
    }
    return 0;
}
