#include "tools/cardctl/run.hpp"

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <ostream>

#include <CLI/CLI.hpp>

#include "tools/cardctl/commands.hpp"
#include "tools/cardctl/control_client.hpp"
#include "tools/cardctl/password_input.hpp"
#include "tools/cardctl/progress_bar.hpp"

namespace cardd::cardctl {

namespace {

/// Whether a successful answer still leaves part of the work undone.
bool partly_failed(View view, const Json& answer) {
    if (view != View::issue_batch && view != View::resync && view != View::collect) return false;
    const auto args = answer.find("arguments");
    if (args == answer.end() || !args->is_object()) return false;
    const auto failed = args->find("failed");
    return failed != args->end() && failed->is_array() && !failed->empty();
}

std::int64_t integer_or_zero(const Json& object, const char* key) {
    const auto found = object.find(key);
    return found != object.end() && found->is_number_integer() ? found->get<std::int64_t>() : 0;
}

}  // namespace

int run(int argc, const char* const* argv, std::ostream& out, std::ostream& err, bool err_is_terminal,
        std::size_t err_columns, std::istream& in) {
    CommandLine command_line;
    try {
        command_line.app().parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" with exit code 0.
        const int code = command_line.app().exit(e, out, err);
        return code == 0 ? exit_ok : exit_usage;
    }
    const GlobalOptions globals = command_line.globals();
    auto request = command_line.request();
    if (!request) {
        err << "cardctl: " << request.error() << '\n';
        return exit_usage;
    }
    // Wiped once the request is sent: the password is in the message only.
    struct PasswordWipe {
        Json& message;
        ~PasswordWipe() {
            auto arguments = message.find("arguments");
            if (arguments == message.end()) return;
            auto password = arguments->find("password");
            if (password != arguments->end() && password->is_string()) wipe(password->get_ref<std::string&>());
        }
    } password_wipe{request->message};
    if (request->password) {
        auto password =
            request->password->from_stdin ? read_password_line(in) : ask_password_twice(request->password->prompt);
        if (!password) {
            err << "cardctl: " << password.error() << '\n';
            return exit_usage;
        }
        request->message["arguments"]["password"] = *password;
        wipe(*password);
    }
    const std::size_t request_bytes = request->message.dump().size();
    if (request_bytes > daemon_line_limit - 64) {  // 64: room for the id
        err << "cardctl: the request is " << request_bytes << " bytes, more than cardd takes (" << daemon_line_limit
            << "); split the file\n";
        return exit_usage;
    }

    // Capped at about 31 years so that the conversion to milliseconds cannot overflow.
    const auto timeout = std::chrono::seconds(std::min<std::int64_t>(globals.timeout_seconds, 1'000'000'000));
    auto client = ControlClient::connect(globals.socket, timeout);
    if (!client) {
        err << "cardctl: " << client.error().text << '\n';
        return exit_cannot_connect;
    }
    ProgressBar bar(err, err_is_terminal, err_columns);
    const auto answer = client->call(request->message, [&](const Json& progress) {
        const auto text = progress.find("text");
        // A line without a count is something to do now ("place the card on the encoder").
        if (!progress.contains("done") && text != progress.end() && text->is_string()) {
            bar.say(text->get_ref<const std::string&>());
            return;
        }
        bar.update(integer_or_zero(progress, "done"), integer_or_zero(progress, "total"),
                   text != progress.end() && text->is_string() ? text->get_ref<const std::string&>() : "");
    });
    bar.finish();
    if (!answer) {
        err << "cardctl: " << answer.error().text << '\n';
        return exit_no_answer;
    }

    const Json& message = answer->message;
    const auto result = message["result"].get<std::int64_t>();
    if (globals.json) out << answer->line << '\n';
    if (result != 0) {
        const auto text = message.find("text");
        err << "cardctl: "
            << (text != message.end() && text->is_string() && !text->get_ref<const std::string&>().empty()
                    ? text->get<std::string>()
                    : "cardd refused the request (result " + std::to_string(result) + ")")
            << '\n';
        // A batch or a loss of several cards refused names each row or card and why.
        if (!globals.json) err << render_refusal(request->view, message, RenderContext{request->batch_lines});
        return exit_refused;
    }
    if (!globals.json) out << render_answer(request->view, message, RenderContext{request->batch_lines});
    return partly_failed(request->view, message) ? exit_partial : exit_ok;
}

}  // namespace cardd::cardctl
