#pragma once
// A MIFARE Classic 1K card in memory, as strict as a real one: 16 sectors of
// 4 blocks, authentication per sector with key A or B checked against the
// trailer, access bits checked on every read, write and value operation,
// value blocks validated before increment and decrement, the manufacturer
// block read-only.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "protocol/card/access_bits.hpp"
#include "protocol/card/card_layout.hpp"

namespace cardd::encoder::sim {

using protocol::card::Block;
using protocol::card::Key;
using protocol::card::KeyType;

enum class CardOutcome {
    ok,
    auth_failed,        ///< wrong key (the card drops its authentication)
    not_authenticated,  ///< no authentication, or one for another sector
    not_permitted,      ///< access bits forbid it
    not_value_block,
    bad_block,  ///< block number beyond 63
};

class VirtualCard {
public:
    /// A blank card: transport keys and access bits, data blocks zero, the
    /// manufacturer block built from `uid` (4 or 7 bytes). Throws
    /// std::invalid_argument for a UID of another length.
    explicit VirtualCard(std::vector<std::uint8_t> uid);

    const std::vector<std::uint8_t>& uid() const noexcept { return uid_; }

    CardOutcome authenticate(std::uint8_t block, KeyType type, const Key& key);
    /// Drops the authentication (the card left the field, or was powered down).
    void halt() noexcept { session_.reset(); }

    CardOutcome read(std::uint8_t block, Block& out) const;
    CardOutcome write(std::uint8_t block, const Block& data);
    /// Increment or decrement then transfer to the same block.
    CardOutcome increment(std::uint8_t block, std::int32_t amount);
    CardOutcome decrement(std::uint8_t block, std::int32_t amount);
    /// Restore `source` then transfer to `target` (same sector).
    CardOutcome restore(std::uint8_t source, std::uint8_t target);
    /// read, then the value of a value block (the reader's Read Value Block).
    CardOutcome read_value(std::uint8_t block, std::int32_t& out) const;

    /// The raw memory, keys included, for tests and the shelf file.
    const std::array<Block, 64>& memory() const noexcept { return memory_; }
    static std::optional<VirtualCard> from_memory(std::vector<std::uint8_t> uid, const std::array<Block, 64>& memory);
    /// Why from_memory would refuse `memory` (UID length, block 0, a sector
    /// trailer), or nothing when it would take it. Never quotes the bytes.
    static std::optional<std::string> memory_problem(const std::vector<std::uint8_t>& uid,
                                                     const std::array<Block, 64>& memory);

private:
    struct Session {
        int sector;
        KeyType key;
    };

    /// bad_block, not_authenticated or ok: `block` exists and the session is for its sector.
    CardOutcome check_session(std::uint8_t block) const;
    std::optional<protocol::card::AccessConditions> conditions(int sector) const;
    CardOutcome write_trailer(std::uint8_t block, const Block& data);
    CardOutcome change_value(std::uint8_t block, std::int64_t delta, protocol::card::Operation operation);

    std::vector<std::uint8_t> uid_;
    std::array<Block, 64> memory_{};
    std::optional<Session> session_;
};

}  // namespace cardd::encoder::sim
