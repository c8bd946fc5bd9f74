#pragma once
// The bottom of the encoder driver: bulk transfers to and from one CCID
// reader. libusb implements it for real readers; the simulated reader
// implements it in memory, so the CCID and APDU code above is the same in
// tests and in production.

#include <chrono>
#include <cstdint>
#include <span>
#include <vector>

#include "daemon/encoder/encoder_error.hpp"

namespace cardd::encoder {

class UsbTransport {
public:
    virtual ~UsbTransport() = default;

    /// Sends one CCID message on the bulk OUT endpoint.
    virtual Result<void> bulk_out(std::span<const std::uint8_t> message, std::chrono::milliseconds timeout) = 0;

    /// Receives one CCID message from the bulk IN endpoint (one transfer of at
    /// most `max_size` bytes).
    virtual Result<std::vector<std::uint8_t>> bulk_in(std::size_t max_size, std::chrono::milliseconds timeout) = 0;
};

}  // namespace cardd::encoder
