#include "protocol/entry_packing.hpp"

#include <stdexcept>
#include <string>

#include "protocol/registers.hpp"

namespace cardd::protocol {

namespace {

void check_representable(std::uint32_t card) {
    if (card > max_card_number) {
        throw std::out_of_range("card number " + std::to_string(card) + " does not fit in 24 bits");
    }
}

std::uint8_t byte_of(std::span<const std::uint16_t> regs, std::size_t index) noexcept {
    const std::uint16_t reg = regs[index / 2];
    return static_cast<std::uint8_t>(index % 2 == 0 ? reg >> 8 : reg & 0xFF);
}

}  // namespace

std::vector<std::uint8_t> entries_to_bytes(std::span<const std::uint32_t> cards) {
    std::vector<std::uint8_t> bytes;
    bytes.reserve(cards.size() * bytes_per_entry);
    for (const std::uint32_t card : cards) {
        check_representable(card);
        bytes.push_back(static_cast<std::uint8_t>(card >> 16));
        bytes.push_back(static_cast<std::uint8_t>(card >> 8));
        bytes.push_back(static_cast<std::uint8_t>(card));
    }
    return bytes;
}

std::vector<std::uint16_t> pack_entries(std::span<const std::uint32_t> cards) {
    return pack_bytes(entries_to_bytes(cards));
}

std::vector<std::uint16_t> pack_bytes(std::span<const std::uint8_t> bytes) {
    std::vector<std::uint16_t> regs(byte_registers(bytes.size()), 0);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        const unsigned shift = i % 2 == 0 ? 8 : 0;
        regs[i / 2] = static_cast<std::uint16_t>(regs[i / 2] | (unsigned{bytes[i]} << shift));
    }
    return regs;
}

Decoded<std::vector<std::uint8_t>> unpack_bytes(std::span<const std::uint16_t> regs, std::size_t n) {
    if (regs.size() < byte_registers(n)) {
        return decode_fail(DecodeErrc::truncated, std::to_string(n) + " bytes need " +
                                                      std::to_string(byte_registers(n)) + " registers, got " +
                                                      std::to_string(regs.size()));
    }
    std::vector<std::uint8_t> bytes(n);
    for (std::size_t i = 0; i < n; ++i) bytes[i] = byte_of(regs, i);
    return bytes;
}

Decoded<std::vector<std::uint32_t>> unpack_entries(std::span<const std::uint16_t> regs, std::size_t n) {
    if (regs.size() < entry_registers(n)) {
        return decode_fail(DecodeErrc::truncated, std::to_string(n) + " entries need " +
                                                      std::to_string(entry_registers(n)) + " registers, got " +
                                                      std::to_string(regs.size()));
    }
    std::vector<std::uint32_t> cards(n);
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t b = i * bytes_per_entry;
        cards[i] =
            (std::uint32_t{byte_of(regs, b)} << 16) | (std::uint32_t{byte_of(regs, b + 1)} << 8) | byte_of(regs, b + 2);
    }
    return cards;
}

}  // namespace cardd::protocol
