#include "tools/termsim/control_command.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iterator>
#include <limits>
#include <utility>
#include <vector>

#include "protocol/status.hpp"

namespace cardd::termsim {

namespace {

std::vector<std::string_view> split_words(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
        const std::size_t start = i;
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
        if (i > start) words.push_back(line.substr(start, i - start));
    }
    return words;
}

template <class T>
std::expected<T, std::string> integer(std::string_view word, std::string_view what) {
    T value{};
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (ec != std::errc{} || end != word.data() + word.size()) {
        return std::unexpected(std::string(what) + " must be an integer in range, got '" + std::string(word) + "'");
    }
    return value;
}

std::expected<double, std::string> probability(std::string_view word) {
    double value = 0;
    const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), value);
    if (ec != std::errc{} || end != word.data() + word.size() || !std::isfinite(value) || value < 0 || value > 1) {
        return std::unexpected("probability must be a number from 0 to 1, got '" + std::string(word) + "'");
    }
    return value;
}

std::expected<std::chrono::milliseconds, std::string> milliseconds(std::string_view word) {
    auto ms = integer<std::uint32_t>(word, "milliseconds");
    if (!ms) return std::unexpected(ms.error());
    return std::chrono::milliseconds(*ms);
}

bool is_request_name(std::string_view name) {
    using protocol::Opcode;
    if (name == "state_read" || name == "record_read") return true;
    for (const Opcode opcode :
         {Opcode::add, Opcode::remove, Opcode::full_begin, Opcode::full_list_chunk, Opcode::full_bitmap_chunk,
          Opcode::full_commit, Opcode::full_abort, Opcode::records_ack, Opcode::set_clock}) {
        if (name == protocol::to_string(opcode)) return true;
    }
    return false;
}

std::expected<FaultRequest, std::string> parse_fault(const std::vector<std::string_view>& args) {
    using Kind = FaultRequest::Kind;
    constexpr std::string_view kinds = "drop, delay, corrupt, unit, function, short, long, exception, busy, none";
    if (args.empty()) return std::unexpected("usage: fault KIND VALUE (" + std::string(kinds) + ")");
    const std::string_view kind = args[0];
    if (kind == "none") {
        if (args.size() != 1) return std::unexpected("usage: fault none");
        return FaultRequest{Kind::none, 0, {}, 0, {}};
    }
    if (kind == "exception") {
        if (args.size() != 3 && args.size() != 4) return std::unexpected("usage: fault exception CODE P [ON]");
        auto code = integer<std::uint8_t>(args[1], "CODE");
        if (!code) return std::unexpected(code.error());
        if (*code == 0) return std::unexpected("CODE must be a Modbus exception code, 1..255");
        auto p = probability(args[2]);
        if (!p) return std::unexpected(p.error());
        FaultRequest fault{Kind::exception, *p, {}, *code, {}};
        if (args.size() == 4) {
            if (!is_request_name(args[3])) {
                return std::unexpected(
                    "ON must name a request: state_read, record_read or an opcode (ADD, "
                    "REMOVE, FULL_BEGIN, FULL_LIST_CHUNK, FULL_BITMAP_CHUNK, FULL_COMMIT, "
                    "FULL_ABORT, RECORDS_ACK, SET_CLOCK)");
            }
            fault.exception_on = std::string(args[3]);
        }
        return fault;
    }
    if (args.size() != 2) return std::unexpected("usage: fault " + std::string(kind) + " VALUE");
    if (kind == "delay") {
        auto ms = milliseconds(args[1]);
        if (!ms) return std::unexpected(ms.error());
        return FaultRequest{Kind::delay, 0, *ms, 0, {}};
    }
    static constexpr std::pair<std::string_view, Kind> by_chance[] = {
        {"drop", Kind::drop},         {"corrupt", Kind::corrupt}, {"unit", Kind::unit}, {"function", Kind::function},
        {"short", Kind::short_frame}, {"long", Kind::long_frame}, {"busy", Kind::busy},
    };
    const auto* found = std::ranges::find(by_chance, kind, &std::pair<std::string_view, Kind>::first);
    if (found == std::end(by_chance)) {
        return std::unexpected("unknown fault '" + std::string(kind) + "' (" + std::string(kinds) + ")");
    }
    auto p = probability(args[1]);
    if (!p) return std::unexpected(p.error());
    return FaultRequest{found->second, *p, {}, 0, {}};
}

