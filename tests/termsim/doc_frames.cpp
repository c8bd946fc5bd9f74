#include "tests/termsim/doc_frames.hpp"

#include "protocol/checksum.hpp"
#include "protocol/command.hpp"
#include "protocol/hex.hpp"
#include "protocol/registers.hpp"
#include "tools/termsim/mbap_framer.hpp"
#include "tools/termsim/pdu.hpp"
#include "tools/termsim/rtu_framer.hpp"
#include "tools/termsim/terminal.hpp"

namespace cardd::termsim::test {

namespace p = cardd::protocol;
using Bytes = std::vector<std::uint8_t>;

namespace {

class Scenario {
public:
    Scenario() : terminal_(config(), [] { return std::int64_t{1'700'000'000}; }) {}

    /// The example of one command: sent with 0x17 (write the mailbox, read
    /// status and tag back), over TCP and over RTU (unit 1).
    void command(const std::string& name, const p::Command& command) {
        Bytes pdu{p::modbus::fc_read_write_multiple_registers};
        put(pdu, p::state::last_status.address);
        put(pdu, 2);
        put(pdu, p::mailbox::block.address);
        const auto regs = p::encode_command(command);
        put(pdu, static_cast<std::uint16_t>(regs.size()));
        pdu.push_back(static_cast<std::uint8_t>(2 * regs.size()));
        for (const std::uint16_t r : regs) put(pdu, r);
        exchange(name, pdu);
    }

    /// A request PDU and its answer, over TCP and RTU. The terminal runs it
    /// once; the RTU frames carry the same PDUs.
    void exchange(const std::string& name, const Bytes& pdu) {
        const Bytes answer = answer_pdu(terminal_, pdu);
        ++transaction_;
        frames_.push_back({name + ".tcp.request", mbap_frame(transaction_, 1, pdu)});
        frames_.push_back({name + ".tcp.response", mbap_frame(transaction_, 1, answer)});
        frames_.push_back({name + ".rtu.request", rtu_frame(1, pdu)});
        frames_.push_back({name + ".rtu.response", rtu_frame(1, answer)});
    }

    Terminal& terminal() { return terminal_; }
    std::vector<DocFrame> take() { return std::move(frames_); }

    static void put(Bytes& out, std::uint16_t value) {
        out.push_back(static_cast<std::uint8_t>(value >> 8));
        out.push_back(static_cast<std::uint8_t>(value & 0xFF));
    }

private:
    static TerminalConfig config() {
        TerminalConfig c;
        c.serial = 7;
        c.capacity = 100;
        c.bitmap_limit = 500000;
        return c;
    }

    Terminal terminal_;
    std::uint16_t transaction_ = 0;
    std::vector<DocFrame> frames_;
};

}  // namespace

std::vector<DocFrame> doc_frames() {
    Scenario s;
    using Cards = std::vector<std::uint32_t>;
    s.command("add", p::make_add(0x0001, 0, 1, Cards{1001, 500000}));
    s.command("remove", p::make_remove(0x0002, 1, 2, Cards{500000}));
    s.command("full_begin", p::make_full_begin(0x0003, 0x0101, 3, p::SyncFormat::list, 2));
    s.command("full_list_chunk", p::make_full_list_chunk(0x0004, 0x0101, 0, Cards{1001, 42}));
    s.command("full_commit", p::make_full_commit(0x0005, 0x0101, p::list_crc(Cards{1001, 42})));
    s.command("full_begin_bitmap", p::make_full_begin(0x0006, 0x0102, 4, p::SyncFormat::bitmap, 2));
    // Cards 3 and 9: byte 0 bit 0x10, byte 1 bit 0x40.
    const Bytes bitmap{0x10, 0x40};
    s.command("full_bitmap_chunk", p::make_full_bitmap_chunk(0x0007, 0x0102, 0, bitmap));
    s.command("full_abort", p::make_full_abort(0x0008, 0x0102));
    (void)s.terminal().tap(3, 250, 1750, 9);
    (void)s.terminal().tap(5, -100, 600, 2);
    // Records: write the cursor (1) and read k and two records from 0x0202.
    Bytes window{p::modbus::fc_read_write_multiple_registers};
    Scenario::put(window, p::records::count.address);
    Scenario::put(window, 25);
    Scenario::put(window, p::records::cursor.address);
    Scenario::put(window, 2);
    window.push_back(4);
    Scenario::put(window, 0);
    Scenario::put(window, 1);
    s.exchange("records_window", window);
    s.command("records_ack", p::make_records_ack(0x0009, 3));
    s.command("set_clock", p::make_set_clock(0x000A, 1'767'225'600));
    s.command("unknown_opcode", p::Command{static_cast<p::Opcode>(0x0030), 0x000B, 0, 0, 0, {}});
    s.exchange("read_state_block", Bytes{0x03, 0x00, 0x00, 0x00, 0x20});
    s.exchange("exception_illegal_function", Bytes{0x04, 0x00, 0x00, 0x00, 0x01});
    s.exchange("exception_illegal_address", Bytes{0x03, 0x00, 0x28, 0x00, 0x01});
    s.exchange("exception_short_mailbox",
               Bytes{0x10, 0x01, 0x00, 0x00, 0x03, 0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00});
    return s.take();
}

std::string hex(const std::vector<std::uint8_t>& bytes) { return protocol::hex_bytes(bytes, " "); }

}  // namespace cardd::termsim::test
