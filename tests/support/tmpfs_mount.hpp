#pragma once
// A small tmpfs of a test's own, to fill up and to make read-only under a
// running program: the disk faults a real data directory meets. Mounting
// needs root (CAP_SYS_ADMIN); a test that cannot mount fails, saying so.

#include <cstdint>
#include <filesystem>
#include <string>

namespace cardd::test {

class TmpfsMount {
public:
    /// Mounts a tmpfs of `bytes` on `dir`, creating it first. Throws
    /// std::runtime_error with the reason when that fails.
    TmpfsMount(std::filesystem::path dir, std::uintmax_t bytes);
    /// Unmounts, lazily when something still holds a file there, so a
    /// failed test never leaves the mount behind.
    ~TmpfsMount();
    TmpfsMount(const TmpfsMount&) = delete;
    TmpfsMount& operator=(const TmpfsMount&) = delete;

    /// Writes a file until the file system answers ENOSPC: the bytes written.
    std::uintmax_t fill();
    /// Deletes what fill() wrote.
    void free_space();
    /// `mount -o remount,ro` and back. Throws with the reason; the kernel
    /// refuses (EBUSY) while a file on it is open for writing.
    void remount_read_only();
    void remount_writable();

    const std::filesystem::path& dir() const noexcept { return dir_; }

private:
    void remount(unsigned long flags);

    std::filesystem::path dir_;
    std::string options_;
    bool mounted_ = false;
};

}  // namespace cardd::test
