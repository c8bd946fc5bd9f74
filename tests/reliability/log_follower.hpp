#pragma once
// Following cardd's log as it is written, to kill it the moment it logs a
// message id (CARDD_CARD_INTENT_OPENED: a card write is about to start).

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace cardd::reliability {

class LogFollower {
public:
    /// Follows `file` from its present end.
    explicit LogFollower(const std::filesystem::path& file);
    ~LogFollower();
    LogFollower(const LogFollower&) = delete;
    LogFollower& operator=(const LogFollower&) = delete;

    /// Reads what was appended since, without waiting: true once `id` has
    /// appeared in it.
    bool seen(std::string_view id);

private:
    int fd_ = -1;
    std::uint64_t offset_ = 0;
    std::string text_;
    bool found_ = false;
};

}  // namespace cardd::reliability
