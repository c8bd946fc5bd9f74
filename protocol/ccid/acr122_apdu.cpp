#include "protocol/ccid/acr122_apdu.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

#include "protocol/hex.hpp"

namespace cardd::protocol::acr122 {

namespace {

constexpr std::uint8_t cla = 0xFF;

namespace ins {
constexpr std::uint8_t get_data = 0xCA;
constexpr std::uint8_t load_key = 0x82;
constexpr std::uint8_t authenticate = 0x86;
constexpr std::uint8_t read_binary = 0xB0;
constexpr std::uint8_t update_binary = 0xD6;
constexpr std::uint8_t value_block = 0xD7;
constexpr std::uint8_t read_value = 0xB1;
constexpr std::uint8_t reader = 0x00;  // reader commands: P1 selects which
}  // namespace ins

constexpr std::uint8_t firmware_p1 = 0x48;
constexpr std::uint8_t authenticate_version = 0x01;
constexpr std::uint8_t restore_marker = 0x03;
constexpr std::uint8_t value_lc = 0x05;
constexpr std::uint8_t restore_lc = 0x02;

using Bytes = std::vector<std::uint8_t>;

constexpr bool printable(std::uint8_t byte) noexcept { return byte >= 0x20 && byte <= 0x7E; }

void put_be32(Bytes& out, std::int32_t value) {
    const auto bits = static_cast<std::uint32_t>(value);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(bits >> shift));
}

std::int32_t get_be32(std::span<const std::uint8_t> in) {
    std::uint32_t bits = 0;
    for (std::size_t i = 0; i < 4; ++i) bits = bits << 8 | in[i];
    return static_cast<std::int32_t>(bits);
}

// The strict reading of the five header bytes, shared by every instruction.
// P3 is Le for commands that only answer and Lc for those that carry data;
// either way each instruction takes one fixed value, and another one is
// length_mismatch. Bytes beyond the data are too_long, fewer are truncated.
// Messages name the instruction and never echo the data, which may be a key.
class Apdu {
public:
    explicit Apdu(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}

    std::uint8_t ins() const noexcept { return bytes_[1]; }
    std::uint8_t p1() const noexcept { return bytes_[2]; }
    std::uint8_t p2() const noexcept { return bytes_[3]; }

    std::expected<void, DecodeError> expect_p1(const char* name, std::uint8_t want) const {
        if (p1() == want) return {};
        return decode_fail(DecodeErrc::bad_value, std::string(name) + " takes P1 " + hex(want) + ", got " + hex(p1()));
    }
    std::expected<void, DecodeError> expect_p2(const char* name, std::uint8_t want) const {
        if (p2() == want) return {};
        return decode_fail(DecodeErrc::bad_value, std::string(name) + " takes P2 " + hex(want) + ", got " + hex(p2()));
    }

    /// A command that sends no data and expects `le` bytes back.
    std::expected<void, DecodeError> expect_le(const char* name, std::uint8_t le) const {
        if (bytes_[4] != le) {
            return decode_fail(DecodeErrc::length_mismatch,
                               std::string(name) + " takes Le " + hex(le) + ", got " + hex(bytes_[4]));
        }
        if (bytes_.size() > 5) {
            return decode_fail(DecodeErrc::too_long, std::string(name) + " carries no data, got " +
                                                         std::to_string(bytes_.size() - 5) + " bytes after Le");
        }
        return {};
    }

