#include "text/strict_json.hpp"

#include <optional>
#include <set>
#include <vector>

namespace cardd::text {

std::expected<nlohmann::json, JsonRefusal> parse_strict_json(std::string_view text) {
    using nlohmann::json;
    std::vector<std::set<std::string>> open_objects;
    std::optional<std::string> duplicate;
    const json::parser_callback_t callback = [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
            case json::parse_event_t::object_start: open_objects.emplace_back(); break;
            case json::parse_event_t::object_end:
                if (!open_objects.empty()) open_objects.pop_back();
                break;
            case json::parse_event_t::key:
                if (!open_objects.empty() && !open_objects.back().insert(parsed.get<std::string>()).second &&
                    !duplicate) {
                    duplicate = parsed.get<std::string>().substr(0, 64);
                }
                break;
            default: break;
        }
        return true;
    };
    json parsed = json::parse(text, callback, false);
    if (parsed.is_discarded()) return std::unexpected(JsonRefusal{JsonRefusal::Kind::invalid, {}});
    if (duplicate) return std::unexpected(JsonRefusal{JsonRefusal::Kind::duplicate_key, std::move(*duplicate)});
    return parsed;
}

}  // namespace cardd::text
