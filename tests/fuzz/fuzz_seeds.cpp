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
#include <vector>

#include "protocol/bitmap.hpp"
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
        records.push_back({.seq = 100 + i, .card_no = 7 + i, .amount_cents = i % 2 == 0 ? 1200 : -300,
                           .balance_after = 5000, .time = 1700000000 + i, .counter = static_cast<std::uint16_t>(i),
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
    return 0;
}
