#include "tools/cardctl/issue_csv.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>

#include "tools/cardctl/amount.hpp"
#include "tools/cardctl/argument_syntax.hpp"
#include "tools/cardctl/csv.hpp"

namespace cardd::cardctl {

namespace {

enum class Column { staff_no, card_no, opening, cost, name, dept };

constexpr std::array<std::pair<std::string_view, Column>, 6> column_names{{
    {"staff_no", Column::staff_no},
    {"card_no", Column::card_no},
    {"opening", Column::opening},
    {"cost", Column::cost},
    {"name", Column::name},
    {"dept", Column::dept},
}};

constexpr std::size_t max_reported_errors = 20;

std::string_view trim(std::string_view text) noexcept {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

std::string lower(std::string_view text) {
    std::string out(text);
    std::ranges::transform(out, out.begin(),
                           [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
    return out;
}

std::string line_error(std::size_t line, std::string_view text) {
    return "line " + std::to_string(line) + ": " + std::string(text);
}

// Header name -> field index, or the reason the header is unusable.
std::expected<std::map<Column, std::size_t>, std::string> read_header(const CsvRecord& header) {
    std::map<Column, std::size_t> index;
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
        const std::string name = lower(trim(header.fields[i]));
        const auto known = std::ranges::find(column_names, name, &std::pair<std::string_view, Column>::first);
        if (known == column_names.end()) {
            return std::unexpected(line_error(header.line, "unknown column '" + name +
                                                               "' (columns: staff_no, card_no, opening, cost, "
                                                               "name, dept)"));
        }
        if (!index.emplace(known->second, i).second) {
            return std::unexpected(line_error(header.line, "column '" + name + "' appears twice"));
        }
    }
    if (!index.contains(Column::staff_no)) {
        return std::unexpected(line_error(header.line, "the header needs the column staff_no"));
    }
    return index;
}

}  // namespace

std::expected<IssueBatch, std::string> parse_issue_csv(std::string_view text) {
    auto records = parse_csv(text);
    if (!records) return std::unexpected(line_error(records.error().line, records.error().text));
    if (records->empty()) return std::unexpected("the file is empty; it needs a header and rows");
    const auto index = read_header(records->front());
    if (!index) return std::unexpected(index.error());
    const std::size_t columns = records->front().fields.size();

    IssueBatch batch;
    std::vector<std::string> errors;
    std::map<std::int64_t, std::size_t> card_lines;  // card number -> line that names it first
    std::map<std::string, std::size_t> staff_lines;  // staff number -> line that names it first
    for (auto record = records->begin() + 1; record != records->end(); ++record) {
        const std::size_t line = record->line;
        if (std::ranges::all_of(record->fields, [](const std::string& f) { return trim(f).empty(); })) continue;
        if (record->fields.size() != columns) {
            errors.push_back(line_error(
                line, std::to_string(record->fields.size()) + " fields, the header has " + std::to_string(columns)));
            continue;
        }
        const auto field = [&](Column column) -> std::optional<std::string_view> {
            const auto at = index->find(column);
            if (at == index->end()) return std::nullopt;
            const std::string_view value = trim(record->fields[at->second]);
            if (value.empty()) return std::nullopt;
            return value;
        };
        const auto refuse = [&](std::string_view why) { errors.push_back(line_error(line, why)); };

        const auto staff_no = field(Column::staff_no);
        if (!staff_no) {
            refuse("staff_no is empty");
            continue;
        }
        // No card number: cardd assigns the next free one.
        std::optional<std::int64_t> card_no;
        if (const auto card_text = field(Column::card_no)) {
            const auto number = parse_number(*card_text, "card_no");
            if (!number) {
                refuse(number.error());
                continue;
            }
            if (const auto [first, inserted] = card_lines.emplace(*number, line); !inserted) {
                refuse("card number " + std::to_string(*number) + " is also on line " + std::to_string(first->second));
                continue;
            }
            card_no = *number;
        }
        if (const auto [first, inserted] = staff_lines.emplace(std::string(*staff_no), line); !inserted) {
            refuse("staff number " + std::string(*staff_no) + " is also on line " + std::to_string(first->second) +
                   "; one card per person");
            continue;
        }
        const auto name = field(Column::name);
        const auto dept = field(Column::dept);
        if (dept && !name) {
            refuse("dept without name; a row with a name creates the person, an existing person needs neither");
            continue;
        }

        Json row = Json::object();
        row["staff_no"] = std::string(*staff_no);
        if (name) row["name"] = std::string(*name);
        if (dept) row["dept"] = std::string(*dept);
        if (card_no) row["card_no"] = *card_no;
        bool ok = true;
        for (const auto& [column, key] : {std::pair{Column::opening, "opening"}, std::pair{Column::cost, "cost"}}) {
            const auto text_value = field(column);
            if (!text_value) continue;
            const auto cents = parse_amount(*text_value);
            if (!cents) {
                refuse(std::string(key) + ": " + cents.error());
                ok = false;
                break;
            }
            row[key] = *cents;
        }
        if (!ok) continue;
        batch.rows.push_back(std::move(row));
        batch.lines.push_back(line);
    }

    if (!errors.empty()) {
        std::string report = std::to_string(errors.size()) + (errors.size() == 1 ? " broken row" : " broken rows") +
                             ", nothing was sent:";
        for (std::size_t i = 0; i < errors.size() && i < max_reported_errors; ++i) report += "\n  " + errors[i];
        if (errors.size() > max_reported_errors) {
            report += "\n  ... and " + std::to_string(errors.size() - max_reported_errors) + " more";
        }
        return std::unexpected(report);
    }
    if (batch.rows.empty()) return std::unexpected("the file has a header but no rows");
    return batch;
}

std::expected<IssueBatch, std::string> read_issue_csv(const std::filesystem::path& file) {
    std::error_code ec;
    if (std::filesystem::is_directory(file, ec)) return std::unexpected(file.string() + ": is a directory");
    std::ifstream in(file, std::ios::binary);
    if (!in) return std::unexpected(file.string() + ": cannot open: " + std::strerror(errno));
    std::ostringstream content;
    content << in.rdbuf();
    if (in.bad()) return std::unexpected(file.string() + ": cannot read: " + std::strerror(errno));
    auto batch = parse_issue_csv(content.str());
    if (!batch) return std::unexpected(file.string() + ": " + batch.error());
    return batch;
}

}  // namespace cardd::cardctl
