// Writes a seed corpus for every fuzz target: valid inputs made with the
// protocol's own encoders. Without them the fuzzer must guess an opcode, an n
// and a length that agree before it reaches any payload reader.
// Usage: fuzz_seeds <dir>; writes <dir>/<target>/<n>.

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "protocol/bitmap.hpp"
#include "protocol/ccid/acr122_apdu.hpp"
#include "protocol/ccid/ccid_message.hpp"
#include "protocol/card/access_bits.hpp"
#include "protocol/card/card_layout.hpp"
#include "protocol/command.hpp"
#include "protocol/entry_packing.hpp"
#include "protocol/record.hpp"
#include "protocol/state_block.hpp"

using namespace cardd::protocol;
namespace fs = std::filesystem;

namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes to_bytes(std::span<const std::uint16_t> regs) {
    Bytes bytes;
    for (const std::uint16_t reg : regs) {
        bytes.push_back(static_cast<std::uint8_t>(reg >> 8));
        bytes.push_back(static_cast<std::uint8_t>(reg & 0xFF));
    }
    return bytes;
}

void write_seeds(const fs::path& dir, const std::vector<Bytes>& seeds) {
    fs::create_directories(dir);
    for (std::size_t i = 0; i < seeds.size(); ++i) {
        std::ofstream out(dir / std::to_string(i), std::ios::binary | std::ios::trunc);
        out.write(reinterpret_cast<const char*>(seeds[i].data()), static_cast<std::streamsize>(seeds[i].size()));
    }
}

std::vector<std::uint32_t> cards(std::uint32_t count, std::uint32_t first) {
    std::vector<std::uint32_t> result(count);
    std::iota(result.begin(), result.end(), first);
    return result;
}

std::vector<Bytes> command_seeds() {
    const Bytes bitmap = build_bitmap(std::vector<std::uint32_t>{1, 9, 100, 1000});
    std::vector<Command> commands{
        make_add(1, 5, 6, cards(3, 1)),
        make_add(2, 5, 6, cards(77, 499000)),
        make_remove(3, 6, 7, cards(2, 0xFFFFFE)),
        make_full_begin(4, 0x1234, 8, SyncFormat::list, 154),
        make_full_begin(5, 0x1234, 8, SyncFormat::bitmap, 126),
        make_full_list_chunk(6, 0x1234, 77, cards(5, 10)),
        make_full_bitmap_chunk(7, 0x1234, 0, bitmap),
        make_full_commit(8, 0x1234, 0xE770A7EA),
        make_full_abort(9, 0x1234),
        make_records_ack(10, 1000),
        make_set_clock(11, 1700000000),
        Command{static_cast<Opcode>(0x0099), 12, 0, 0, 1, {0x0001}},
    };
    std::vector<Bytes> seeds;
    for (const Command& command : commands) seeds.push_back(to_bytes(encode_command(command)));
    return seeds;
}

std::vector<Bytes> state_block_seeds() {
    TerminalState state;
    state.serial = 0x00123456;
    state.capabilities = capability::bitmap_full_sync;
    state.bitmap_limit = 500000;
    state.list_capacity = 100000;
    state.next_seq = 10;
    const auto block = encode_state_block(state);
    const auto name = encode_model_name("CT-100");
    std::vector<std::uint16_t> both(block.begin(), block.end());
    both.insert(both.end(), name.begin(), name.end());
    return {to_bytes(block), to_bytes(both), to_bytes(name)};
}

std::vector<Bytes> records_window_seeds() {
    std::vector<TransactionRecord> records;
    for (std::uint32_t i = 0; i < 10; ++i) {
        records.push_back({.seq = 100 + i,
                           .card_no = 7 + i,
                           .amount_cents = i % 2 == 0 ? 1200 : -300,
                           .balance_after = 5000,
                           .time = 1700000000 + i,
                           .counter = static_cast<std::uint16_t>(i),
                           .kind = static_cast<RecordKind>(1 + i % 3)});
    }
    std::vector<Bytes> seeds;
    for (const std::size_t k : {0, 1, 3, 10}) {
        seeds.push_back(to_bytes(encode_records_window(std::span(records).first(k))));
    }
    return seeds;
}

