#include "daemon/encoder/sim/shelf_directory.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

namespace cardd::encoder::sim {

namespace {

namespace fs = std::filesystem;

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

std::unexpected<Error> system_failure(const std::string& what, const fs::path& path) {
    return fail(Errc::storage, what + " " + path.string() + ": " + std::strerror(errno));
}

fs::path parent_of(const fs::path& path) { return path.has_parent_path() ? path.parent_path() : fs::path("."); }

// Until a directory is synced, a rename, create or unlink in it may be lost
// in a power cut, and the write a rename carries with it.
Result<void> sync_directory(const fs::path& directory) {
    const Fd dir(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir || ::fsync(dir.get()) != 0) return system_failure("cannot sync the directory", directory);
    return {};
}

Result<void> write_all(int fd, std::string_view data, const fs::path& path) {
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

Result<void> write_synced(const fs::path& path, std::string_view text) {
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

Result<std::optional<std::string>> read_if_exists(const fs::path& path) {
    const Fd in(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!in) {
        if (errno == ENOENT) return std::optional<std::string>{};
        return system_failure("cannot open the card file", path);
    }
    std::string text;
    char buffer[16384];
    for (;;) {
        const ssize_t got = ::read(in.get(), buffer, sizeof buffer);
        if (got < 0) {
            if (errno == EINTR) continue;
            return system_failure("cannot read the card file", path);
        }
        if (got == 0) break;
        text.append(buffer, static_cast<std::size_t>(got));
    }
    return text;
}

Result<void> unlink_if_exists(const fs::path& path) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) return system_failure("cannot remove", path);
    return {};
}

// A temporary is never read, so one that cannot go (a read-only disk) is
// left for a later load: it must not keep the cards from being read.
void remove_temporary(const fs::path& path) {
    struct stat info {};
    if (::lstat(path.c_str(), &info) == 0) ::unlink(path.c_str());
}

// Made 0700 exactly (a umask such as 0277 would narrow it further), and the
// parent synced so that the directory itself outlives a power cut.
Result<void> make_directory(const fs::path& directory) {
    if (::mkdir(directory.c_str(), 0700) != 0) {
        if (errno == EEXIST) return {};
        return system_failure("cannot make the card directory", directory);
    }
    if (::chmod(directory.c_str(), 0700) != 0) return system_failure("cannot set the mode of", directory);
    return sync_directory(parent_of(directory));
}

}  // namespace

Result<std::map<std::string, std::string>> ShelfDirectory::load() const {
    std::map<std::string, std::string> files;
    const std::unique_ptr<DIR, int (*)(DIR*)> dir(::opendir(directory_.c_str()), ::closedir);
    if (!dir) {
        if (errno == ENOENT) return files;
        return system_failure("cannot open the card directory", directory_);
    }
    // Whoever made it, it holds card keys.
    struct stat info {};
    if (::fstat(::dirfd(dir.get()), &info) != 0) return system_failure("cannot look at", directory_);
    if ((info.st_mode & 07777) != 0700 && ::fchmod(::dirfd(dir.get()), 0700) != 0) {
        return system_failure("cannot set the mode of", directory_);
    }
    for (;;) {
        errno = 0;
        const dirent* entry = ::readdir(dir.get());
        if (entry == nullptr) {
            if (errno != 0) return system_failure("cannot read the card directory", directory_);
            break;
        }
        const std::string name = entry->d_name;
        if (name == "." || name == "..") continue;
        const fs::path path = directory_ / name;
        if (name.ends_with(temporary_suffix)) {
            // A store cut short before its rename: the card file it was to
            // replace still holds what the card last acknowledged. Not
            // synced: a removal lost in a power cut is made again next time.
            remove_temporary(path);
            continue;
        }
        auto text = read_if_exists(path);
        if (!text) return std::unexpected(text.error());
        if (*text) files.emplace(name, std::move(**text));
    }
    return files;
}

Result<void> ShelfDirectory::store(std::string_view name, std::string_view text) const {
    // Every time, not once: the directory may have gone since (a data
    // directory restored from a backup), and mkdir answers EEXIST at once.
    if (auto made = make_directory(directory_); !made) return made;
    const fs::path path = directory_ / name;
    // A temporary left behind by a failure is removed by the next load, and
    // the next store of this card truncates it.
    const fs::path temporary = path.string() + std::string(temporary_suffix);
    if (auto written = write_synced(temporary, text); !written) return written;
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        return system_failure("cannot rename " + temporary.string() + " over", path);
    }
    return sync_directory(directory_);
}

Result<void> ShelfDirectory::remove(std::string_view name) const {
    const fs::path path = directory_ / name;
    if (::unlink(path.c_str()) != 0) {
        if (errno == ENOENT) return {};
        return system_failure("cannot remove the card file", path);
    }
    return sync_directory(directory_);
}

Result<std::optional<std::string>> ShelfDirectory::load_old_file() const {
    if (old_file_.empty()) return std::optional<std::string>{};
    auto text = read_if_exists(old_file_);
    if (!text) return text;
    // The old release's own temporary, left by a store cut short.
    if (!*text) remove_temporary(old_file_.string() + std::string(temporary_suffix));
    return text;
}

Result<void> ShelfDirectory::remove_old_file() const {
    if (old_file_.empty()) return {};
    if (auto gone = unlink_if_exists(old_file_); !gone) return gone;
    remove_temporary(old_file_.string() + std::string(temporary_suffix));
    return sync_directory(parent_of(old_file_));
}

}  // namespace cardd::encoder::sim
