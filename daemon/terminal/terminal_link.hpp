#pragma once
// The one seam between the distribution logic and the wire: a terminal's
// holding registers, read and written as Modbus does it. libmodbus implements
// it in production (modbus_link.hpp); tests put a CT-1 terminal simulator
// behind it, in-process or over a real socket.

#include <cstdint>
#include <expected>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cardd::daemon {

/// Why a request to a terminal did not produce a usable answer.
struct LinkError {
    enum class Kind {
        timeout,           ///< no answer in time (terminal down, bus silent, answer lost)
        io,                ///< connection refused or broken, serial port unusable
        modbus_exception,  ///< the terminal answered with a Modbus exception (exception_code)
        garbage,           ///< an answer arrived but is not a valid frame or CT-1 block
        protocol,          ///< a valid frame that breaks CT-1 (stale tag, unknown status, ...)
        busy,              ///< the terminal said BUSY: nothing changed, retry later
        capacity,          ///< the terminal cannot hold what it must enforce
        /// another terminal answers at the address: its serial is not the one
        /// on record (cables swapped, or a terminal replaced); nothing was
        /// written to it
        wrong_terminal,
    };
    Kind kind;
    std::string message;     ///< for logs and the failed-device list; never holds secrets
    int exception_code = 0;  ///< with modbus_exception: the Modbus exception code (1 to 11)
};

/// Stable lower-case name of a kind ("timeout", "modbus_exception", ...), for logs and JSON.
std::string_view to_string(LinkError::Kind kind) noexcept;

template <class T>
using LinkResult = std::expected<T, LinkError>;

/// The wrong_terminal error of a terminal that answered as serial `got` where
/// `expected` is on record.
LinkError wrong_terminal(std::uint32_t expected, std::uint32_t got);

/// Shorthand for `return link_fail(...)`.
inline std::unexpected<LinkError> link_fail(LinkError::Kind kind, std::string message, int exception_code = 0) {
    return std::unexpected(LinkError{kind, std::move(message), exception_code});
}

/// One terminal's holding registers. Calls block until the answer or the
/// timeout; one caller at a time per link.
class TerminalLink {
public:
    virtual ~TerminalLink() = default;

    /// Function 0x03: `count` registers from `address`.
    virtual LinkResult<std::vector<std::uint16_t>> read_registers(std::uint16_t address, std::uint16_t count) = 0;

    /// Function 0x10: `values` at `address`.
    virtual LinkResult<void> write_registers(std::uint16_t address, std::span<const std::uint16_t> values) = 0;

    /// Function 0x17: writes `values` at `write_address`, then reads `read_count`
    /// registers from `read_address`, in one round trip (the write is done first).
    virtual LinkResult<std::vector<std::uint16_t>> write_and_read_registers(std::uint16_t write_address,
                                                                            std::span<const std::uint16_t> values,
                                                                            std::uint16_t read_address,
                                                                            std::uint16_t read_count) = 0;
};

}  // namespace cardd::daemon
