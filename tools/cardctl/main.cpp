// cardctl: the card centre's command-line client (see run.hpp).

#include <unistd.h>

#include <iostream>

#include "tools/cardctl/progress_bar.hpp"
#include "tools/cardctl/run.hpp"

int main(int argc, char** argv) {
    const bool err_is_terminal = ::isatty(STDERR_FILENO) == 1;
    return cardd::cardctl::run(argc, argv, std::cout, std::cerr, err_is_terminal,
                               cardd::cardctl::terminal_columns(STDERR_FILENO));
}
