#pragma once
// Bytes on the wire for blacklist transfers, so the daemon can pick the
// cheaper full sync (DESIGN: "list or bitmap, whichever is fewer bytes").
//
// Every command is one request and one response, counted whole:
//   TCP frame = 7-byte MBAP header + PDU;  RTU frame = 1 address + PDU + 2 CRC.
//   0x10 request PDU  = 1 fc + 2 address + 2 quantity + 1 byte count + 2W = 6 + 2W
//   0x10 response PDU = 1 fc + 2 address + 2 quantity                     = 5
//   0x17 request PDU  = 1 fc + 2+2 read addr/qty + 2+2 write addr/qty + 1 byte count + 2W = 10 + 2W
//   0x17 response PDU = 1 fc + 1 byte count + 2R, R = 2 (status and tag, 0x000E..0x000F)
// where W = 7 header registers + payload registers of the command.
// A full sync is FULL_BEGIN (W = 10), the chunks at their largest size (77
// entries or 232 bytes with 0x10; 76 or 228 with 0x17), and FULL_COMMIT (W = 7).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

#include "protocol/registers.hpp"
#include "protocol/status.hpp"

namespace cardd::protocol {

enum class Transport { tcp, rtu };

/// Registers a 0x17 command reads back with its write: status and tag.
inline constexpr std::uint16_t command_readback_registers = 2;

/// What a sequence of commands costs.
struct WireCost {
    std::uint64_t request_bytes = 0;
    std::uint64_t response_bytes = 0;
    std::uint64_t round_trips = 0;

    constexpr std::uint64_t bytes() const noexcept { return request_bytes + response_bytes; }
    constexpr WireCost& operator+=(const WireCost& other) noexcept {
        request_bytes += other.request_bytes;
        response_bytes += other.response_bytes;
        round_trips += other.round_trips;
        return *this;
    }
    friend constexpr WireCost operator*(WireCost cost, std::uint64_t times) noexcept {
        return {cost.request_bytes * times, cost.response_bytes * times, cost.round_trips * times};
    }
    friend bool operator==(const WireCost&, const WireCost&) = default;
};

/// One command of `write_registers` registers (header included): request and response.
WireCost command_cost(std::size_t write_registers, Transport transport,
                      WriteFunction function = WriteFunction::write_multiple) noexcept;

/// A full sync as a list of `entries` card numbers.
WireCost full_list_cost(std::size_t entries, Transport transport,
                        WriteFunction function = WriteFunction::write_multiple) noexcept;

/// A full sync as a bitmap of `bitmap_bytes` bytes.
WireCost full_bitmap_cost(std::size_t bitmap_bytes, Transport transport,
                          WriteFunction function = WriteFunction::write_multiple) noexcept;

/// ADD or REMOVE of `entries` card numbers, split into the fewest commands; 0 costs nothing.
WireCost delta_cost(std::size_t entries, Transport transport,
                    WriteFunction function = WriteFunction::write_multiple) noexcept;

/// Both full sync costs of one set.
struct FullSyncCosts {
    std::size_t entries = 0;       ///< distinct cards in the set
    std::size_t bitmap_bytes = 0;  ///< length of the shortest bitmap, 0 for the empty set
    WireCost list;
    WireCost bitmap;
};

/// Costs of a full sync of a set (any order, duplicates count once).
FullSyncCosts full_sync_costs(std::span<const std::uint32_t> cards, Transport transport,
                              WriteFunction function = WriteFunction::write_multiple);

/// List or bitmap, whichever puts fewer bytes on the wire; list on a tie, and
/// always list when capability bit 0 is clear or the highest card is above
/// `bitmap_limit`.
SyncFormat choose_full_sync_format(std::span<const std::uint32_t> cards, Transport transport,
                                   std::uint32_t bitmap_limit, std::uint16_t capabilities,
                                   WriteFunction function = WriteFunction::write_multiple);

/// The silence that ends an RTU frame: 3.5 characters of `bits_per_char`,
/// 1750 us above 19200 baud (Modbus over serial line 2.5.1.1). Rounded up.
std::chrono::microseconds rtu_silent_interval(std::uint32_t baud, std::uint32_t bits_per_char = 11) noexcept;

/// Time an RTU line is busy with `cost`: every byte at `bits_per_char` (11
/// for 8E1 and 8N2, 10 for 8N1) plus the 3.5-character silence after each
/// frame (1750 us above 19200 baud, Modbus over serial line 2.5.1.1).
/// Rounded up; turnaround delays of the terminal are not included.
std::chrono::microseconds rtu_line_time(const WireCost& cost, std::uint32_t baud,
                                        std::uint32_t bits_per_char = 11) noexcept;

}  // namespace cardd::protocol
