#pragma once
// One line of the control socket read into a request, and one answer written
// out: the whole of what a client's bytes meet before a command runs, so it
// holds no I/O and is fuzzed on its own (tests/fuzz/control_request_fuzzer.cpp).

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

#include "daemon/control/answer.hpp"
#include "daemon/control/command_registry.hpp"

namespace cardd::daemon {

/// Deeper lines are refused before they are parsed (request_line.cpp says why).
inline constexpr std::size_t max_request_nesting = 64;

/// Parses one request line; a malformed one yields the answer to send instead.
struct ParsedLine {
    std::optional<Request> request;
    nlohmann::json id;  ///< echoed even on errors when it could be read
    std::optional<Answer> error;
};
ParsedLine parse_request_line(std::string_view line);

/// One answer line (no newline).
std::string render_answer(const Answer& answer, const nlohmann::json& id);

}  // namespace cardd::daemon
