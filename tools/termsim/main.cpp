// card-termsim: a CT-1 consumption terminal simulator. See docs/protocol.md.

#include <signal.h>
#include <sys/resource.h>

#include <cstdio>
#include <exception>
#include <iostream>

#include "tools/termsim/options.hpp"
#include "tools/termsim/simulator.hpp"

namespace {

// Each terminal is a listening socket plus its clients; 1000 terminals pass
// the usual soft limit of 1024 descriptors.
void raise_fd_limit() {
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = cardd::termsim::parse_options(argc, argv);
    if (const int* code = std::get_if<int>(&parsed)) return *code;
    const auto& options = std::get<cardd::termsim::Options>(parsed);
    ::signal(SIGPIPE, SIG_IGN);
    raise_fd_limit();
    try {
        cardd::termsim::Simulator simulator(options);
        std::cout << simulator.ready_line() << std::endl;  // flushed: tests wait for it
        simulator.run();
        return 0;
    } catch (const std::exception& e) {
        std::cerr << "card-termsim: error: " << e.what() << "\n";
        return 1;
    }
}
