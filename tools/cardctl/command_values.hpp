#pragma once
// Private to commands*.cpp: where CLI11 stores the values of the options, and
// small helpers that turn them into request JSON. Every value is kept as text
// and converted by cardctl's own parsers (validated already by option_checks).

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "tools/cardctl/commands.hpp"

namespace cardd::cardctl {

struct CommandLine::Values {
    // global
    std::string socket;
    bool json = false;
    std::string timeout = std::to_string(default_timeout_seconds);
    // format set
    std::string sector, card_no_digits, max_card_no;
    // device
    std::string name, tcp, rtu, baud, parity, unit, usb;
    bool sim = false;
    // person and card
    std::string staff_no, person_name, dept, card_no, opening, cost, csv, amount, new_card_no, devices;
    bool issue = false, push = false, wipe = false, no_wipe = false, no_refund = false, read = false, write_off = false;
    std::vector<std::string> card_nos;  ///< card loss and unlock: several cards at once
    std::string reason;
    // a search of people; a batch for a selection of them
    std::string query, offset, limit, staff_nos, assign_from;
    bool rehearse = false;
    // the card on the encoder
    std::string encoder, wait, uid, count, after;
    bool blank = false, foreign = false;
    // reports
    std::string from, to, serial, device, cards;
    bool failed = false, open = false;
    // backup
    std::string file;
    // account
    std::string role;
    bool password_stdin = false;
    // audit
    std::string account, audit_uid, action;
};

/// A request shown with `view`.
inline Request make_request(Json message, View view = View::text) {
    Request request;
    request.message = std::move(message);
    request.view = view;
    return request;
}

/// Adds --encoder and --wait to a command that needs a card on the encoder.
void add_encoder_options(CLI::App* sub, CommandLine::Values& v);
/// Puts --encoder and --wait into request arguments.
void add_encoder_arguments(Json& arguments, const CommandLine::Values& v);
/// A request of a command that works on the card on the encoder: `arguments`
/// with --encoder and --wait added.
Request encoder_request(std::string_view command, Json arguments, const CommandLine::Values& v, View view = View::text);

/// {"command": name} with "arguments" when there are any.
Json make_message(std::string_view command, Json arguments = Json::object());

std::int64_t number_of(const std::string& text);  ///< a validated number
std::int64_t cents_of(const std::string& text);   ///< a validated amount
Json targets_of(const std::string& text);         ///< "all" or ["name", ...]
Json numbers_of(const std::string& text);         ///< [1001, 1005]

/// Makes `sub` a leaf command: once it is parsed, `make` builds its request
/// (a Request, or an expected one). A CLI::ParseError that `make` throws is a
/// usage error of the parse, like any CLI11 error.
template <class Make>
void on_parsed(CLI::App* sub, std::optional<std::expected<Request, std::string>>& result, Make make) {
    sub->callback([&result, make] { result = std::expected<Request, std::string>(make()); });
}

}  // namespace cardd::cardctl