std::vector<Bytes> entry_unpacking_seeds() {
    std::vector<Bytes> seeds;
    for (const std::uint32_t n : {1u, 2u, 3u, 77u}) {
        Bytes seed{static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)};
        const Bytes packed = to_bytes(pack_entries(cards(n, 0x123456)));
        seed.insert(seed.end(), packed.begin(), packed.end());
        seeds.push_back(seed);
    }
    return seeds;
}

std::vector<Bytes> bitmap_read_seeds() {
    return {
        build_bitmap(std::vector<std::uint32_t>{1, 2, 3}),
        build_bitmap(std::vector<std::uint32_t>{7, 8, 15, 900}),
        build_bitmap(cards(200, 1)),
    };
}

// ---- The card layout (protocol/card/): card_identity, card_value_block, card_trailer.

std::vector<Bytes> card_identity_seeds() {
    using namespace cardd::protocol::card;
    std::vector<Bytes> seeds;
    for (const Identity& identity : {
             Identity{.status = CardStatus::active, .card_no = 123456, .serial = 42, .issued = 9825, .expires = 11651},
             Identity{.status = CardStatus::closed, .card_no = 1, .serial = 1, .issued = 0, .expires = 0},
             Identity{.status = CardStatus::active,
             .card_no = 999999,
             .serial = 0xFFFFFFFF,
             .issued = 65535,
             .expires = 65535},
         }) {
        const Block block = encode_identity(identity);
        seeds.emplace_back(block.begin(), block.end());
    }
    return seeds;
}

// A value block, then the block number it is read from.
std::vector<Bytes> card_value_block_seeds() {
    using namespace cardd::protocol::card;
    const auto seed = [](const Block& block, std::uint8_t address) {
        Bytes bytes(block.begin(), block.end());
        bytes.push_back(address);
        return bytes;
    };
    return {
        seed(encode_balance(5000, 5), 5), seed(encode_counter(0, 6), 6),
        seed(encode_counter(3, 62), 62),  seed(encode_value_block(-2147483647 - 1, 9), 9),
        seed(encode_balance(5000, 5), 6),
    };
}

// Access bytes alone, and whole trailers.
std::vector<Bytes> card_trailer_seeds() {
    using namespace cardd::protocol::card;
    const auto access = [](const AccessConditions& conditions) {
        const auto bytes = encode_access_bytes(conditions);
        return Bytes(bytes.begin(), bytes.end());
    };
    const auto trailer = [](const AccessConditions& conditions) {
        const Block block = encode_trailer(Key{1, 2, 3, 4, 5, 6}, conditions, Key{7, 8, 9, 10, 11, 12});
        return Bytes(block.begin(), block.end());
    };
    return {
        access(transport_access),  access(issued_access),  access({{0b111, 0b010, 0b001, 0b110}}),
        trailer(transport_access), trailer(issued_access),
    };
}

// ---- End of the card layout seeds.

// ---- The encoder's CCID messages and ACR122U APDUs (protocol/ccid/):
// ccid_host_message, ccid_reader_message, acr122_command, acr122_response.

std::vector<Bytes> acr122_commands() {
    namespace acr = cardd::protocol::acr122;
    const card::Block data{0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                           0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F, 0x10};
    const std::vector<acr::Command> commands{
        acr::GetUid{},
        acr::LoadKey{0, card::transport_key},
        acr::Authenticate{4, card::KeyType::a, 0},
        acr::Authenticate{7, card::KeyType::b, 1},
        acr::ReadBinary{4},
        acr::UpdateBinary{5, data},
        acr::ValueOperation{5, acr::ValueOp::increment, 500},
        acr::ValueOperation{6, acr::ValueOp::decrement, -1},
        acr::ValueOperation{5, acr::ValueOp::store, 0},
        acr::ReadValue{5},
        acr::RestoreValue{5, 6},
        acr::GetFirmware{},
    };
    std::vector<Bytes> seeds;
    for (const acr::Command& command : commands) seeds.push_back(acr::encode(command));
    return seeds;
}

