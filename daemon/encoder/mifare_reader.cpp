#include "daemon/encoder/mifare_reader.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "protocol/ccid/acr122_apdu.hpp"
#include "protocol/hex.hpp"

namespace cardd::encoder {

namespace acr122 = protocol::acr122;

namespace {

// The reader slot the driver loads keys into; one is enough because every
// authentication loads its key right before.
constexpr std::uint8_t key_slot = 0;

std::string status_text(std::uint16_t status) {
    const std::uint8_t bytes[] = {static_cast<std::uint8_t>(status >> 8), static_cast<std::uint8_t>(status & 0xFF)};
    return protocol::hex_bytes(bytes, " ");
}

std::string block_text(std::uint8_t block) { return "block " + std::to_string(block); }

// Error texts name the operation and the block, never the APDU: a Load Key
// APDU carries the key.
Result<acr122::Response> send(CcidReader& ccid, const acr122::Command& command, const std::string& what) {
    auto bytes = ccid.transmit(acr122::encode(command));
    if (!bytes) return std::unexpected(std::move(bytes.error()));
    auto response = acr122::decode_response(*bytes);
    if (!response) return fail(Errc::garbled, "malformed answer to " + what + ": " + response.error().message);
    return std::move(*response);
}

Error refused(const std::string& what, std::uint16_t status) {
    return {Errc::card_failed, "the reader answered " + status_text(status) + " to " + what};
}

// 63 00 is the reader's one word for "the card did not do it": a refused key
// or access, but also a card that left before answering. The slot tells
// which, so a pulled card is not reported as a wrong key or a permission
// problem. Other status words are the reader refusing the command itself.
Result<void> check(CcidReader& ccid, const acr122::Response& response, const std::string& what, Errc when_refused) {
    if (response.ok()) return {};
    if (response.status != acr122::sw::failed) return std::unexpected(refused(what, response.status));
    auto present = ccid.card_present();
    if (!present) return std::unexpected(std::move(present.error()));
    if (!*present) return fail(Errc::card_removed, "the card left the reader during " + what);
    if (when_refused == Errc::card_failed) return std::unexpected(refused(what, response.status));
    return fail(when_refused, "the card refused " + what);
}

// Commands that answer nothing but a status word.
Result<void> run(CcidReader& ccid, const acr122::Command& command, const std::string& what, Errc when_refused) {
    auto response = send(ccid, command, what);
    if (!response) return std::unexpected(std::move(response.error()));
    if (auto checked = check(ccid, *response, what, when_refused); !checked) return checked;
    if (!response->data.empty()) {
        return fail(Errc::garbled, "the answer to " + what + " carries " + std::to_string(response->data.size()) +
                                       " unexpected data bytes");
    }
    return {};
}

const char* key_name(protocol::card::KeyType type) noexcept {
    return type == protocol::card::KeyType::a ? "key A" : "key B";
}

}  // namespace

Result<std::string> MifareReader::firmware() {
    auto answer = ccid_.escape(acr122::encode(acr122::GetFirmware{}));
    if (!answer) return std::unexpected(std::move(answer.error()));
    auto text = acr122::decode_firmware(*answer);
    if (!text) return fail(Errc::garbled, "malformed firmware answer: " + text.error().message);
    return std::move(*text);
}

Result<bool> MifareReader::card_present() { return ccid_.card_present(); }

Result<std::vector<std::uint8_t>> MifareReader::uid() {
    // A card placed after the powered one left needs a new power-up; one
    // retry covers that without hiding a card that keeps vanishing.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (!ccid_.powered()) {
            if (auto atr = ccid_.power_on(); !atr) return std::unexpected(std::move(atr.error()));
        }
        auto response = send(ccid_, acr122::GetUid{}, "Get UID");
        if (!response) {
            if (response.error().code == Errc::card_removed && attempt == 0) continue;
            return std::unexpected(std::move(response.error()));
        }
        if (auto checked = check(ccid_, *response, "Get UID", Errc::card_failed); !checked) {
            return std::unexpected(std::move(checked.error()));
        }
        const std::size_t size = response->data.size();
        if (size != 4 && size != 7 && size != 10) {
            return fail(Errc::garbled, "a UID has 4, 7 or 10 bytes, the reader answered " + std::to_string(size));
        }
        return std::move(response->data);
    }
    return fail(Errc::card_removed, "the card left the reader");
}

Result<void> MifareReader::authenticate(std::uint8_t block, protocol::card::KeyType type,
                                        const protocol::card::Key& key) {
    // The reader only refuses a load for a bad slot or length, never for the
    // key itself, so any refusal is the reader's.
    if (auto loaded = run(ccid_, acr122::LoadKey{key_slot, key}, "Load Authentication Keys", Errc::card_failed);
        !loaded) {
        return loaded;
    }
    return run(ccid_, acr122::Authenticate{block, type, key_slot},
               std::string("authentication with ") + key_name(type) + " for " + block_text(block), Errc::auth_failed);
}

Result<protocol::card::Block> MifareReader::read_block(std::uint8_t block) {
    const std::string what = "reading " + block_text(block);
    auto response = send(ccid_, acr122::ReadBinary{block}, what);
    if (!response) return std::unexpected(std::move(response.error()));
    if (auto checked = check(ccid_, *response, what, Errc::not_permitted); !checked) {
        return std::unexpected(std::move(checked.error()));
    }
    protocol::card::Block data{};
    if (response->data.size() != data.size()) {
        return fail(Errc::garbled, "the reader answered " + std::to_string(response->data.size()) + " bytes for " +
                                       block_text(block) + ", not 16");
    }
    std::copy(response->data.begin(), response->data.end(), data.begin());
    return data;
}

Result<void> MifareReader::write_block(std::uint8_t block, const protocol::card::Block& data) {
    return run(ccid_, acr122::UpdateBinary{block, data}, "writing " + block_text(block), Errc::not_permitted);
}

Result<void> MifareReader::increment(std::uint8_t block, std::int32_t amount) {
    return run(ccid_, acr122::ValueOperation{block, acr122::ValueOp::increment, amount},
               "incrementing " + block_text(block), Errc::not_permitted);
}

Result<void> MifareReader::decrement(std::uint8_t block, std::int32_t amount) {
    return run(ccid_, acr122::ValueOperation{block, acr122::ValueOp::decrement, amount},
               "decrementing " + block_text(block), Errc::not_permitted);
}

Result<std::int32_t> MifareReader::read_value(std::uint8_t block) {
    const std::string what = "reading the value of " + block_text(block);
    auto response = send(ccid_, acr122::ReadValue{block}, what);
    if (!response) return std::unexpected(std::move(response.error()));
    if (auto checked = check(ccid_, *response, what, Errc::not_permitted); !checked) {
        return std::unexpected(std::move(checked.error()));
    }
    auto value = acr122::decode_value(*response);
    if (!value) return fail(Errc::garbled, "malformed answer to " + what + ": " + value.error().message);
    return *value;
}

}  // namespace cardd::encoder
