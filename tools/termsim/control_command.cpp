#include "tools/termsim/control_command.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <vector>

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

std::expected<FaultRequest, std::string> parse_fault(const std::vector<std::string_view>& args) {
    using Kind = FaultRequest::Kind;
    if (args.empty()) return std::unexpected("usage: fault drop P | delay MS | corrupt P | busy P | none");
    const std::string_view kind = args[0];
    if (kind == "none") {
        if (args.size() != 1) return std::unexpected("usage: fault none");
        return FaultRequest{Kind::none, 0, {}};
    }
    if (args.size() != 2) return std::unexpected("usage: fault " + std::string(kind) + " VALUE");
    if (kind == "delay") {
        auto ms = milliseconds(args[1]);
        if (!ms) return std::unexpected(ms.error());
        return FaultRequest{Kind::delay, 0, *ms};
    }
    Kind parsed{};
    if (kind == "drop") {
        parsed = Kind::drop;
    } else if (kind == "corrupt") {
        parsed = Kind::corrupt;
    } else if (kind == "busy") {
        parsed = Kind::busy;
    } else {
        return std::unexpected("unknown fault '" + std::string(kind) + "' (drop, delay, corrupt, busy, none)");
    }
    auto p = probability(args[1]);
    if (!p) return std::unexpected(p.error());
    return FaultRequest{parsed, *p, {}};
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
    if (verb == "busy") {
        if (args.size() != 1) return std::unexpected("usage: busy MS");
        auto ms = milliseconds(args[0]);
        if (!ms) return std::unexpected(ms.error());
        request.command = BusyRequest{*ms};
        return request;
    }
    return std::unexpected("unknown command '" + std::string(verb) +
                           "' (tap, state, list, terminals, stats, fault, busy)");
}

}  // namespace cardd::termsim
