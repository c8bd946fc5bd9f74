#include "daemon/encoder/sim/shelf_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace cardd::encoder::sim {

namespace {

/// Closes the descriptor on every path out.
class Fd {
public:
    explicit Fd(int fd) noexcept : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }

private:
    int fd_;
};

std::unexpected<Error> system_failure(const std::string& what, const std::filesystem::path& path) {
    return fail(Errc::storage, what + " " + path.string() + ": " + std::strerror(errno));
}

Result<void> write_all(int fd, std::string_view data, const std::filesystem::path& path) {
    while (!data.empty()) {
        const ssize_t written = ::write(fd, data.data(), data.size());
        if (written < 0) {
            if (errno == EINTR) continue;
            return system_failure("cannot write the card file", path);
        }
        data.remove_prefix(static_cast<std::size_t>(written));
    }
    return {};
}

Result<void> write_synced(const std::filesystem::path& path, std::string_view text) {
    const Fd out(::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!out) return system_failure("cannot create the card file", path);
    // The umask can only narrow the mode of a new file, and a temporary left
    // behind by a crash keeps the mode it had: set it exactly, for the file
    // holds the card keys.
    if (::fchmod(out.get(), 0600) != 0) return system_failure("cannot set the mode of the card file", path);
    if (auto written = write_all(out.get(), text, path); !written) return written;
    if (::fsync(out.get()) != 0) return system_failure("cannot sync the card file", path);
    return {};
}

}  // namespace

Result<std::optional<std::string>> ShelfFile::load() const {
    const Fd in(::open(path_.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) {
        if (errno == ENOENT) return std::optional<std::string>{};
        return system_failure("cannot open the card file", path_);
    }
    std::string text;
    char buffer[16384];
    for (;;) {
        const ssize_t got = ::read(in.get(), buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) continue;
            return system_failure("cannot read the card file", path_);
        }
        if (got == 0) break;
        text.append(buffer, static_cast<std::size_t>(got));
    }
    return text;
}

Result<void> ShelfFile::store(std::string_view text) const {
    // A temporary left behind by a failure is never read, and the next store
    // truncates it.
    const std::filesystem::path temporary = path_.string() + ".new";
    if (auto written = write_synced(temporary, text); !written) return written;
    if (::rename(temporary.c_str(), path_.c_str()) != 0) {
        return system_failure("cannot rename " + temporary.string() + " over", path_);
    }
    // Until the directory is synced the rename may be lost in a power cut,
    // and the write it carries with it.
    const std::filesystem::path directory = path_.has_parent_path() ? path_.parent_path() : ".";
    const Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir || ::fsync(dir.get()) != 0) return system_failure("cannot sync the directory of the card file", path_);
    return {};
}

}  // namespace cardd::encoder::sim
