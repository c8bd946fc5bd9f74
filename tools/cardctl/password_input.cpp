#include "tools/cardctl/password_input.hpp"

#include <fcntl.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>

namespace cardd::cardctl {

void wipe(std::string& text) noexcept {
    if (!text.empty()) ::explicit_bzero(text.data(), text.size());
}

std::expected<std::string, std::string> read_password_line(std::istream& in) {
    std::string line;
    if (!std::getline(in, line) && line.empty()) {
        return std::unexpected("--password-stdin: no password on standard input (one line is read)");
    }
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

namespace {

/// The terminal, echo off while it is held, as it was when it is let go.
class QuietTerminal {
public:
    QuietTerminal() : fd_(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) {
        if (fd_ < 0 || ::tcgetattr(fd_, &saved_) != 0) return;
        termios quiet = saved_;
        quiet.c_lflag &= static_cast<tcflag_t>(~ECHO);
        quiet.c_lflag |= ECHONL;
        quiet_ = ::tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
    }
    ~QuietTerminal() {
        if (quiet_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
        if (fd_ >= 0) ::close(fd_);
    }
    QuietTerminal(const QuietTerminal&) = delete;
    QuietTerminal& operator=(const QuietTerminal&) = delete;

    bool ready() const noexcept { return quiet_; }

    /// Shows `prompt`, reads a line (without its break).
    std::expected<std::string, std::string> ask(const std::string& prompt) {
        if (::write(fd_, prompt.data(), prompt.size()) < 0) return std::unexpected("cannot write to the terminal");
        std::string line;
        for (;;) {
            char c = 0;
            const ssize_t got = ::read(fd_, &c, 1);
            if (got < 0 && errno == EINTR) continue;
            if (got <= 0) {
                wipe(line);
                return std::unexpected("no password typed");
            }
            if (c == '\n') break;
            line.push_back(c);
        }
        if (!line.empty() && line.back() == '\r') line.pop_back();
        return line;
    }

private:
    int fd_;
    termios saved_{};
    bool quiet_ = false;
};

}  // namespace

std::expected<std::string, std::string> ask_password_twice(const std::string& prompt) {
    QuietTerminal terminal;
    if (!terminal.ready()) {
        return std::unexpected(
            "no terminal to ask the password on: give it as one line of standard input with "
            "--password-stdin");
    }
    auto first = terminal.ask(prompt);
    if (!first) return first;
    auto second = terminal.ask("Again: ");
    if (!second) {
        wipe(*first);
        return second;
    }
    const bool same = *first == *second;
    wipe(*second);
    if (!same) {
        wipe(*first);
        return std::unexpected("the two passwords differ; nothing was sent");
    }
    return first;
}

}  // namespace cardd::cardctl
