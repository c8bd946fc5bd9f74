#include "protocol/card/key_diversification.hpp"

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

#include <openssl/crypto.h>
#include <openssl/evp.h>

namespace cardd::protocol::card {

namespace {

constexpr std::size_t block_size = 16;
constexpr std::uint8_t cmac_rb = 0x87;  // RFC 4493 const_Rb for 128-bit blocks
constexpr std::uint8_t an10922_aes128_prefix = 0x01;
constexpr std::size_t an10922_input_size = 2 * block_size;

// A block derived from a key, zeroised however its scope is left.
struct SecretBlock {
    std::array<std::uint8_t, block_size> bytes{};

    SecretBlock() = default;
    SecretBlock(const SecretBlock&) = delete;
    SecretBlock& operator=(const SecretBlock&) = delete;
    ~SecretBlock() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

struct CipherContextFree {
    void operator()(EVP_CIPHER_CTX* context) const noexcept { EVP_CIPHER_CTX_free(context); }
};

// AES-128 on single blocks. CMAC is CBC-MAC with a tweaked last block, and
// doing the chaining here keeps both padding rules (RFC 4493's and AN10922's)
// in plain view; EVP_CIPHER_CTX_free cleanses the key schedule.
class Aes128 {
public:
    explicit Aes128(const AesKey& key) : context_(EVP_CIPHER_CTX_new()) {
        if (!context_) throw std::runtime_error("OpenSSL: EVP_CIPHER_CTX_new failed");
        if (EVP_EncryptInit_ex(context_.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr) != 1 ||
            EVP_CIPHER_CTX_set_padding(context_.get(), 0) != 1) {
            throw std::runtime_error("OpenSSL: AES-128-ECB initialisation failed");
        }
    }

    void encrypt_in_place(std::array<std::uint8_t, block_size>& block) {
        int written = 0;
        if (EVP_EncryptUpdate(context_.get(), block.data(), &written, block.data(), static_cast<int>(block.size())) !=
                1 ||
            written != static_cast<int>(block.size())) {
            throw std::runtime_error("OpenSSL: AES-128-ECB encryption failed");
        }
    }

private:
    std::unique_ptr<EVP_CIPHER_CTX, CipherContextFree> context_;
};

// The doubling in GF(2^128) that makes K1 from L and K2 from K1.
void double_block(const std::array<std::uint8_t, block_size>& in, std::array<std::uint8_t, block_size>& out) {
    const bool carry = (in[0] & 0x80) != 0;
    for (std::size_t i = 0; i < block_size; ++i) {
        const std::uint8_t next_bit = i + 1 < block_size ? static_cast<std::uint8_t>(in[i + 1] >> 7) : 0;
        out[i] = static_cast<std::uint8_t>(in[i] << 1 | next_bit);
    }
    if (carry) out[block_size - 1] ^= cmac_rb;
}

// CMAC over `padded` (a whole number of blocks, at least one) whose last block
// is XORed with K2 when it was padded and with K1 when it was complete. The
// callers differ only in how they pad.
AesKey cmac_of_padded(const AesKey& key, std::span<const std::uint8_t> padded, bool was_padded) {
    Aes128 aes(key);
    SecretBlock subkey;  // L, then K1, then K2 if needed
    aes.encrypt_in_place(subkey.bytes);
    {
        SecretBlock doubled;
        double_block(subkey.bytes, doubled.bytes);
        subkey.bytes = doubled.bytes;
        if (was_padded) {
            double_block(subkey.bytes, doubled.bytes);
            subkey.bytes = doubled.bytes;
        }
    }
    SecretBlock chain;  // all zeros: CBC with a zero IV
    const std::size_t blocks = padded.size() / block_size;
    for (std::size_t b = 0; b < blocks; ++b) {
        for (std::size_t i = 0; i < block_size; ++i) chain.bytes[i] ^= padded[b * block_size + i];
        if (b + 1 == blocks) {
            for (std::size_t i = 0; i < block_size; ++i) chain.bytes[i] ^= subkey.bytes[i];
        }
        aes.encrypt_in_place(chain.bytes);
    }
    AesKey mac;
    std::copy(chain.bytes.begin(), chain.bytes.end(), mac.begin());
    return mac;
}

// 0x80 then zeros up to `size` bytes.
void pad_to(std::vector<std::uint8_t>& bytes, std::size_t size) {
    bytes.push_back(0x80);
    bytes.resize(size, 0x00);
}

}  // namespace

AesKey aes_cmac(const AesKey& key, std::span<const std::uint8_t> message) {
    std::vector<std::uint8_t> padded(message.begin(), message.end());
    // RFC 4493 pads only an incomplete last block, and treats the empty
    // message as one incomplete block.
    const bool complete = !message.empty() && message.size() % block_size == 0;
    if (!complete) pad_to(padded, (message.size() / block_size + 1) * block_size);
    return cmac_of_padded(key, padded, !complete);
}

AesKey an10922_diversify(const MasterKey& master, std::span<const std::uint8_t> input) {
    if (input.empty() || input.size() >= an10922_input_size) {
        throw std::invalid_argument("AN10922 diversification input is " + std::to_string(input.size()) +
                                    " bytes, not 1..31");
    }
    std::vector<std::uint8_t> data(1 + input.size(), an10922_aes128_prefix);
    std::copy(input.begin(), input.end(), data.begin() + 1);
    // AN10922 always pads to two blocks, where plain CMAC would stop at one:
    // the two differ for inputs under 16 bytes, card keys among them.
    const bool padded = data.size() < an10922_input_size;
    if (padded) pad_to(data, an10922_input_size);
    return cmac_of_padded(master, data, padded);
}

Key card_key(const MasterKey& master, std::span<const std::uint8_t> uid, int sector, KeyType type) {
    if (uid.size() != 4 && uid.size() != 7) {
        throw std::invalid_argument("card UID is " + std::to_string(uid.size()) + " bytes, not 4 or 7");
    }
    if (sector < first_sector || sector > last_sector) {
        throw std::invalid_argument("sector " + std::to_string(sector) + " is not in 1..15");
    }
    std::vector<std::uint8_t> input(uid.begin(), uid.end());
    input.push_back(static_cast<std::uint8_t>(sector));
    input.push_back(type == KeyType::a ? 'A' : 'B');
    input.insert(input.end(), system_identifier.begin(), system_identifier.end());
    AesKey diversified = an10922_diversify(master, input);
    Key key;
    std::copy_n(diversified.begin(), key.size(), key.begin());
    OPENSSL_cleanse(diversified.data(), diversified.size());
    return key;
}

}  // namespace cardd::protocol::card
