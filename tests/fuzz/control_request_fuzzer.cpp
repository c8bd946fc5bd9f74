// Fuzzes what a control-socket client's bytes meet before a command runs:
// the request line's parser and the readers every command's arguments go
// through. Whatever the line, exactly one of a request or a refusal comes
// out; a refusal is result 6; a reader either returns a value of the type
// it names or refuses with BadArgument (never another exception, never a
// wrapped number); and the answer written back is one line of JSON that the
// strict parser reads again.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "daemon/control/answer.hpp"
#include "daemon/control/arguments.hpp"
#include "daemon/control/request_line.hpp"
#include "tests/fuzz/fuzz_support.hpp"
#include "text/strict_json.hpp"

using cardd::fuzz::require;
using nlohmann::json;
namespace args = cardd::daemon::args;

namespace {

// Runs one reader; a refusal is a BadArgument with a sentence.
template <class Read>
void refused_or(Read read) {
    try {
        read();
    } catch (const cardd::daemon::BadArgument& bad) {
        require(std::string_view(bad.what()).starts_with("argument '") ||
                    std::string_view(bad.what()).find('\'') != std::string_view::npos,
                "a refusal that names no argument");
    }
}

void read_every_way(const json& arguments, const std::string& key) {
    const json& value = arguments[key];
    refused_or([&] {
        const auto read = args::optional_int(arguments, key);
        if (!read) {
            require(value.is_null(), "an integer read as absent");
            return;
        }
        require(value.is_number_integer(), "a non-integer read as an integer");
        if (value.is_number_unsigned()) {
            require(*read >= 0 && static_cast<std::uint64_t>(*read) == value.get<std::uint64_t>(),
                    "an unsigned integer wrapped");
        } else {
            require(*read == value.get<std::int64_t>(), "an integer read as another");
        }
    });
    refused_or([&] {
        const auto read = args::optional_int32(arguments, key);
        if (read) require(value.is_number_integer(), "a non-integer read as an int");
    });
    refused_or([&] {
        const auto read = args::optional_string(arguments, key);
        if (read) require(value.is_string() && *read == value.get<std::string>(), "a string read as another");
    });
    refused_or([&] {
        const auto read = args::optional_bool(arguments, key);
        if (read) require(value.is_boolean() && *read == value.get<bool>(), "a boolean read as another");
    });
    refused_or([&] {
        const auto read = args::int_list(arguments, key);
        if (!read.empty()) require(value.is_array() && read.size() == value.size(), "a list read as another");
    });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    cardd::daemon::ParsedLine parsed = cardd::daemon::parse_request_line(line);
    require(parsed.request.has_value() != parsed.error.has_value(), "neither or both of a request and a refusal");
    cardd::daemon::Answer answer = cardd::daemon::Answer::ok("done");
    if (parsed.error) {
        require(parsed.error->result == cardd::daemon::ResultCode::invalid, "a malformed line answered as not 6");
        require(!parsed.error->text.empty(), "a refusal without a sentence");
        answer = *parsed.error;
    } else {
        const auto& request = *parsed.request;
        require(request.arguments.is_object(), "arguments that are not an object");
        for (const auto& [key, value] : request.arguments.items()) read_every_way(request.arguments, key);
        refused_or([&] { (void)args::devices(request.arguments); });
        refused_or([&] { (void)args::push_target(request.arguments); });
        refused_or([&] { args::only(request.arguments, {"card_no", "amount"}); });
        // The answer echoes what the client sent, as the handlers do with names.
        answer = cardd::daemon::Answer::ok(request.command, request.arguments);
    }
    const std::string out = cardd::daemon::render_answer(answer, parsed.id);
    require(out.find('\n') == std::string::npos, "an answer of more than one line");
    const auto again = cardd::text::parse_strict_json(out);
    require(again.has_value() && again->is_object(), "an answer that does not read back as a JSON object");
    require(again->contains("result") && (*again)["result"].is_number_integer(), "an answer without its result");
    return 0;
}
