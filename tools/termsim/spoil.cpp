#include "tools/termsim/spoil.hpp"

namespace cardd::termsim {

std::string_view to_string(Spoil spoil) noexcept {
    switch (spoil) {
        case Spoil::none: return "none";
        case Spoil::checksum: return "corrupted";
        case Spoil::unit: return "wrong unit";
        case Spoil::function: return "wrong function";
        case Spoil::short_frame: return "short";
        case Spoil::long_frame: return "long";
    }
    return "?";
}

void spoil_answer(Spoil spoil, std::uint8_t& unit, std::vector<std::uint8_t>& pdu) {
    switch (spoil) {
        case Spoil::none:
        case Spoil::checksum: return;
        case Spoil::unit:
            unit = static_cast<std::uint8_t>(unit % 247 + 1);  // another valid unit id, 1..247
            return;
        case Spoil::function:
            // 0x03 -> 0x04, 0x10 -> 0x17, 0x17 -> 0x10: a real function code,
            // not the one asked, the exception bit kept as it was.
            if (!pdu.empty()) pdu[0] ^= 0x07;
            return;
        case Spoil::short_frame:
            // Keep the function code and at least one byte less than before.
            if (pdu.size() > 1) pdu.resize(1 + (pdu.size() - 1) / 2);
            return;
        case Spoil::long_frame: pdu.insert(pdu.end(), {0xCA, 0xFE, 0x00, 0x01}); return;
    }
}

}  // namespace cardd::termsim
