#pragma once
// Progress of a long operation (batch issue, resync, collection) on stderr:
// a bar redrawn in place on a terminal, one line per step anywhere else (a log
// file, a CI job), so that neither fills the screen nor loses information.

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string_view>

namespace cardd::cardctl {

class ProgressBar {
public:
    /// `interactive`: redraw one line of at most `columns` columns; otherwise print a line per update.
    ProgressBar(std::ostream& out, bool interactive, std::size_t columns = 80) noexcept
        : out_(out), interactive_(interactive), columns_(columns) {}
    ProgressBar(const ProgressBar&) = delete;
    ProgressBar& operator=(const ProgressBar&) = delete;
    ~ProgressBar() { finish(); }

    /// Step `done` of `total` (total 0 when unknown), with the daemon's text.
    void update(std::int64_t done, std::int64_t total, std::string_view text);

    /// A line of its own (a request to the person at the keyboard), below any bar drawn.
    void say(std::string_view text);
    /// Ends the bar's line, so what follows starts on a line of its own.
    void finish();

private:
    std::ostream& out_;
    bool interactive_;
    std::size_t columns_;
    bool drawn_ = false;
};

/// Columns of the terminal on `fd`, or 80 when it is not a terminal.
std::size_t terminal_columns(int fd) noexcept;

}  // namespace cardd::cardctl
