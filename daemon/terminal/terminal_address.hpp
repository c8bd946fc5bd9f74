#pragma once
// Where a terminal is on the wire, in the driver's own words: Modbus TCP
// (host and port) or Modbus RTU (serial device and line settings), and its
// unit id. The daemon fills it from its registry; the driver never asks where
// it came from.

#include <string>
#include <variant>

namespace cardd::daemon {

struct TcpAddress {
    std::string host;
    int port = 502;
    bool operator==(const TcpAddress&) const = default;
};

struct RtuAddress {
    std::string device;  ///< the serial port, e.g. /dev/ttyUSB0
    int baud = 19200;
    char parity = 'E';  ///< 'E', 'N' or 'O'
    bool operator==(const RtuAddress&) const = default;
};

struct TerminalAddress {
    std::string name;  ///< the terminal's name, for messages
    std::variant<TcpAddress, RtuAddress> address;
    int unit_id = 1;
    bool operator==(const TerminalAddress&) const = default;
};

}  // namespace cardd::daemon
