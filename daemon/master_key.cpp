#include "daemon/master_key.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <utility>

namespace cardd::daemon {

namespace {

std::string system_error(const std::string& what, const std::filesystem::path& path) {
    return what + " " + path.string() + ": " + std::strerror(errno);
}

/// Closes the descriptor on every path out.
struct Fd {
    int fd = -1;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

/// A new key at `path`; nothing when another process put its key there first.
Result<std::optional<MasterKeyFile>> create(const std::filesystem::path& path) {
    MasterKeyFile file;
    if (RAND_bytes(file.key.data(), static_cast<int>(file.key.size())) != 1) {
        return fail(Errc::system, "no random bytes for a new master key (OpenSSL RAND_bytes failed)");
    }
    // The key is written whole under a temporary name and only then linked
    // to `path`. link() never replaces a file, so of two daemons starting at
    // once exactly one key wins; and since the name appears only when the
    // file is complete, the other one never reads it empty or short.
    std::string temporary = path.string() + ".XXXXXX";
    Fd out{::mkostemp(temporary.data(), O_CLOEXEC)};
    if (out.fd < 0) return fail(Errc::system, system_error("cannot create the master key file", path));
    // The umask may have narrowed the mode further, never widened it; set it exactly.
    if (::fchmod(out.fd, 0600) != 0 ||
        ::write(out.fd, file.key.data(), file.key.size()) != static_cast<ssize_t>(file.key.size()) ||
        ::fsync(out.fd) != 0) {
        const std::string why = system_error("cannot write the master key file", path);
        OPENSSL_cleanse(file.key.data(), file.key.size());
        ::unlink(temporary.c_str());
        return fail(Errc::system, why);
    }
    const bool linked = ::link(temporary.c_str(), path.c_str()) == 0;
    const int link_error = errno;
    ::unlink(temporary.c_str());
    if (!linked) {
        OPENSSL_cleanse(file.key.data(), file.key.size());
        if (link_error == EEXIST) return std::optional<MasterKeyFile>{};
        errno = link_error;
        return fail(Errc::system, system_error("cannot create the master key file", path));
    }
    // The new name must survive a power loss too, or the next start would
    // write another key and every card written meanwhile would be lost.
    const std::filesystem::path directory = path.has_parent_path() ? path.parent_path() : ".";
    if (Fd dir{::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)}; dir.fd < 0 || ::fsync(dir.fd) != 0) {
        return fail(Errc::system, system_error("cannot sync the directory of the master key file", path));
    }
    file.created = true;
    return file;
}

}  // namespace

Result<MasterKeyFile> load_or_create_master_key(const std::filesystem::path& path) {
    Fd in{::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW)};
    if (in.fd < 0) {
        if (errno != ENOENT) return fail(Errc::system, system_error("cannot open the master key file", path));
        auto created = create(path);
        if (!created) return std::unexpected(std::move(created.error()));
        if (*created) return std::move(**created);
        // Another process created the file since the open above: its key is the one.
        in.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (in.fd < 0) return fail(Errc::system, system_error("cannot open the master key file", path));
    }
    struct stat info {};
    if (::fstat(in.fd, &info) != 0) return fail(Errc::system, system_error("cannot stat the master key file", path));
    if (!S_ISREG(info.st_mode)) {
        return fail(Errc::invalid, "the master key " + path.string() + " is not a regular file");
    }
    if ((info.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
        return fail(Errc::invalid, "the master key " + path.string() + " has mode " + mode +
                                       ", readable by others than its owner; run chmod 600 " + path.string() +
                                       " (and consider the key exposed)");
    }
    if (info.st_size != static_cast<off_t>(protocol::card::MasterKey{}.size())) {
        return fail(Errc::invalid, "the master key " + path.string() + " holds " + std::to_string(info.st_size) +
                                       " bytes; it must hold exactly 16");
    }
    MasterKeyFile file;
    if (::read(in.fd, file.key.data(), file.key.size()) != static_cast<ssize_t>(file.key.size())) {
        OPENSSL_cleanse(file.key.data(), file.key.size());
        return fail(Errc::system, system_error("cannot read the master key file", path));
    }
    return file;
}

}  // namespace cardd::daemon
