#include "tests/reliability/log_follower.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cardd::reliability {

LogFollower::LogFollower(const std::filesystem::path& file) {
    fd_ = ::open(file.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat status {};
    if (fd_ >= 0 && ::fstat(fd_, &status) == 0) offset_ = static_cast<std::uint64_t>(status.st_size);
}

LogFollower::~LogFollower() {
    if (fd_ >= 0) ::close(fd_);
}

bool LogFollower::seen(std::string_view id) {
    if (found_ || fd_ < 0) return found_;
    char buffer[16384];
    for (;;) {
        const ssize_t n = ::pread(fd_, buffer, sizeof buffer, static_cast<off_t>(offset_));
        if (n <= 0) break;
        offset_ += static_cast<std::uint64_t>(n);
        text_.append(buffer, static_cast<std::size_t>(n));
    }
    found_ = text_.find(id) != std::string::npos;
    // Only a tail as long as the id can hold the start of a later match.
    if (!found_ && text_.size() > id.size()) text_.erase(0, text_.size() - id.size());
    return found_;
}

}  // namespace cardd::reliability
