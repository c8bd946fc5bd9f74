#pragma once
// A UsbTransport that replays a reader's answers from a script, for testing
// CcidReader and MifareReader without a reader. It stands in at the USB
// transfer level, the same place as libusb and the simulated reader, so the
// code under test is the driver as shipped.

#include <chrono>
#include <cstdint>
#include <deque>
#include <span>
#include <vector>

#include "daemon/encoder/usb_transport.hpp"
#include "protocol/ccid/ccid_message.hpp"

namespace cardd::encoder::test {

using Bytes = std::vector<std::uint8_t>;

class ScriptedTransport final : public UsbTransport {
public:
    /// Answers `message` with the sequence number of the last message sent.
    void answer(protocol::ccid::ReaderMessage message);
    /// Answers exactly `bytes` (a wrong sequence number, garbage).
    void answer_raw(Bytes bytes);
    /// The next bulk IN fails with `code`.
    void fail_in(Errc code);
    /// The next bulk OUT fails with `code`.
    void fail_out(Errc code);

    /// Every message sent, in order.
    const std::vector<Bytes>& sent() const noexcept { return sent_; }
    /// Bulk IN transfers made.
    int reads() const noexcept { return reads_; }
    /// Script steps not yet used.
    std::size_t pending() const noexcept { return steps_.size(); }

    Result<void> bulk_out(std::span<const std::uint8_t> message, std::chrono::milliseconds timeout) override;
    Result<std::vector<std::uint8_t>> bulk_in(std::size_t max_size, std::chrono::milliseconds timeout) override;

private:
    struct Step {
        enum class Kind { message, raw, error } kind;
        protocol::ccid::ReaderMessage message;
        Bytes raw;
        Errc error = Errc::usb_io;
    };

    std::deque<Step> steps_;
    std::deque<Errc> out_failures_;
    std::vector<Bytes> sent_;
    int reads_ = 0;
};

/// The answers a reader gives, with the fields the tests vary.
protocol::ccid::ReaderMessage data_block(Bytes data);
protocol::ccid::ReaderMessage slot_status(std::uint8_t status, std::uint8_t error = 0);
protocol::ccid::ReaderMessage failed_data_block(std::uint8_t status, std::uint8_t error);
protocol::ccid::ReaderMessage time_extension();
protocol::ccid::ReaderMessage escape_answer(Bytes data);

}  // namespace cardd::encoder::test
