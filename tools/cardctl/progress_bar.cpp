#include "tools/cardctl/progress_bar.hpp"

#include <sys/ioctl.h>

#include <algorithm>
#include <ostream>
#include <string>

#include "tools/cardctl/text_width.hpp"

namespace cardd::cardctl {

namespace {

constexpr std::size_t bar_width = 24;

// The daemon's text on one line: a line break or an escape sequence in it would break the display.
std::string one_line(std::string_view text) {
    std::string out(text);
    std::ranges::replace_if(
        out, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; }, ' ');
    return out;
}

}  // namespace

void ProgressBar::update(std::int64_t done, std::int64_t total, std::string_view raw_text) {
    const std::string text = one_line(raw_text);
    std::string count = std::to_string(done);
    // Two appends, not "/" + ...: GCC 12 at -O3 warns of an overlapping
    // memcpy in that temporary (a false -Wrestrict).
    if (total > 0) {
        count += '/';
        count += std::to_string(total);
    }
    if (!interactive_) {
        out_ << '[' << count << "] " << text << '\n' << std::flush;
        return;
    }
    std::string line;
    if (total > 0) {
        const auto filled = static_cast<std::size_t>(std::clamp<std::int64_t>(done, 0, total) *
                                                     static_cast<std::int64_t>(bar_width) / total);
        line = '[' + std::string(filled, '#') + std::string(bar_width - filled, '-') + "] ";
    }
    line += count;
    if (!text.empty()) line += "  " + std::string(text);
    // One column short of the width: a full line would wrap on some terminals.
    line = truncate_to_width(line, columns_ > 1 ? columns_ - 1 : 1);
    out_ << '\r' << line << "\x1b[K" << std::flush;
    drawn_ = true;
}

void ProgressBar::say(std::string_view raw_text) {
    finish();
    out_ << one_line(raw_text) << '\n' << std::flush;
}

void ProgressBar::finish() {
    if (drawn_) out_ << '\n' << std::flush;
    drawn_ = false;
}

std::size_t terminal_columns(int fd) noexcept {
    winsize size{};
    if (::ioctl(fd, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    return 80;
}

}  // namespace cardd::cardctl
