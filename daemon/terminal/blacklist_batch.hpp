#pragma once
// One blacklist change for a terminal as the driver sends it: a delta (add or
// remove some cards, base version -> new version) or a full list. The caller
// has made it durable before handing it over.

#include <cstdint>
#include <string_view>
#include <vector>

namespace cardd::daemon {

enum class BatchOp { add, remove, full };

/// "add", "remove" or "full".
constexpr std::string_view to_string(BatchOp op) noexcept {
    switch (op) {
        case BatchOp::add: return "add";
        case BatchOp::remove: return "remove";
        case BatchOp::full: return "full";
    }
    return "unknown";
}

/// A full batch carries the whole set; its base version is meaningless.
struct BlacklistBatch {
    BatchOp op = BatchOp::add;
    std::int64_t base_version = 0;
    std::int64_t new_version = 0;
    /// Card numbers as CT-1 carries them (1..0xFFFFFF); 0 stands for one it cannot carry.
    std::vector<std::uint32_t> cards;
};

}  // namespace cardd::daemon
