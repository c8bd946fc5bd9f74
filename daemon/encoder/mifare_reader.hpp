#pragma once
// MIFARE Classic operations through an ACR122U-class reader: the pseudo-APDUs
// of protocol/ccid/acr122_apdu.hpp over a CcidReader, with the status words
// turned into Error values.

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/encoder/ccid_reader.hpp"
#include "daemon/encoder/encoder_error.hpp"
#include "protocol/card/access_bits.hpp"
#include "protocol/card/card_layout.hpp"

namespace cardd::encoder {

class MifareReader {
public:
    explicit MifareReader(CcidReader& ccid) : ccid_(ccid) {}

    /// The reader's firmware string (ACR122U: "ACR122U2xx").
    Result<std::string> firmware();
    Result<bool> card_present();

    /// Powers the card up (if needed) and answers its UID (4 or 7 bytes).
    Result<std::vector<std::uint8_t>> uid();

    /// Loads `key` into the reader's slot 0 and authenticates `block`'s
    /// sector with it. auth_failed when the card refuses the key.
    Result<void> authenticate(std::uint8_t block, protocol::card::KeyType type, const protocol::card::Key& key);

    Result<protocol::card::Block> read_block(std::uint8_t block);
    Result<void> write_block(std::uint8_t block, const protocol::card::Block& data);
    Result<void> increment(std::uint8_t block, std::int32_t amount);
    Result<void> decrement(std::uint8_t block, std::int32_t amount);
    Result<std::int32_t> read_value(std::uint8_t block);

private:
    CcidReader& ccid_;
};

}  // namespace cardd::encoder
