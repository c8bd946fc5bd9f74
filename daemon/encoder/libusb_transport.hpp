#pragma once
// UsbTransport on a real reader through libusb: the first device with the
// given vendor and product id, its CCID interface (class 0x0B) claimed, the
// kernel driver detached if one holds it, and its bulk endpoints found.

#include <cstdint>
#include <memory>

#include "daemon/encoder/usb_transport.hpp"

struct libusb_context;
struct libusb_device_handle;

namespace cardd::encoder {

class LibusbTransport final : public UsbTransport {
public:
    /// no_device when no such reader is attached or it cannot be opened
    /// (the message says why: missing, permission, busy).
    static Result<std::unique_ptr<LibusbTransport>> open(std::uint16_t vendor_id, std::uint16_t product_id);
    ~LibusbTransport() override;

    LibusbTransport(const LibusbTransport&) = delete;
    LibusbTransport& operator=(const LibusbTransport&) = delete;

    Result<void> bulk_out(std::span<const std::uint8_t> message, std::chrono::milliseconds timeout) override;
    Result<std::vector<std::uint8_t>> bulk_in(std::size_t max_size, std::chrono::milliseconds timeout) override;

private:
    LibusbTransport() = default;

    libusb_context* context_ = nullptr;
    libusb_device_handle* handle_ = nullptr;
    int interface_ = -1;
    std::uint8_t endpoint_out_ = 0;
    std::uint8_t endpoint_in_ = 0;
};

}  // namespace cardd::encoder
