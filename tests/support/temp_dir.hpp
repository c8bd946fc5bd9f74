#pragma once
// A private directory for one test, removed with everything in it at the end.

#include <filesystem>
#include <string_view>

namespace cardd::test {

/// Where tests put scratch files: $CARDD_TEST_TMPDIR (ctest sets it to the
/// build directory) or else /tmp.
std::filesystem::path test_tmp_root();

class TempDir {
public:
    /// Creates <parent>/<prefix>XXXXXX; throws std::runtime_error on failure.
    explicit TempDir(const std::filesystem::path& parent = test_tmp_root(), std::string_view prefix = "cardd-");
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace cardd::test
