#pragma once
// cardctl from argv to exit status: parse, connect, send, show the answer.

#include <cstddef>
#include <iosfwd>
#include <iostream>

namespace cardd::cardctl {

/// Exit statuses of cardctl; scripts test them, so they never change meaning.
enum ExitStatus : int {
    exit_ok = 0,
    exit_refused = 1,         ///< cardd answered with a non-zero result
    exit_usage = 2,           ///< bad command line or input file; nothing was sent
    exit_cannot_connect = 3,  ///< no cardd at the socket, or not allowed to connect
    exit_no_answer = 4,       ///< broken connection, timeout or a line that is not an answer
    exit_partial = 5,         ///< done, but rows of a batch or some terminals failed
};

/// Runs one cardctl command; answers go to `out`, errors and progress to `err`.
/// `err_is_terminal` draws the progress bar in place. `in` gives a password
/// with --password-stdin.
int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, bool err_is_terminal,
        std::size_t err_columns, std::istream& in = std::cin);

}  // namespace cardd::cardctl
