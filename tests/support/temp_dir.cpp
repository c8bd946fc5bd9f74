#include "tests/support/temp_dir.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace cardd::test {

std::filesystem::path test_tmp_root() {
    const char* dir = std::getenv("CARDD_TEST_TMPDIR");
    return dir != nullptr && *dir != '\0' ? std::filesystem::path(dir) : std::filesystem::path("/tmp");
}

TempDir::TempDir(const std::filesystem::path& parent, std::string_view prefix) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    std::string pattern = (parent / prefix).string() + "XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
        throw std::runtime_error("cannot create a temporary directory " + pattern + ": " + std::strerror(errno));
    }
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ec;  // a leftover directory must not turn into a crash at exit
    std::filesystem::remove_all(path_, ec);
}

}  // namespace cardd::test