    /// A command that sends `lc` bytes of data; answers them.
    Decoded<std::span<const std::uint8_t>> data(const char* name, std::uint8_t lc) const {
        if (bytes_[4] != lc) {
            return decode_fail(DecodeErrc::length_mismatch,
                               std::string(name) + " takes Lc " + hex(lc) + ", got " + hex(bytes_[4]));
        }
        const std::size_t have = bytes_.size() - 5;
        if (have < lc) {
            return decode_fail(DecodeErrc::truncated, std::string(name) + " needs " + std::to_string(lc) +
                                                          " data bytes, got " + std::to_string(have));
        }
        if (have > lc) {
            return decode_fail(DecodeErrc::too_long, std::string(name) + " has " + std::to_string(have - lc) +
                                                         " bytes after its " + std::to_string(lc) + " data bytes");
        }
        return bytes_.subspan(5);
    }

private:
    std::span<const std::uint8_t> bytes_;
};

// Returns the error of a failed check from the decoder that made it.
#define CARDD_APDU_CHECK(expr)                                 \
    do {                                                       \
        if (auto check_ = (expr); !check_) {                   \
            return std::unexpected(std::move(check_.error())); \
        }                                                      \
    } while (false)

std::expected<void, DecodeError> expect_slot(const char* name, std::uint8_t slot) {
    if (slot < key_slots) return {};
    return decode_fail(DecodeErrc::bad_value, std::string(name) + " names key slot " + hex(slot) + "; the reader has " +
                                                  std::to_string(key_slots));
}

Decoded<Command> decode_authenticate(const Apdu& apdu) {
    const char* name = "General Authenticate";
    CARDD_APDU_CHECK(apdu.expect_p1(name, 0x00));
    CARDD_APDU_CHECK(apdu.expect_p2(name, 0x00));
    const auto data = apdu.data(name, 0x05);
    if (!data) return std::unexpected(data.error());
    const auto& d = *data;
    if (d[0] != authenticate_version) {
        return decode_fail(DecodeErrc::bad_value, std::string(name) + " data version is " + hex(d[0]) + ", not 0x01");
    }
    if (d[1] != 0x00) {
        return decode_fail(DecodeErrc::bad_value,
                           std::string(name) + " block MSB is " + hex(d[1]) + "; MIFARE Classic blocks fit one byte");
    }
    if (d[3] != static_cast<std::uint8_t>(KeyType::a) && d[3] != static_cast<std::uint8_t>(KeyType::b)) {
        return decode_fail(DecodeErrc::bad_value,
                           std::string(name) + " key type is " + hex(d[3]) + ", not 0x60 (A) or 0x61 (B)");
    }
    CARDD_APDU_CHECK(expect_slot(name, d[4]));
    return Authenticate{d[2], static_cast<KeyType>(d[3]), d[4]};
}

// FF D7 carries two commands told apart by Lc: a value operation (5 bytes)
// and a restore (2 bytes).
Decoded<Command> decode_value_block(const Apdu& apdu, std::span<const std::uint8_t> bytes) {
    CARDD_APDU_CHECK(apdu.expect_p1("Value Block Operation", 0x00));
    if (bytes[4] == restore_lc) {
        const auto data = apdu.data("Restore Value Block", restore_lc);
        if (!data) return std::unexpected(data.error());
        if ((*data)[0] != restore_marker) {
            return decode_fail(DecodeErrc::bad_value,
                               "Restore Value Block data starts with " + hex((*data)[0]) + ", not 0x03");
        }
        return RestoreValue{apdu.p2(), (*data)[1]};
    }
    const auto data = apdu.data("Value Block Operation", value_lc);
    if (!data) return std::unexpected(data.error());
    const std::uint8_t op = (*data)[0];
    if (op > static_cast<std::uint8_t>(ValueOp::decrement)) {
        return decode_fail(DecodeErrc::bad_value, "Value Block Operation " + hex(op) + " is not 0x00, 0x01 or 0x02");
    }
    return ValueOperation{apdu.p2(), static_cast<ValueOp>(op), get_be32(data->subspan(1))};
}

Bytes header(std::uint8_t instruction, std::uint8_t p1, std::uint8_t p2, std::uint8_t p3) {
    return {cla, instruction, p1, p2, p3};
}

}  // namespace

// Fields are written as given (a key slot of 5 included), so tests and the
// simulated reader can send what a real reader would refuse.
std::vector<std::uint8_t> encode(const Command& command) {
    return std::visit(
        [](const auto& c) -> Bytes {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, GetUid>) {
                return header(ins::get_data, 0x00, 0x00, 0x00);
            } else if constexpr (std::is_same_v<T, LoadKey>) {
                auto out = header(ins::load_key, 0x00, c.slot, static_cast<std::uint8_t>(c.key.size()));
                out.insert(out.end(), c.key.begin(), c.key.end());
                return out;
            } else if constexpr (std::is_same_v<T, Authenticate>) {
                auto out = header(ins::authenticate, 0x00, 0x00, 0x05);
                out.insert(out.end(), {authenticate_version, 0x00, c.block, static_cast<std::uint8_t>(c.type), c.slot});
                return out;
            } else if constexpr (std::is_same_v<T, ReadBinary>) {
                return header(ins::read_binary, 0x00, c.block, 0x10);
            } else if constexpr (std::is_same_v<T, UpdateBinary>) {
                auto out = header(ins::update_binary, 0x00, c.block, static_cast<std::uint8_t>(c.data.size()));
                out.insert(out.end(), c.data.begin(), c.data.end());
                return out;
            } else if constexpr (std::is_same_v<T, ValueOperation>) {
                auto out = header(ins::value_block, 0x00, c.block, value_lc);
                out.push_back(static_cast<std::uint8_t>(c.op));
                put_be32(out, c.value);
                return out;
            } else if constexpr (std::is_same_v<T, ReadValue>) {
                return header(ins::read_value, 0x00, c.block, 0x04);
            } else if constexpr (std::is_same_v<T, RestoreValue>) {
                auto out = header(ins::value_block, 0x00, c.source, restore_lc);
                out.insert(out.end(), {restore_marker, c.target});
                return out;
            } else {
                static_assert(std::is_same_v<T, GetFirmware>);
                return header(ins::reader, firmware_p1, 0x00, 0x00);
            }
        },
        command);
}