std::expected<ForgeRequest, std::string> parse_forge(const std::vector<std::string_view>& args) {
    if (args.size() != 2) return std::unexpected("usage: forge version N | forge forget CARD");
    ForgeRequest forge;
    if (args[0] == "version") {
        forge.kind = ForgeRequest::Kind::version;
    } else if (args[0] == "forget") {
        forge.kind = ForgeRequest::Kind::forget;
    } else {
        return std::unexpected("unknown forge '" + std::string(args[0]) + "' (version, forget)");
    }
    auto value = integer<std::uint32_t>(args[1], forge.kind == ForgeRequest::Kind::version ? "N" : "CARD");
    if (!value) return std::unexpected(value.error());
    forge.value = *value;
    return forge;
}

std::expected<TapRequest, std::string> parse_tap(const std::vector<std::string_view>& args) {
    if (args.size() != 3 && args.size() != 4) {
        return std::unexpected("usage: tap CARD AMOUNT_CENTS BALANCE_AFTER_CENTS [COUNTER]");
    }
    auto card = integer<std::uint32_t>(args[0], "CARD");
    if (!card) return std::unexpected(card.error());
    if (*card == 0) return std::unexpected("CARD must be non-zero");
    auto amount = integer<std::int32_t>(args[1], "AMOUNT_CENTS");
    if (!amount) return std::unexpected(amount.error());
    auto balance = integer<std::uint32_t>(args[2], "BALANCE_AFTER_CENTS");
    if (!balance) return std::unexpected(balance.error());
    TapRequest tap{*card, *amount, *balance, std::nullopt};
    if (args.size() == 4) {
        auto counter = integer<std::uint16_t>(args[3], "COUNTER");
        if (!counter) return std::unexpected(counter.error());
        tap.counter = *counter;
    }
    return tap;
}

}  // namespace

std::expected<ControlRequest, std::string> parse_control_line(std::string_view line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::vector<std::string_view> words = split_words(line);
    ControlRequest request;
    if (!words.empty() && words[0].starts_with('@')) {
        auto index = integer<std::size_t>(words[0].substr(1), "terminal index after @");
        if (!index) return std::unexpected(index.error());
        request.terminal = *index;
        words.erase(words.begin());
    }
    if (words.empty()) return std::unexpected("empty command");
    const std::string_view verb = words[0];
    const std::vector<std::string_view> args(words.begin() + 1, words.end());
    auto no_arguments = [&](auto command) -> std::expected<ControlRequest, std::string> {
        if (!args.empty()) return std::unexpected(std::string(verb) + " takes no arguments");
        request.command = command;
        return request;
    };
    if (verb == "tap") {
        auto tap = parse_tap(args);
        if (!tap) return std::unexpected(tap.error());
        request.command = *tap;
        return request;
    }
    if (verb == "state") return no_arguments(StateRequest{});
    if (verb == "list") return no_arguments(ListRequest{});
    if (verb == "terminals") {
        if (request.terminal) return std::unexpected("terminals takes no @I");
        return no_arguments(TerminalsRequest{});
    }
    if (verb == "stats") {
        if (request.terminal) return std::unexpected("stats takes no @I (it counts every terminal)");
        return no_arguments(StatsRequest{});
    }
    if (verb == "fault") {
        auto fault = parse_fault(args);
        if (!fault) return std::unexpected(fault.error());
        request.command = *fault;
        return request;
    }
    if (verb == "forge") {
        auto forge = parse_forge(args);
        if (!forge) return std::unexpected(forge.error());
        request.command = *forge;
        return request;
    }
    if (verb == "busy") {
        if (args.size() != 1) return std::unexpected("usage: busy MS");
        auto ms = milliseconds(args[0]);
        if (!ms) return std::unexpected(ms.error());
        request.command = BusyRequest{*ms};
        return request;
    }
    return std::unexpected("unknown command '" + std::string(verb) +
                           "' (tap, state, list, terminals, stats, fault, busy, forge)");
}

}  // namespace cardd::termsim
