#include "tools/cardctl/render.hpp"

#include <algorithm>
#include <array>
#include <functional>

#include "tools/cardctl/amount.hpp"
#include "tools/cardctl/dates.hpp"
#include "tools/cardctl/table.hpp"

namespace cardd::cardctl {

namespace {

constexpr std::array<std::string_view, 6> money_keys{"balance", "amount", "cash", "opening", "cost", "refunded"};
constexpr std::array<std::string_view, 4> time_keys{"at", "next_retry", "clock", "locked_until"};

bool is_money(std::string_view key) { return std::ranges::find(money_keys, key) != money_keys.end(); }

bool is_time(std::string_view key) {
    return key.ends_with("_at") || std::ranges::find(time_keys, key) != time_keys.end();
}

const Json& member(const Json& object, std::string_view key) {
    static const Json null;
    if (!object.is_object()) return null;
    const auto found = object.find(key);
    return found == object.end() ? null : *found;
}

const Json& empty_array() {
    static const Json array = Json::array();
    return array;
}

const Json& array_member(const Json& object, std::string_view key) {
    const Json& value = member(object, key);
    return value.is_array() ? value : empty_array();
}

std::string sentence(const Json& answer) {
    const Json& text = member(answer, "text");
    return text.is_string() && !text.get_ref<const std::string&>().empty() ? text.get<std::string>() + "\n" : "";
}

std::string label(std::string_view key) {
    std::string out(key);
    std::ranges::replace(out, '_', ' ');
    return out;
}

// The order fields are listed in: cardd may send its objects with keys sorted
// alphabetically, which puts "balance" before "card_no". Keys not named here follow.
constexpr std::array<std::string_view, 42> field_order{
    "card_type",
    "format",
    "sector",
    "card_no_digits",
    "max_card_no",  // format
    "version",
    "uptime",
    "database",
    "schema_version",
    "terminals",
    "terminals_failed",  // status
    "terminal_states",
    "pending_batches",
    "encoders",
    "cards",
    "people",  //
    "card_no",
    "staff_no",
    "name",
    "dept",
    "state",
    "balance",
    "serial",
    "uid",
    "issued_at",  // card, person
    "closed_at",
    "replaces",
    "replaced_by",  //
    "model",
    "firmware",
    "capabilities",
    "bitmap_sync",
    "count",
    "capacity",
    "bitmap_limit",  // terminal
    "checksum",
    "oldest_record",
    "next_record",
    "clock",  //
    "kind",
    "address",
    "unit",  // device
};

/// The object's keys, known ones in field_order, the others after them in the order sent.
std::vector<std::string> ordered_keys(const Json& object) {
    std::vector<std::string> keys;
    if (!object.is_object()) return keys;
    for (const auto key : field_order) {
        if (object.contains(key)) keys.emplace_back(key);
    }
    for (const auto& [key, value] : object.items()) {
        if (std::ranges::find(field_order, key) == field_order.end()) keys.push_back(key);
    }
    return keys;
}

/// A key-value list of an object's members.
std::string key_values(const Json& object) {
    Table table({});
    for (const auto& key : ordered_keys(object)) table.add_row({label(key), describe_value(key, object[key])});
    return table.str();
}

/// "a, b" from a list of names; "-" when empty.
std::string names(const Json& list) { return list.empty() ? "-" : describe_value("", list); }

/// "canteen-3 (timeout), canteen-4 (refused)" from [{"device": ..., "text": ...}].
std::string device_failures(const Json& list) {
    std::string out;
    for (const auto& entry : list) {
        if (!out.empty()) out += ", ";
        out += describe_value("device", member(entry, "device"));
        if (const Json& text = member(entry, "text"); !text.is_null()) out += " (" + describe_value("text", text) + ")";
    }
    return out;
}

/// "1001,1005,1007 (+12 more)": card lists can be long, a cell should not be.
std::string card_list(const Json& list) {
    constexpr std::size_t shown = 6;
    if (!list.is_array() || list.empty()) return "-";
    std::string out;
    for (std::size_t i = 0; i < list.size() && i < shown; ++i) out += (i ? "," : "") + describe_value("", list[i]);
    if (list.size() > shown) out += " (+" + std::to_string(list.size() - shown) + " more)";
    return out;
}

struct Column {
    std::string header;
    Align align = Align::left;
    std::function<std::string(const Json&)> cell;
};

Column field(std::string header, std::string key, Align align = Align::left) {
    return {std::move(header), align,
            [key = std::move(key)](const Json& row) { return describe_value(key, member(row, key)); }};
}

std::string object_table(const Json& rows, const std::vector<Column>& columns) {
    std::vector<std::string> headers;
    std::vector<Align> align;
    for (const auto& column : columns) {
        headers.push_back(column.header);
        align.push_back(column.align);
    }
    Table table(std::move(headers), std::move(align));
    for (const auto& row : rows) {
        std::vector<std::string> cells;
        for (const auto& column : columns) cells.push_back(column.cell(row));
        table.add_row(std::move(cells));
    }
    return table.str();
}

std::string render_device_list(const Json& args) {
    const auto version = [](const Json& device) {
        const Json& confirmed = member(device, "confirmed_version");
        const Json& planned = member(device, "planned_version");
        if (confirmed.is_null() && planned.is_null()) return std::string("-");
        return describe_value("", confirmed) + "/" + describe_value("", planned);
    };
    if (array_member(args, "devices").empty()) return "no devices\n";
    return object_table(array_member(args, "devices"), {field("NAME", "name"),
                                                        field("KIND", "kind"),
                                                        field("ADDRESS", "address"),
                                                        field("UNIT", "unit", Align::right),
                                                        field("STATE", "state"),
                                                        {"VERSION", Align::right, version},
                                                        field("PENDING", "pending_cards", Align::right),
                                                        field("NEXT RETRY", "next_retry"),
                                                        field("LAST ERROR", "last_error")});
}

std::string render_person_list(const Json& args) {
    if (array_member(args, "people").empty()) return "no people\n";
    return object_table(array_member(args, "people"), {field("STAFF NO", "staff_no"), field("NAME", "name"),
                                                       field("DEPT", "dept"), field("CARD", "card_no", Align::right)});
}

/// A member of the object a row holds under `object` ("card" of a person), as its key says.
Column nested(std::string header, std::string object, std::string key, Align align = Align::left) {
    return {std::move(header), align, [object = std::move(object), key = std::move(key)](const Json& row) {
                return describe_value(key, member(member(row, object), key));
            }};
}

std::string render_person_search(const Json& args) {
    const Json& people = array_member(args, "people");
    if (people.empty()) return "";
    std::string out =
        object_table(people, {field("STAFF NO", "staff_no"), field("NAME", "name"), field("DEPT", "department"),
                              nested("CARD", "card", "card_no", Align::right), nested("STATE", "card", "state"),
                              nested("BALANCE", "card", "balance", Align::right)});
    const Json& total = member(args, "total");
    const Json& offset = member(args, "offset");
    if (total.is_number_integer() && offset.is_number_integer()) {
        const std::int64_t next = offset.get<std::int64_t>() + static_cast<std::int64_t>(people.size());
        if (next < total.get<std::int64_t>()) out += "more: --offset " + std::to_string(next) + "\n";
    }
    return out;
}

std::string render_departments(const Json& args) {
    const auto name = [](const Json& row) {
        const Json& value = member(row, "name");
        return value == Json("") ? std::string("(none)") : describe_value("name", value);
    };
    if (array_member(args, "departments").empty()) return "no departments\n";
    return object_table(array_member(args, "departments"),
                        {{"DEPARTMENT", Align::left, name}, field("PEOPLE", "people", Align::right)});
}

std::string losses_table(const Json& losses) {
    const auto push = [](const Json& loss) {
        const Json& terminals = member(loss, "terminals");
        std::string out = describe_value("push", member(loss, "push"));
        if (terminals.is_array() && !terminals.empty()) out += ": " + names(terminals);
        return out;
    };
    return object_table(losses, {field("ID", "id", Align::right),
                                 field("CARD", "card_no", Align::right),
                                 field("SERIAL", "serial", Align::right),
                                 field("STAFF NO", "staff_no"),
                                 field("NAME", "name"),
                                 field("REPORTED", "reported_at"),
                                 field("REASON", "reason"),
                                 {"PUSH", Align::left, push},
                                 field("UNLOCKED", "unlocked_at")});
}

std::string render_losses(const Json& args) {
    if (array_member(args, "losses").empty()) return "no loss reports\n";
    return losses_table(array_member(args, "losses"));
}

std::string render_failed(const Json& args) {
    const auto cards = [](std::string key) {
        return [key = std::move(key)](const Json& row) { return card_list(member(row, key)); };
    };
    if (array_member(args, "failed").empty()) return "no failed terminals\n";
    return object_table(array_member(args, "failed"), {field("DEVICE", "device"),
                                                       {"MISSING", Align::left, cards("missing_cards")},
                                                       {"REMOVED", Align::left, cards("removed_cards")},
                                                       field("ATTEMPTS", "attempts", Align::right),
                                                       field("NEXT RETRY", "next_retry"),
                                                       field("ERROR", "text")});
}

std::string render_pending(const Json& args) {
    if (array_member(args, "pending").empty()) return "";
    return object_table(
        array_member(args, "pending"),
        {field("WRITE", "id", Align::right), field("KIND", "kind"), field("CARD", "card_no", Align::right),
         field("CHIP", "uid"), field("AMOUNT", "amount", Align::right), field("AGE S", "age_s", Align::right),
         field("BY UID", "by_uid", Align::right)});
}

std::string render_account_list(const Json& args) {
    if (array_member(args, "accounts").empty()) return "no accounts\n";
    return object_table(array_member(args, "accounts"),
                        {field("NAME", "name"), field("ROLE", "role"), field("DISABLED", "disabled"),
                         field("LOCKED UNTIL", "locked_until"), field("FAILED LOGINS", "failed_logins", Align::right),
                         field("CREATED", "created_at"), field("LAST LOGIN", "last_login_at")});
}

std::string render_audit(const Json& args) {
    if (array_member(args, "entries").empty()) return "no audit lines\n";
    const auto who = [](const Json& entry) {
        const Json& account = member(entry, "account");
        return account.is_string() ? account.get<std::string>() : "uid " + describe_value("uid", member(entry, "uid"));
    };
    return object_table(array_member(args, "entries"), {field("AT", "at"),
                                                        {"WHO", Align::left, who},
                                                        field("VIA", "via"),
                                                        field("ACTION", "action"),
                                                        field("DETAIL", "detail")});
}

/// "3 h 20 min", "45 s": how long ago, for a person.
std::string duration(const Json& seconds) {
    if (!seconds.is_number_integer()) return "-";
    const std::int64_t s = seconds.get<std::int64_t>();
    if (s < 60) return std::to_string(s) + " s";
    if (s < 3600) return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
    if (s < 86400) return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
    return std::to_string(s / 86400) + " d " + std::to_string(s % 86400 / 3600) + " h";
}

// status: the figures, the retry queue and the open writes in a sentence
// each, then one row per terminal.
std::string render_status(const Json& args) {
    Json figures = Json::object();
    for (const auto& [key, value] : args.items()) {
        if (key != "terminal_status" && key != "retry_queue" && key != "open_writes") figures[key] = value;
    }
    std::string out = key_values(figures);
    // An older cardd sends neither: nothing is shown for them.
    if (const Json& queue = member(args, "retry_queue"); queue.is_object()) {
        out += "retry queue: " + describe_value("", member(queue, "depth")) + " terminals";
        if (!member(queue, "next_retry_at").is_null()) {
            out += ", next " + describe_value("", member(queue, "next_terminal")) + " at " +
                   describe_value("next_retry_at", member(queue, "next_retry_at"));
        }
        out += "\n";
    }
    if (const Json& writes = member(args, "open_writes"); writes.is_object()) {
        out += "open card writes: " + describe_value("", member(writes, "count"));
        if (!member(writes, "oldest_at").is_null()) {
            out += ", the oldest " + duration(member(writes, "oldest_age_s")) + " old (cardctl pending)";
        }
        out += "\n";
    }
    const Json& terminals = array_member(args, "terminal_status");
    if (terminals.empty()) return out;
    const auto ago = [](const Json& row) {
        return member(row, "collected_ago_s").is_null() ? std::string("never")
                                                        : duration(member(row, "collected_ago_s")) + " ago";
    };
    return out + "\n" +
           object_table(terminals, {field("TERMINAL", "name"),
                                    field("STATE", "state"),
                                    field("PENDING", "pending_batches", Align::right),
                                    field("LAST COLLECTED", "last_collected_at"),
                                    {"AGO", Align::left, ago},
                                    field("NEXT RETRY", "next_retry_at"),
                                    field("LAST ERROR", "last_error")});
}

std::string render_card_info(const Json& args) {
    std::string out = key_values(member(args, "card"));
    if (const Json& pending = member(args, "pending"); pending.is_object()) {
        out += "\nUnsettled write (not counted in the balance)\n" + key_values(pending);
    }
    if (const Json& ledger = array_member(args, "ledger"); !ledger.empty()) {
        out += "\nLedger\n" +
               object_table(ledger, {field("AT", "at"), field("KIND", "kind"), field("AMOUNT", "amount", Align::right),
                                     field("CASH", "cash", Align::right)});
    }
    if (const Json& losses = array_member(args, "losses"); !losses.empty()) out += "\nLosses\n" + losses_table(losses);
    return out;
}

std::string render_card_read(const Json& args) {
    const Json& on_card = member(args, "on_card");
    if (on_card.is_null()) return "";
    std::string out = "\nOn the card\n" + key_values(on_card);
    if (const Json& found = array_member(args, "differences"); !found.empty()) {
        out += "\nDifferences with the store\n";
        for (const auto& difference : found) out += "  - " + describe_value("text", difference) + "\n";
    }
    return out;
}

std::string render_distribution(const Json& answer, const Json& args) {
    std::string out;
    if (const Json& missed = array_member(args, "not_collected"); !missed.empty()) {
        out += "records not collected from: " + device_failures(missed) + "\n";
    }
    if (const Json& pushed = array_member(args, "pushed"); !pushed.empty()) out += "pushed to: " + names(pushed) + "\n";
    if (const Json& failed = array_member(args, "failed"); !failed.empty()) {
        out += "failed, in the retry queue: " + device_failures(failed) + "\n";
    }
    if (member(args, "works_at_terminals") == Json(true) && sentence(answer).empty()) {
        out += "the card still works at terminals until the change is pushed\n";
    }
    return out;
}

/// The file line of a batch row ("row": 1 is the first line of rows), or "-".
Column file_line(const RenderContext& context) {
    return {"LINE", Align::right, [&context](const Json& row) {
                const Json& index = member(row, "row");
                if (index.is_number_integer()) {
                    const auto n = index.get<std::int64_t>();
                    if (n >= 1 && static_cast<std::size_t>(n) <= context.batch_lines.size()) {
                        return std::to_string(context.batch_lines[static_cast<std::size_t>(n - 1)]);
                    }
                }
                return std::string("-");
            }};
}

/// Batch rows with the file line first when they came from a file.
std::string batch_rows_table(const Json& rows, std::vector<Column> columns, const RenderContext& context) {
    if (!context.batch_lines.empty()) columns.insert(columns.begin(), file_line(context));
    return object_table(rows, columns);
}

std::string render_issue_batch(const Json& args, const RenderContext& context) {
    if (member(args, "rehearsed") == Json(true)) {
        const auto card = [](const Json& row) {
            return describe_value("card_no", member(row, "card_no")) +
                   (member(row, "assigned") == Json(true) ? " (assigned)" : "");
        };
        return batch_rows_table(array_member(args, "rows"),
                                {field("ROW", "row", Align::right),
                                 field("STAFF NO", "staff_no"),
                                 field("NAME", "name"),
                                 {"CARD", Align::left, card}},
                                context);
    }
    const Json& failed = array_member(args, "failed");
    if (failed.empty()) return "";
    return "Failed rows\n" + batch_rows_table(failed,
                                              {field("ROW", "row", Align::right), field("STAFF NO", "staff_no"),
                                               field("CARD", "card_no", Align::right), field("ERROR", "text")},
                                              context);
}

std::string render_resync(const Json& args) {
    std::string out;
    if (const Json& level = array_member(args, "level"); !level.empty()) out += "level: " + names(level) + "\n";
    if (const Json& failed = array_member(args, "failed"); !failed.empty()) {
        out += "failed: " + device_failures(failed) + "\n";
    }
    return out;
}

std::string render_collect(const Json& args) {
    Json rows = Json::array();
    for (const auto& row : array_member(args, "collected")) rows.push_back(row);
    for (const auto& row : array_member(args, "failed")) rows.push_back(row);
    if (rows.empty()) return "";
    return object_table(rows, {field("DEVICE", "device"), field("STORED", "stored", Align::right),
                               field("DUPLICATES", "duplicates", Align::right), field("ERROR", "text")});
}

// The card (and person) an answer carries, for answers that come without a sentence.
std::string render_objects(const Json& args) {
    std::string out;
    if (!args.is_object()) return out;
    for (const auto& [key, value] : args.items()) {
        if (!value.is_object()) continue;
        out += (out.empty() ? "" : "\n") + label(key) + "\n" + key_values(value);
    }
    return out;
}

}  // namespace

std::string describe_value(std::string_view key, const Json& value) {
    if (value.is_null()) return "-";
    if (value.is_string()) return value.get<std::string>();
    if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
    if (value.is_number_integer()) {
        const auto n = value.get<std::int64_t>();
        if (is_money(key)) return format_yuan(n);
        if (is_time(key)) return format_local_time(n);
        return value.dump();
    }
    if (value.is_array()) {
        std::string out;
        for (const auto& item : value) out += (out.empty() ? "" : ", ") + describe_value("", item);
        return out;
    }
    if (value.is_object()) {
        std::string out;
        for (const auto& [k, v] : value.items())
            out += (out.empty() ? "" : ", ") + label(k) + " " + describe_value(k, v);
        return out;
    }
    return value.dump();
}

std::string render_answer(View view, const Json& answer, const RenderContext& context) {
    const Json& args = member(answer, "arguments");
    std::string out = sentence(answer);
    switch (view) {
        case View::text: break;
        case View::status: out += render_status(args); break;
        case View::backup:
        case View::format:
        case View::device_params: out += key_values(args); break;
        case View::device_list: out += render_device_list(args); break;
        case View::person_list: out += render_person_list(args); break;
        case View::person_search: out += render_person_search(args); break;
        case View::departments: out += render_departments(args); break;
        case View::card:
            if (out.empty()) out += render_objects(args);
            break;
        case View::card_info: out += render_card_info(args); break;
        case View::distribution: out += render_distribution(answer, args); break;
        case View::issue_batch: out += render_issue_batch(args, context); break;
        case View::losses: out += render_losses(args); break;
        case View::failed: out += render_failed(args); break;
        case View::resync: out += render_resync(args); break;
        case View::collect: out += render_collect(args); break;
        case View::card_read: out += render_card_read(args); break;
        case View::pending: out += render_pending(args); break;
        case View::account_list: out += render_account_list(args); break;
        case View::audit: out += render_audit(args); break;
    }
    return out.empty() ? "done\n" : out;
}

std::string render_refusal(View view, const Json& answer, const RenderContext& context) {
    const Json& refused = array_member(member(answer, "arguments"), "refused");
    if (refused.empty()) return "";
    if (view == View::issue_batch) {
        return "Refused rows\n" + batch_rows_table(refused,
                                                   {field("ROW", "row", Align::right), field("STAFF NO", "staff_no"),
                                                    field("CARD", "card_no", Align::right), field("ERROR", "text")},
                                                   context);
    }
    return "Refused cards\n" + object_table(refused, {field("CARD", "card_no", Align::right), field("ERROR", "text")});
}

}  // namespace cardd::cardctl
