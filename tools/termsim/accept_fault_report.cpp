#include "tools/termsim/accept_fault_report.hpp"

#include <sys/resource.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

namespace cardd::termsim {

namespace {

std::string descriptor_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return "its limit";
    if (limit.rlim_cur == RLIM_INFINITY) return "no limit";
    return std::to_string(limit.rlim_cur);
}

// What to do about the fault, after its errno text.
std::string advice(int error) {
    const std::string served =
        "connections already open are still served; new ones wait in the listen backlog and are accepted "
        "as descriptors come free (retried after 100 ms, doubling to 1 s)";
    if (error == EMFILE) {
        // main() raises the soft limit to the hard one, so only the hard one helps.
        return "this process may hold " + descriptor_limit() + " open files (RLIMIT_NOFILE); " + served +
               ". Raise the hard limit (ulimit -Hn before starting it, LimitNOFILE= in a systemd unit) or "
               "serve fewer terminals or clients in one process";
    }
    if (error == ENFILE) {
        return "the system's table of open files is full; " + served +
               ". Raise fs.file-max (sysctl) or close files elsewhere";
    }
    return served;
}

}  // namespace

void AcceptFaultReport::failed(const void* listener, int error, std::string_view where) {
    failing_.insert(listener);
    if (error == fault_) return;
    fault_ = error;
    std::fprintf(stderr, "card-termsim: cannot accept a connection on %.*s: %s; %s\n", static_cast<int>(where.size()),
                 where.data(), std::strerror(error), advice(error).c_str());
}

void AcceptFaultReport::caught_up(const void* listener) {
    if (failing_.erase(listener) == 0 || !failing_.empty() || fault_ == 0) return;
    fault_ = 0;
    std::fputs("card-termsim: accepting connections again\n", stderr);
}

}  // namespace cardd::termsim
