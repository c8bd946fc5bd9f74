#pragma once
// Modbus TCP framing: the 7-byte MBAP header (transaction id, protocol id 0,
// length, unit id) in front of each PDU. Pure: bytes in, frames out.

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cardd::termsim {

struct MbapFrame {
    std::uint16_t transaction = 0;
    std::uint16_t protocol = 0;  ///< 0 for Modbus; other values are dropped unanswered
    std::uint8_t unit = 0;
    std::vector<std::uint8_t> pdu;  ///< function code and data, at least one byte
};

/// Cuts a byte stream into MBAP frames. A length field outside 2..254 means
/// the stream cannot be framed any more; the connection must be closed.
class MbapFramer {
public:
    static constexpr std::size_t header_bytes = 7;
    static constexpr std::size_t max_pdu_bytes = 253;

    void feed(std::span<const std::uint8_t> bytes);
    /// The next complete frame, nullopt when more bytes are needed, or an
    /// error when the stream is broken.
    std::expected<std::optional<MbapFrame>, std::string> next();
    /// Bytes received but not yet framed.
    std::size_t buffered() const noexcept { return buffer_.size() - start_; }

private:
    std::vector<std::uint8_t> buffer_;
    std::size_t start_ = 0;
};

/// The ADU for a response: the request's transaction and unit ids, protocol 0.
std::vector<std::uint8_t> mbap_frame(std::uint16_t transaction, std::uint8_t unit, std::span<const std::uint8_t> pdu);

}  // namespace cardd::termsim
