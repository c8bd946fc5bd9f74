#pragma once
// cardctl's command line (CLI11) and the control-socket request each command
// makes. The spellings are a contract (issue 4): scripts are written against
// them. Each command maps to one command of docs/control-socket.md.

#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tools/cardctl/json.hpp"
#include "tools/cardctl/render.hpp"

namespace CLI {
class App;
}

namespace cardd::cardctl {

inline constexpr const char* default_socket = "/run/cardd/cardd.sock";
inline constexpr std::int64_t default_timeout_seconds = 120;

struct GlobalOptions {
    std::string socket;                                      ///< --socket, else $CARDD_SOCKET, else default_socket
    bool json = false;                                       ///< --json: print the daemon's answer line as it is
    std::int64_t timeout_seconds = default_timeout_seconds;  ///< --timeout; 0 waits forever
};

/// Where run() gets the password a command sends as its "password" argument.
struct PasswordSource {
    bool from_stdin = false;  ///< --password-stdin: one line of standard input; else the terminal, twice
    std::string prompt;       ///< what the terminal shows
};

struct Request {
    Json message;                            ///< {"command": ..., "arguments": {...}}, without id
    View view = View::text;                  ///< how to show the answer
    std::vector<std::size_t> batch_lines;    ///< card issue --csv: the file line of each row
    std::optional<PasswordSource> password;  ///< the command sends a password, asked for before it is sent
};

class CommandLine {
public:
    struct Values;

    CommandLine();
    ~CommandLine();
    CommandLine(const CommandLine&) = delete;
    CommandLine& operator=(const CommandLine&) = delete;

    /// Parse with app().parse(argc, argv); CLI::ParseError on a usage error or --help.
    CLI::App& app() noexcept { return *app_; }

    /// After a successful parse.
    GlobalOptions globals() const;

    /// After a successful parse: the chosen command's request, or a sentence
    /// saying why it cannot be made (an unreadable or broken CSV file).
    std::expected<Request, std::string> request() const;

private:
    void add_global_options();
    void add_format_commands();
    void add_device_commands();
    void add_person_commands();
    void add_card_commands();
    void add_card_distribution_commands(CLI::App& card);
    void add_report_commands();
    void add_encoder_commands();
    void add_backup_command();
    void add_account_commands();

    std::unique_ptr<CLI::App> app_;
    std::unique_ptr<Values> v_;
    std::optional<std::expected<Request, std::string>> result_;  ///< set by the parsed command
};

}  // namespace cardd::cardctl
