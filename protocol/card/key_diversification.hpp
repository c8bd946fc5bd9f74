#pragma once
// Per-card MIFARE keys diversified from the card centre's master key and the
// card UID with AES-128 CMAC, as NXP AN10922 (section 2.2) describes. A
// stolen card then yields its own keys only. Computation only (OpenSSL's
// AES), no I/O; keys never leave this code except into the reader.

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "protocol/card/access_bits.hpp"

namespace cardd::protocol::card {

using MasterKey = std::array<std::uint8_t, 16>;
using AesKey = std::array<std::uint8_t, 16>;

/// AN10922 AES-128: CMAC(master, 0x01 || input), with the input padded to 32
/// bytes (0x80 then zeros) and the CMAC's second subkey used when it had to
/// be padded. `input` is 1..31 bytes. Throws std::invalid_argument otherwise,
/// std::runtime_error if OpenSSL fails.
AesKey an10922_diversify(const MasterKey& master, std::span<const std::uint8_t> input);

/// AES-CMAC (RFC 4493) of `message`; exposed for the RFC's test vectors.
AesKey aes_cmac(const AesKey& key, std::span<const std::uint8_t> message);

/// The system identifier mixed into every diversification input.
inline constexpr std::array<std::uint8_t, 5> system_identifier{'C', 'A', 'R', 'D', 'D'};

/// The 6-byte MIFARE key of `type` for `sector` of the card with `uid`
/// (4 or 7 bytes): the first 6 bytes of an10922_diversify(master,
/// uid || sector || 'A'|'B' || system_identifier).
Key card_key(const MasterKey& master, std::span<const std::uint8_t> uid, int sector, KeyType type);

}  // namespace cardd::protocol::card