Decoded<Command> decode_command(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 5) {
        return decode_fail(DecodeErrc::truncated, "an APDU needs CLA INS P1 P2 and a length byte, got " +
                                                      std::to_string(bytes.size()) + " bytes");
    }
    if (bytes[0] != cla) {
        return decode_fail(DecodeErrc::bad_value,
                           "class " + hex(bytes[0]) + " is not the reader's pseudo-APDU class 0xFF");
    }
    const Apdu apdu(bytes);
    switch (apdu.ins()) {
        case ins::get_data: {
            // P1 01 would ask for the ATS, which MIFARE Classic does not have.
            CARDD_APDU_CHECK(apdu.expect_p1("Get Data", 0x00));
            CARDD_APDU_CHECK(apdu.expect_p2("Get Data", 0x00));
            CARDD_APDU_CHECK(apdu.expect_le("Get Data", 0x00));
            return GetUid{};
        }
        case ins::load_key: {
            // P1 00: the volatile key store, the only one the ACR122U has.
            CARDD_APDU_CHECK(apdu.expect_p1("Load Authentication Keys", 0x00));
            CARDD_APDU_CHECK(expect_slot("Load Authentication Keys", apdu.p2()));
            const auto data = apdu.data("Load Authentication Keys", 0x06);
            if (!data) return std::unexpected(data.error());
            LoadKey load{apdu.p2(), {}};
            std::copy(data->begin(), data->end(), load.key.begin());
            return load;
        }
        case ins::authenticate: return decode_authenticate(apdu);
        case ins::read_binary: {
            CARDD_APDU_CHECK(apdu.expect_p1("Read Binary", 0x00));
            CARDD_APDU_CHECK(apdu.expect_le("Read Binary", 0x10));
            return ReadBinary{apdu.p2()};
        }
        case ins::update_binary: {
            CARDD_APDU_CHECK(apdu.expect_p1("Update Binary", 0x00));
            const auto data = apdu.data("Update Binary", 0x10);
            if (!data) return std::unexpected(data.error());
            UpdateBinary update{apdu.p2(), {}};
            std::copy(data->begin(), data->end(), update.data.begin());
            return update;
        }
        case ins::value_block: return decode_value_block(apdu, bytes);
        case ins::read_value: {
            CARDD_APDU_CHECK(apdu.expect_p1("Read Value Block", 0x00));
            CARDD_APDU_CHECK(apdu.expect_le("Read Value Block", 0x04));
            return ReadValue{apdu.p2()};
        }
        case ins::reader: {
            CARDD_APDU_CHECK(apdu.expect_p1("Get Firmware Version", firmware_p1));
            CARDD_APDU_CHECK(apdu.expect_p2("Get Firmware Version", 0x00));
            CARDD_APDU_CHECK(apdu.expect_le("Get Firmware Version", 0x00));
            return GetFirmware{};
        }
        default:
            return decode_fail(DecodeErrc::bad_value,
                               "instruction " + hex(apdu.ins()) + " is not one the reader knows");
    }
}

std::vector<std::uint8_t> encode(const Response& response) {
    Bytes out(response.data.begin(), response.data.end());
    out.push_back(static_cast<std::uint8_t>(response.status >> 8));
    out.push_back(static_cast<std::uint8_t>(response.status & 0xFF));
    return out;
}

Decoded<Response> decode_response(std::span<const std::uint8_t> bytes) {
    if (bytes.size() < 2) {
        return decode_fail(DecodeErrc::truncated,
                           "an answer needs SW1 SW2, got " + std::to_string(bytes.size()) + " bytes");
    }
    const std::size_t n = bytes.size() - 2;
    Response response;
    response.data.assign(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    response.status = static_cast<std::uint16_t>(bytes[n] << 8 | bytes[n + 1]);
    return response;
}

Decoded<std::int32_t> decode_value(const Response& response) {
    if (response.data.size() != 4) {
        return decode_fail(DecodeErrc::length_mismatch,
                           "a value answer has 4 bytes, got " + std::to_string(response.data.size()));
    }
    return get_be32(response.data);
}

Decoded<std::string> decode_firmware(std::span<const std::uint8_t> answer) {
    if (answer.size() >= 2 && answer[answer.size() - 2] == 0x90 && answer[answer.size() - 1] == 0x00) {
        answer = answer.first(answer.size() - 2);
    }
    if (answer.empty()) return decode_fail(DecodeErrc::truncated, "the firmware answer is empty");
    std::string firmware;
    for (std::size_t i = 0; i < answer.size(); ++i) {
        if (!printable(answer[i])) {
            return decode_fail(DecodeErrc::bad_value, "firmware byte " + std::to_string(i) + " is " + hex(answer[i]) +
                                                          ", not printable ASCII");
        }
        firmware += static_cast<char>(answer[i]);
    }
    return firmware;
}

std::vector<std::uint8_t> encode_firmware(std::string_view firmware) {
    if (firmware.empty()) throw std::invalid_argument("empty firmware string");
    Bytes out;
    for (const char c : firmware) {
        const auto byte = static_cast<std::uint8_t>(c);
        if (!printable(byte)) throw std::invalid_argument("firmware string is not printable ASCII");
        out.push_back(byte);
    }
    return out;
}

#undef CARDD_APDU_CHECK

}  // namespace cardd::protocol::acr122
