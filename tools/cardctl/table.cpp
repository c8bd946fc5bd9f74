#include "tools/cardctl/table.hpp"

#include <algorithm>

#include "tools/cardctl/text_width.hpp"

namespace cardd::cardctl {

namespace {

std::string printable(std::string cell) {
    const auto control = [](char c) {
        const auto byte = static_cast<unsigned char>(c);
        return byte < 0x20 || byte == 0x7F;
    };
    std::ranges::replace_if(cell, control, ' ');
    return cell;
}

}  // namespace

Table::Table(std::vector<std::string> headers, std::vector<Align> align)
    : headers_(std::move(headers)), align_(std::move(align)) {}

void Table::add_row(std::vector<std::string> cells) {
    for (auto& cell : cells) cell = printable(std::move(cell));
    rows_.push_back(std::move(cells));
}

std::string Table::str() const {
    std::size_t columns = headers_.size();
    for (const auto& row : rows_) columns = std::max(columns, row.size());
    if (!headers_.empty()) columns = headers_.size();

    const auto cell = [&](const std::vector<std::string>& row, std::size_t c) -> std::string_view {
        return c < row.size() ? std::string_view(row[c]) : std::string_view();
    };
    std::vector<std::size_t> widths(columns, 0);
    const auto measure = [&](const std::vector<std::string>& row) {
        for (std::size_t c = 0; c < columns; ++c) widths[c] = std::max(widths[c], display_width(cell(row, c)));
    };
    measure(headers_);
    for (const auto& row : rows_) measure(row);

    std::string out;
    const auto emit = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t c = 0; c < columns; ++c) {
            const std::string_view text = cell(row, c);
            const std::string pad(widths[c] - display_width(text), ' ');
            const bool right = c < align_.size() && align_[c] == Align::right;
            if (c > 0) line += "  ";
            line += right ? pad + std::string(text) : std::string(text) + pad;
        }
        line.erase(line.find_last_not_of(' ') + 1);
        out += line;
        out += '\n';
    };
    if (!headers_.empty()) emit(headers_);
    for (const auto& row : rows_) emit(row);
    return out;
}

}  // namespace cardd::cardctl