std::vector<Bytes> ccid_host_message_seeds() {
    namespace ccid = cardd::protocol::ccid;
    std::vector<Bytes> seeds{ccid::encode(ccid::power_on(0, 0)), ccid::encode(ccid::power_off(0, 1)),
                             ccid::encode(ccid::get_slot_status(0, 2))};
    std::uint8_t seq = 3;
    for (const Bytes& apdu : acr122_commands()) seeds.push_back(ccid::encode(ccid::xfr_block(0, seq++, apdu)));
    const Bytes firmware = cardd::protocol::acr122::encode(cardd::protocol::acr122::GetFirmware{});
    seeds.push_back(ccid::encode(ccid::escape(0, seq, firmware)));
    return seeds;
}

std::vector<Bytes> ccid_reader_message_seeds() {
    using namespace cardd::protocol::ccid;
    auto message = [](MessageType type, IccStatus icc, CommandStatus command, std::uint8_t error, Bytes data) {
        ReaderMessage m;
        m.type = type;
        m.seq = 7;
        m.icc = icc;
        m.command = command;
        m.error = error;
        m.data = std::move(data);
        return encode(m);
    };
    const Bytes atr{0x3B, 0x8F, 0x80, 0x01, 0x80, 0x4F, 0x0C, 0xA0, 0x00, 0x00,
                    0x03, 0x06, 0x03, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x6A};
    return {
        message(MessageType::data_block, IccStatus::present_active, CommandStatus::ok, 0, atr),
        message(MessageType::data_block, IccStatus::present_active, CommandStatus::ok, 0,
                {0x04, 0xA1, 0xB2, 0xC3, 0x90, 0x00}),
        message(MessageType::data_block, IccStatus::absent, CommandStatus::failed, slot_error::icc_mute, {}),
        message(MessageType::data_block, IccStatus::present_active, CommandStatus::time_extension, 1, {}),
        message(MessageType::slot_status, IccStatus::absent, CommandStatus::ok, 0, {}),
        message(MessageType::slot_status, IccStatus::present_inactive, CommandStatus::ok, 0, {}),
        message(MessageType::escape_answer, IccStatus::absent, CommandStatus::ok, 0,
                cardd::protocol::acr122::encode_firmware("ACR122U201")),
    };
}

std::vector<Bytes> acr122_response_seeds() {
    namespace acr = cardd::protocol::acr122;
    Bytes firmware_with_status = acr::encode_firmware("ACR122U201");
    firmware_with_status.insert(firmware_with_status.end(), {0x90, 0x00});
    return {
        acr::encode(acr::Response{{0x04, 0xA1, 0xB2, 0xC3}, acr::sw::ok}),
        acr::encode(acr::Response{Bytes(16, 0xA5), acr::sw::ok}),
        acr::encode(acr::Response{{0x00, 0x00, 0x01, 0xF4}, acr::sw::ok}),
        acr::encode(acr::Response{{}, acr::sw::failed}),
        acr::encode_firmware("ACR122U201"),
        firmware_with_status,
    };
}

// ---- End of the CCID and APDU seeds.

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s <seed directory>\n", argv[0]);
        return 2;
    }
    const fs::path root = argv[1];
    write_seeds(root / "command", command_seeds());
    write_seeds(root / "state_block", state_block_seeds());
    write_seeds(root / "records_window", records_window_seeds());
    write_seeds(root / "entry_unpacking", entry_unpacking_seeds());
    write_seeds(root / "bitmap_read", bitmap_read_seeds());
    write_seeds(root / "card_identity", card_identity_seeds());
    write_seeds(root / "card_value_block", card_value_block_seeds());
    write_seeds(root / "card_trailer", card_trailer_seeds());
    write_seeds(root / "ccid_host_message", ccid_host_message_seeds());
    write_seeds(root / "ccid_reader_message", ccid_reader_message_seeds());
    write_seeds(root / "acr122_command", acr122_commands());
    write_seeds(root / "acr122_response", acr122_response_seeds());
    return 0;
}
