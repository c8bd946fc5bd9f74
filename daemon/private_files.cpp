#include "daemon/private_files.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace cardd::daemon {

namespace {

std::string octal(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

}  // namespace

Result<void> create_data_dir(const std::filesystem::path& dir) {
    std::error_code error;
    if (std::filesystem::exists(dir, error)) return {};
    if (dir.has_parent_path()) std::filesystem::create_directories(dir.parent_path(), error);
    if (error) {
        return fail(Errc::system, "cannot create data directory " + dir.string() + ": " + error.message());
    }
    if (::mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST) {
        return fail(Errc::system, "cannot create data directory " + dir.string() + ": " + std::strerror(errno));
    }
    // The umask may have narrowed the mode (0077 under the unit); set it exactly.
    if (::chmod(dir.c_str(), 0750) != 0) {
        return fail(Errc::system,
                    "cannot set the mode of data directory " + dir.string() + ": " + std::strerror(errno));
    }
    return {};
}

Result<void> check_store_file(const std::filesystem::path& file) {
    std::vector<std::string> exposed;
    std::string modes;
    for (const std::string suffix : {"", "-wal", "-shm"}) {
        const std::string path = file.string() + suffix;
        struct stat info {};
        if (::stat(path.c_str(), &info) != 0) {
            if (errno == ENOENT) continue;
            return fail(Errc::system, "cannot stat the store file " + path + ": " + std::strerror(errno));
        }
        if ((info.st_mode & 077) == 0) continue;
        exposed.push_back(path);
        modes += (modes.empty() ? "" : ", ") + path + " has mode " + octal(info.st_mode);
    }
    if (exposed.empty()) return {};
    std::string fix = "chmod 600";
    for (const std::string& path : exposed) fix += " " + path;
    return fail(Errc::invalid, "the store holds people's data and must be readable and writable by its owner only: " +
                                   modes + "; run " + fix + " and start cardd again");
}

}  // namespace cardd::daemon
