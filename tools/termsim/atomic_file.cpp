#include "tools/termsim/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "tools/termsim/unique_fd.hpp"

namespace cardd::termsim {

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

void write_all(int fd, std::string_view data, const std::string& what) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            fail(what);
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

}  // namespace

void write_file_atomically(const std::filesystem::path& path, std::string_view contents) {
    const std::filesystem::path temp = path.string() + ".tmp";
    {
        UniqueFd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!fd) fail("cannot create " + temp.string());
        write_all(fd.get(), contents, "cannot write " + temp.string());
        if (::fsync(fd.get()) != 0) fail("cannot fsync " + temp.string());
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) fail("cannot rename " + temp.string() + " to " + path.string());
    const std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir_fd) fail("cannot open directory " + dir.string());
    if (::fsync(dir_fd.get()) != 0) fail("cannot fsync directory " + dir.string());
}

std::optional<std::string> read_file_if_exists(const std::filesystem::path& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        fail("cannot open " + path.string());
    }
    std::string contents;
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("cannot read " + path.string());
        }
        if (n == 0) break;
        contents.append(buffer, static_cast<std::size_t>(n));
    }
    return contents;
}

}  // namespace cardd::termsim
