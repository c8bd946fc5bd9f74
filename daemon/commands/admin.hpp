#pragma once
// status, format-show, format-set, device-add-terminal, device-add-encoder,
// device-list, device-remove, device-read-params.

#include "daemon/control/arguments.hpp"
#include "daemon/control/command_registry.hpp"
#include "store/domain.hpp"

namespace cardd::daemon {

struct Service;

struct FormatSetArgs {
    int sector = 0;
    std::optional<int> card_no_digits;
    std::optional<std::int64_t> max_card_no;
};
FormatSetArgs parse_format_set(const nlohmann::json& arguments);

/// A terminal's name and its TCP or RTU address.
struct TerminalArgs {
    store::TerminalSpec spec;
};
TerminalArgs parse_terminal(const nlohmann::json& arguments);

/// An encoder's name and its USB ids, or a simulated one.
struct EncoderArgs {
    store::EncoderSpec spec;
};
EncoderArgs parse_encoder(const nlohmann::json& arguments);

/// The name of a device.
struct DeviceNameArgs {
    std::string name;
};
DeviceNameArgs parse_device_name(const nlohmann::json& arguments);

boost::asio::awaitable<Answer> status(Service& service, Request& request, const NoArguments& arguments);
boost::asio::awaitable<Answer> format_show(Service& service, Request& request, const NoArguments& arguments);
boost::asio::awaitable<Answer> format_set(Service& service, Request& request, const FormatSetArgs& arguments);
boost::asio::awaitable<Answer> device_add_terminal(Service& service, Request& request, const TerminalArgs& arguments);
boost::asio::awaitable<Answer> device_add_encoder(Service& service, Request& request, const EncoderArgs& arguments);
boost::asio::awaitable<Answer> device_list(Service& service, Request& request, const NoArguments& arguments);
boost::asio::awaitable<Answer> device_remove(Service& service, Request& request, const DeviceNameArgs& arguments);
/// A terminal replaced at its address: forget the serial on record and bring the new one level.
boost::asio::awaitable<Answer> device_accept_serial(Service& service, Request& request,
                                                    const DeviceNameArgs& arguments);
boost::asio::awaitable<Answer> device_read_params(Service& service, Request& request, const DeviceNameArgs& arguments);

}  // namespace cardd::daemon
