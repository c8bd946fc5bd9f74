#pragma once
// The worked example frames of docs/protocol.md, computed by the real code:
// the protocol encoder builds each request, a simulated Terminal answers it,
// and the simulator's framers wrap both for Modbus TCP and RTU.

#include <cstdint>
#include <string>
#include <vector>

namespace cardd::termsim::test {

struct DocFrame {
    std::string name;  ///< e.g. "add.tcp.request"
    std::vector<std::uint8_t> bytes;
};

/// Every example, in the order the document shows them.
std::vector<DocFrame> doc_frames();

/// "00 01 0A ..." upper-case hex, one space between bytes.
std::string hex(const std::vector<std::uint8_t>& bytes);

}  // namespace cardd::termsim::test
