#include "tests/support/tmpfs_mount.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

namespace cardd::test {
namespace {

namespace fs = std::filesystem;

constexpr const char* filler_name = "filler";

std::runtime_error mount_error(const std::string& what, const fs::path& dir, int error) {
    std::string text = "tmpfs on " + dir.string() + ": " + what + ": " + std::strerror(error);
    if (error == EPERM) text += " (mounting needs root, CAP_SYS_ADMIN: run this test as root)";
    return std::runtime_error(text);
}

}  // namespace

TmpfsMount::TmpfsMount(fs::path dir, std::uintmax_t bytes)
    : dir_(std::move(dir)), options_("size=" + std::to_string(bytes) + ",mode=0755") {
    fs::create_directories(dir_);
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options_.c_str()) != 0) {
        throw mount_error("mount -t tmpfs -o " + options_, dir_, errno);
    }
    mounted_ = true;
}

TmpfsMount::~TmpfsMount() {
    if (!mounted_) return;
    if (::umount2(dir_.c_str(), 0) != 0) ::umount2(dir_.c_str(), MNT_DETACH);
}

std::uintmax_t TmpfsMount::fill() {
    const fs::path path = dir_ / filler_name;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) throw mount_error("cannot create " + path.string(), dir_, errno);
    const std::vector<char> chunk(1 << 20, 'x');
    std::uintmax_t written = 0;
    // Smaller and smaller writes, down to one byte: every page taken.
    for (const std::size_t size : {chunk.size(), std::size_t{4096}, std::size_t{1}}) {
        for (;;) {
            const ssize_t n = ::write(fd, chunk.data(), size);
            if (n > 0) {
                written += static_cast<std::uintmax_t>(n);
                continue;
            }
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && errno == ENOSPC) break;
            const int error = errno;
            ::close(fd);
            throw mount_error("writing " + path.string() + " did not end in ENOSPC", dir_, error);
        }
    }
    ::close(fd);
    return written;
}

void TmpfsMount::free_space() { fs::remove(dir_ / filler_name); }

void TmpfsMount::remount_read_only() { remount(MS_RDONLY); }

void TmpfsMount::remount_writable() { remount(0); }

void TmpfsMount::remount(unsigned long flags) {
    if (::mount("tmpfs", dir_.c_str(), "tmpfs", MS_REMOUNT | MS_NOSUID | MS_NODEV | flags, options_.c_str()) != 0) {
        throw mount_error(std::string("mount -o remount,") + ((flags & MS_RDONLY) != 0 ? "ro" : "rw"), dir_, errno);
    }
}

}  // namespace cardd::test
