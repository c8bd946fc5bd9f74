#include "daemon/process_secrecy.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <cstring>

namespace cardd::daemon {

namespace {

// The password of one URL, read as the store reads a database URL
// (store/database_url.cpp): from the first ':' after "://" to the last '@'.
void hide_password(char* text) noexcept {
    char* scheme_end = std::strstr(text, "://");
    if (!scheme_end) return;
    char* const user = scheme_end + 3;
    char* const at = std::strrchr(user, '@');
    if (!at) return;
    char* const colon = static_cast<char*>(std::memchr(user, ':', static_cast<std::size_t>(at - user)));
    if (!colon) return;
    for (char* c = colon + 1; c < at; ++c) *c = 'x';
}

}  // namespace

void hide_url_passwords(int argc, char** argv) noexcept {
    for (int i = 1; i < argc; ++i) {
        if (argv[i]) hide_password(argv[i]);
    }
}

void forbid_core_dumps() noexcept {
    const rlimit none{0, 0};
    ::setrlimit(RLIMIT_CORE, &none);
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    ::prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
#endif
}

}  // namespace cardd::daemon
