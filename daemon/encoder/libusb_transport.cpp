#include "daemon/encoder/libusb_transport.hpp"

#include "protocol/hex.hpp"

#include <libusb.h>

#include <algorithm>
#include <climits>
#include <optional>
#include <string>

namespace cardd::encoder {

namespace {

constexpr std::uint8_t ccid_class = 0x0B;

std::string device_name(std::uint16_t vendor_id, std::uint16_t product_id) {
    return protocol::hex_number(vendor_id, 4, protocol::HexCase::lower) + ":" +
           protocol::hex_number(product_id, 4, protocol::HexCase::lower);
}

std::string usb_text(int code) { return libusb_strerror(code); }

// Transfers: a vanished device is no_device (the daemon reopens), a timeout
// is the reader not answering, anything else a broken transfer.
Error transfer_error(int code, const char* direction) {
    const std::string text = std::string("bulk ") + direction + ": " + usb_text(code);
    switch (code) {
        case LIBUSB_ERROR_NO_DEVICE: return {Errc::no_device, "the reader went away (" + text + ")"};
        case LIBUSB_ERROR_TIMEOUT: return {Errc::timeout, "the reader did not answer in time (" + text + ")"};
        default: return {Errc::usb_io, text};
    }
}

// libusb reads a timeout of 0 as "wait forever", which a caller asking for
// 0 ms does not mean.
unsigned int timeout_ms(std::chrono::milliseconds timeout) {
    const auto ms = std::clamp<std::chrono::milliseconds::rep>(timeout.count(), 1, INT_MAX);
    return static_cast<unsigned int>(ms);
}

struct Endpoints {
    int interface = -1;
    std::uint8_t in = 0;
    std::uint8_t out = 0;
};

std::optional<Endpoints> bulk_pair(const libusb_interface_descriptor& alt) {
    Endpoints found{alt.bInterfaceNumber, 0, 0};
    int ins = 0;
    int outs = 0;
    for (int e = 0; e < alt.bNumEndpoints; ++e) {
        const libusb_endpoint_descriptor& ep = alt.endpoint[e];
        if ((ep.bmAttributes & LIBUSB_TRANSFER_TYPE_MASK) != LIBUSB_TRANSFER_TYPE_BULK) continue;
        if ((ep.bEndpointAddress & LIBUSB_ENDPOINT_DIR_MASK) == LIBUSB_ENDPOINT_IN) {
            found.in = ep.bEndpointAddress;
            ++ins;
        } else {
            found.out = ep.bEndpointAddress;
            ++outs;
        }
    }
    if (ins != 1 || outs != 1) return std::nullopt;
    return found;
}

// The CCID interface: class 0x0B where the reader says so. The ACR122U
// declares its CCID interface vendor-specific (0xFF) with a CCID class
// descriptor, so failing a 0x0B interface the one with exactly one bulk IN
// and one bulk OUT endpoint is taken.
std::optional<Endpoints> find_ccid_interface(const libusb_config_descriptor& config) {
    std::optional<Endpoints> fallback;
    for (int i = 0; i < config.bNumInterfaces; ++i) {
        const libusb_interface& interface = config.interface[i];
        if (interface.num_altsetting < 1) continue;
        const libusb_interface_descriptor& alt = interface.altsetting[0];
        const auto pair = bulk_pair(alt);
        if (!pair) continue;
        if (alt.bInterfaceClass == ccid_class) return pair;
        if (!fallback) fallback = pair;
    }
    return fallback;
}

}  // namespace

Result<std::unique_ptr<LibusbTransport>> LibusbTransport::open(std::uint16_t vendor_id, std::uint16_t product_id) {
    const std::string name = device_name(vendor_id, product_id);
    // Built first so that the destructor undoes whatever step succeeded.
    std::unique_ptr<LibusbTransport> transport(new LibusbTransport());
    if (const int rc = libusb_init(&transport->context_); rc != 0) {
        transport->context_ = nullptr;
        return fail(Errc::no_device,
                    "cannot use USB to reach reader " + name + ": libusb_init failed: " + usb_text(rc));
    }

    libusb_device** list = nullptr;
    const ssize_t count = libusb_get_device_list(transport->context_, &list);
    if (count < 0) {
        return fail(Errc::no_device,
                    "cannot list USB devices to find reader " + name + ": " + usb_text(static_cast<int>(count)));
    }
    libusb_device* device = nullptr;
    for (ssize_t i = 0; i < count && device == nullptr; ++i) {
        libusb_device_descriptor descriptor{};
        if (libusb_get_device_descriptor(list[i], &descriptor) != 0) continue;
        if (descriptor.idVendor == vendor_id && descriptor.idProduct == product_id) device = list[i];
    }
    if (device == nullptr) {
        libusb_free_device_list(list, 1);
        return fail(Errc::no_device, "no USB device " + name + " is attached");
    }
    const int opened = libusb_open(device, &transport->handle_);
    const std::string where = name + " (bus " + std::to_string(libusb_get_bus_number(device)) + " device " +
                              std::to_string(libusb_get_device_address(device)) + ")";
    libusb_config_descriptor* config = nullptr;
    const int described = opened == 0 ? libusb_get_active_config_descriptor(device, &config) : opened;
    libusb_free_device_list(list, 1);
    if (opened != 0) {
        transport->handle_ = nullptr;
        if (opened == LIBUSB_ERROR_ACCESS) {
            return fail(Errc::no_device, "permission denied opening reader " + where +
                                             ": install the udev rule 60-cardd-encoder.rules (docs/encoder.md)");
        }
        return fail(Errc::no_device, "cannot open reader " + where + ": " + usb_text(opened));
    }
    if (described != 0) {
        return fail(Errc::no_device, "cannot read the configuration of reader " + where + ": " + usb_text(described));
    }
    const auto endpoints = find_ccid_interface(*config);
    libusb_free_config_descriptor(config);
    if (!endpoints) {
        return fail(Errc::no_device, "USB device " + where + " has no CCID interface with a bulk IN and OUT endpoint");
    }

    // Not supported on every platform; where it is not, a kernel driver that
    // holds the interface shows up as a busy claim below.
    (void)libusb_set_auto_detach_kernel_driver(transport->handle_, 1);
    if (const int rc = libusb_claim_interface(transport->handle_, endpoints->interface); rc != 0) {
        if (rc == LIBUSB_ERROR_BUSY) {
            return fail(Errc::no_device, "reader " + where +
                                             " is busy: another program (pcscd?) or a kernel driver "
                                             "(pn533_usb?) holds it; see docs/encoder.md");
        }
        if (rc == LIBUSB_ERROR_ACCESS) {
            return fail(Errc::no_device, "permission denied claiming reader " + where +
                                             ": install the udev rule 60-cardd-encoder.rules (docs/encoder.md)");
        }
        return fail(Errc::no_device, "cannot claim the CCID interface of reader " + where + ": " + usb_text(rc));
    }
    transport->interface_ = endpoints->interface;
    transport->endpoint_in_ = endpoints->in;
    transport->endpoint_out_ = endpoints->out;
    return transport;
}

LibusbTransport::~LibusbTransport() {
    // Releasing the interface also gives it back to the kernel driver that
    // auto-detach took it from.
    if (handle_ != nullptr) {
        if (interface_ >= 0) libusb_release_interface(handle_, interface_);
        libusb_close(handle_);
    }
    if (context_ != nullptr) libusb_exit(context_);
}

Result<void> LibusbTransport::bulk_out(std::span<const std::uint8_t> message, std::chrono::milliseconds timeout) {
    int sent = 0;
    // libusb takes a non-const buffer for both directions; OUT transfers only read it.
    const int rc = libusb_bulk_transfer(handle_, endpoint_out_, const_cast<std::uint8_t*>(message.data()),
                                        static_cast<int>(message.size()), &sent, timeout_ms(timeout));
    if (rc != 0) return std::unexpected(transfer_error(rc, "OUT"));
    if (static_cast<std::size_t>(sent) != message.size()) {
        return fail(Errc::usb_io,
                    "bulk OUT sent " + std::to_string(sent) + " of " + std::to_string(message.size()) + " bytes");
    }
    return {};
}

Result<std::vector<std::uint8_t>> LibusbTransport::bulk_in(std::size_t max_size, std::chrono::milliseconds timeout) {
    std::vector<std::uint8_t> buffer(max_size);
    int received = 0;
    const int rc = libusb_bulk_transfer(handle_, endpoint_in_, buffer.data(), static_cast<int>(buffer.size()),
                                        &received, timeout_ms(timeout));
    if (rc != 0) return std::unexpected(transfer_error(rc, "IN"));
    buffer.resize(static_cast<std::size_t>(received));
    return buffer;
}

}  // namespace cardd::encoder
