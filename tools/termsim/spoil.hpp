#pragma once
// How a faulty terminal mangles an answer it sends (control: fault ...).
// Pure: the unit id and PDU in, the ones to frame out. The frame's own
// checks (the RTU CRC, the MBAP length) are then made to agree with the
// spoiled content, so the client's parser, not its framer, must notice;
// Spoil::checksum is the one the framer notices, applied by the transport.

#include <cstdint>
#include <string_view>
#include <vector>

namespace cardd::termsim {

enum class Spoil {
    none,
    checksum,     ///< RTU: the CRC's high byte inverted; TCP (no CRC): the transaction and protocol ids inverted
    unit,         ///< the answer comes from another unit id
    function,     ///< the answer carries another function code than the request's
    short_frame,  ///< the answer's PDU cut to less than its byte count says
    long_frame,   ///< the answer's PDU followed by bytes no answer has
};

std::string_view to_string(Spoil spoil) noexcept;

/// Applies a PDU-level spoil (unit, function, short_frame, long_frame) to the
/// answer of unit `unit`; none and checksum leave both as they are.
void spoil_answer(Spoil spoil, std::uint8_t& unit, std::vector<std::uint8_t>& pdu);

}  // namespace cardd::termsim
