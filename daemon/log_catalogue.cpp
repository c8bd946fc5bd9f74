#include "daemon/log_catalogue.hpp"

namespace cardd::daemon {

std::string catalogue_markdown() {
    std::string out = "| id | MESSAGE_ID | level | meaning | what to do |\n|---|---|---|---|---|\n";
    for (const Message* message : msg::catalogue) {
        out += "| `";
        out += message->id;
        out += "` | `";
        out += message->message_id;
        out += "` | ";
        out += level_name(message->level);
        out += " | ";
        out += message->meaning;
        out += " | ";
        out += message->action;
        out += message->action.empty() ? "|\n" : " |\n";
    }
    return out;
}

}  // namespace cardd::daemon
