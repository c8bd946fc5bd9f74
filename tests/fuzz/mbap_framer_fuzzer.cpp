// Fuzzes card-termsim's Modbus TCP framer: the frames do not depend on how
// the stream was cut into reads, every frame holds a PDU of 1..253 bytes,
// and a frame written out again frames to itself.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "tests/fuzz/fuzz_support.hpp"
#include "tools/termsim/mbap_framer.hpp"

using cardd::fuzz::require;
using cardd::termsim::MbapFrame;
using cardd::termsim::MbapFramer;

namespace {

struct Framed {
    std::vector<MbapFrame> frames;
    bool broken = false;
};

// The stream fed in reads of `step` bytes (all at once for 0).
Framed frame_all(std::span<const std::uint8_t> bytes, std::size_t step) {
    MbapFramer framer;
    Framed out;
    for (std::size_t at = 0; at < bytes.size() && !out.broken;) {
        const std::size_t n = step == 0 ? bytes.size() : std::min(step, bytes.size() - at);
        framer.feed(bytes.subspan(at, n));
        at += n;
        for (;;) {
            auto next = framer.next();
            if (!next) {
                out.broken = true;
                break;
            }
            if (!*next) break;
            out.frames.push_back(std::move(**next));
        }
    }
    return out;
}

bool same(const MbapFrame& a, const MbapFrame& b) {
    return a.transaction == b.transaction && a.protocol == b.protocol && a.unit == b.unit && a.pdu == b.pdu;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::size_t step = data[0] % 16;
    const std::span<const std::uint8_t> stream(data + 1, size - 1);
    const Framed whole = frame_all(stream, 0);
    const Framed cut = frame_all(stream, step);
    require(whole.broken == cut.broken, "whether the stream breaks depends on its reads");
    require(whole.frames.size() == cut.frames.size(), "the number of frames depends on the reads");
    for (std::size_t i = 0; i < whole.frames.size(); ++i) {
        const MbapFrame& frame = whole.frames[i];
        require(same(frame, cut.frames[i]), "a frame depends on the reads");
        require(!frame.pdu.empty() && frame.pdu.size() <= MbapFramer::max_pdu_bytes, "a PDU of a bad size");
        if (frame.protocol != 0) continue;
        const auto again = frame_all(cardd::termsim::mbap_frame(frame.transaction, frame.unit, frame.pdu), 0);
        require(!again.broken && again.frames.size() == 1 && same(again.frames[0], frame),
                "a frame written out does not frame to itself");
    }
    return 0;
}
