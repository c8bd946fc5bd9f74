#include "daemon/control/request_line.hpp"

#include "text/strict_json.hpp"

namespace cardd::daemon {

namespace {

// nlohmann::json copies, prints and frees values recursively, so a line
// nested a hundred thousand deep would exhaust the stack: such a line is
// refused before it is parsed. Brackets inside strings do not count.
bool nested_too_deep(std::string_view line) {
    std::size_t depth = 0;
    bool in_string = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (in_string) {
            if (c == '\\') {
                ++i;
            } else if (c == '"') {
                in_string = false;
            }
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_request_nesting) return true;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return false;
}

}  // namespace

ParsedLine parse_request_line(std::string_view line) {
    ParsedLine parsed;
    if (nested_too_deep(line)) {
        parsed.error = Answer::failure(ResultCode::invalid, "the request is nested more than " +
                                                                std::to_string(max_request_nesting) + " levels deep");
        return parsed;
    }
    auto strict = text::parse_strict_json(line);
    if (!strict) {
        parsed.error =
            Answer::failure(ResultCode::invalid, strict.error().kind == text::JsonRefusal::Kind::duplicate_key
                                                     ? "the request gives the key \"" + strict.error().key +
                                                           "\" twice; each key may appear once in an object"
                                                     : std::string("the request is not valid JSON"));
        return parsed;
    }
    nlohmann::json& json = *strict;
    if (!json.is_object()) {
        parsed.error = Answer::failure(ResultCode::invalid, "the request must be a JSON object");
        return parsed;
    }
    if (json.contains("id")) parsed.id = json["id"];
    const auto command = json.find("command");
    if (command == json.end() || !command->is_string()) {
        parsed.error = Answer::failure(ResultCode::invalid, "the request has no \"command\" string");
        return parsed;
    }
    Request request;
    request.command = command->get<std::string>();
    if (const auto arguments = json.find("arguments"); arguments != json.end() && !arguments->is_null()) {
        if (!arguments->is_object()) {
            parsed.error = Answer::failure(ResultCode::invalid, "\"arguments\" must be a JSON object");
            return parsed;
        }
        // Moved, not copied: a password in it is then in one place, which
        // the server wipes once the request is answered.
        request.arguments = std::move(*arguments);
    }
    if (const auto session = json.find("session"); session != json.end() && !session->is_null()) {
        if (!session->is_string()) {
            parsed.error = Answer::failure(ResultCode::invalid, "\"session\" must be a string");
            return parsed;
        }
        request.session = session->get<std::string>();
    }
    parsed.request = std::move(request);
    return parsed;
}

std::string render_answer(const Answer& answer, const nlohmann::json& id) {
    nlohmann::json json = {{"result", static_cast<int>(answer.result)}, {"text", answer.text}};
    if (!answer.arguments.is_null()) json["arguments"] = answer.arguments;
    json["id"] = id;
    // Invalid UTF-8 from a client is replaced, never a reason to throw while answering.
    return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace cardd::daemon
