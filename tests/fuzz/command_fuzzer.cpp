// Fuzzes decode_command and the payload readers a terminal runs on every
// mailbox write, and checks that decoding and encoding agree.

#include <cstddef>
#include <cstdint>

#include "protocol/checksum.hpp"
#include "protocol/command.hpp"
#include "protocol/entry_packing.hpp"
#include "protocol/registers.hpp"
#include "tests/fuzz/fuzz_support.hpp"

using namespace cardd::protocol;
using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto regs = cardd::fuzz::to_registers(data, size);
    const auto command = decode_command(regs);
    if (!command) {
        require(regs.size() < mailbox::header_registers || regs.size() > mailbox::block.count,
                "a mailbox-sized write was refused");
        return 0;
    }
    require(encode_command(*command) == regs, "encode(decode(x)) != x");
    (void)to_string(command->opcode);
    const bool length_ok = check_payload_length(*command).has_value();

    if (const auto entries = read_entries(*command)) {
        require(length_ok, "entries read from a command of the wrong length");
        require(entries->size() == command->n, "entry count != n");
        for (const std::uint32_t card : *entries) require(card <= max_card_number, "entry above 24 bits");
        require(pack_entries(*entries) == cardd::fuzz::with_zero_pad(command->payload, 3 * entries->size()),
                "repacked entries differ");
        if (entries->size() <= max_entries_per_command(WriteFunction::write_multiple)) {
            const Command rebuilt = make_add(command->tag, command->arg1, command->arg2, *entries);
            require(rebuilt.payload == pack_entries(*entries), "make_add payload differs");
        }
        require(list_crc(*entries) == crc32_bytes(entries_to_bytes(*entries)), "list_crc differs");
        (void)blacklist_checksum(*entries);
    }
    if (const auto bytes = read_bitmap_bytes(*command)) {
        require(length_ok, "bytes read from a command of the wrong length");
        require(bytes->size() == command->n, "byte count != n");
        require(pack_bytes(*bytes) == cardd::fuzz::with_zero_pad(command->payload, bytes->size()),
                "repacked bytes differ");
        (void)bitmap_crc(*bytes);
    }
    if (const auto begin = read_full_begin(*command)) {
        require(length_ok, "FULL_BEGIN read from a command of the wrong length");
        const Command rebuilt =
            make_full_begin(command->tag, begin->session, begin->target_version, begin->format, begin->total);
        require(rebuilt == *command, "make_full_begin(read_full_begin(x)) != x");
    }
    return 0;
}
