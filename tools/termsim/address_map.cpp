#include "tools/termsim/address_map.hpp"

#include <array>

#include "protocol/registers.hpp"

namespace cardd::termsim {

namespace p = cardd::protocol;

namespace {

struct Span {
    std::uint32_t begin;
    std::uint32_t end;  // one past the last register
};

// The state block and the model name touch (0x001F, 0x0020), so a read may
// run from one into the other; the other blocks stand alone.
constexpr std::array<Span, 3> readable{{
    {p::state::block.address, p::model_name::block.end()},
    {p::mailbox::block.address, p::mailbox::block.end()},
    {p::records::block.address, p::records::block.end()},
}};

static_assert(p::state::block.end() == p::model_name::block.address);

bool inside_one(std::uint32_t begin, std::uint32_t end) noexcept {
    for (const Span& span : readable) {
        if (begin >= span.begin && end <= span.end) return true;
    }
    return false;
}

}  // namespace

std::expected<void, ModbusException> check_read(std::uint16_t address, std::uint16_t count) noexcept {
    const std::uint32_t end = std::uint32_t{address} + count;
    if (!inside_one(address, end)) return std::unexpected(ModbusException::illegal_data_address);
    return {};
}

std::expected<WriteTarget, ModbusException> check_write(std::uint16_t address, std::uint16_t count) noexcept {
    const std::uint32_t end = std::uint32_t{address} + count;
    if (address >= p::mailbox::block.address && address < p::mailbox::block.end()) {
        if (address != p::mailbox::block.address || end > p::mailbox::block.end()) {
            return std::unexpected(ModbusException::illegal_data_address);
        }
        if (count < p::mailbox::header_registers) return std::unexpected(ModbusException::illegal_data_value);
        return WriteTarget::mailbox_command;
    }
    if (address >= p::records::cursor.address && end <= p::records::cursor.end()) {
        return WriteTarget::records_cursor;
    }
    // Everything else is outside the blocks or read-only; CT-1 answers both
    // with 0x02.
    return std::unexpected(ModbusException::illegal_data_address);
}

}  // namespace cardd::termsim
