#include "tools/cardctl/csv.hpp"

#include <algorithm>

#include "tools/cardctl/text_width.hpp"

namespace cardd::cardctl {

namespace {

class Reader {
public:
    explicit Reader(std::string_view text) : text_(text) {}

    std::expected<std::vector<CsvRecord>, CsvError> records() {
        std::vector<CsvRecord> out;
        while (!done()) {
            if (at_line_break()) {  // an empty line
                skip_line_break();
                continue;
            }
            CsvRecord record{line_, {}};
            for (;;) {
                auto field = next_field();
                if (!field) return std::unexpected(field.error());
                record.fields.push_back(std::move(*field));
                if (done()) break;
                if (at_line_break()) {
                    skip_line_break();
                    break;
                }
                ++pos_;  // the comma
            }
            out.push_back(std::move(record));
        }
        return out;
    }

private:
    bool done() const noexcept { return pos_ >= text_.size(); }
    bool at_line_break() const noexcept {
        return text_[pos_] == '\n' || (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n');
    }
    void skip_line_break() noexcept {
        pos_ += text_[pos_] == '\r' ? 2 : 1;
        ++line_;
    }
    bool at_field_end() const noexcept { return done() || text_[pos_] == ',' || at_line_break(); }

    // Leaves pos_ on the comma, the line break or the end after the field.
    std::expected<std::string, CsvError> next_field() {
        std::string field;
        if (done() || text_[pos_] != '"') {
            while (!at_field_end()) {
                if (text_[pos_] == '"') {
                    return std::unexpected(CsvError{line_,
                                                    "a quote inside an unquoted field; quote the whole "
                                                    "field and double the quote (\"\")"});
                }
                field += text_[pos_++];
            }
            return field;
        }
        const std::size_t opened = line_;
        ++pos_;
        for (;;) {
            if (done()) {
                return std::unexpected(
                    CsvError{opened, "a quoted field is never closed (opened on line " + std::to_string(opened) + ")"});
            }
            const char c = text_[pos_++];
            if (c == '"') {
                if (!done() && text_[pos_] == '"') {
                    field += '"';
                    ++pos_;
                    continue;
                }
                break;
            }
            if (c == '\n') ++line_;
            field += c;
        }
        if (!at_field_end()) {
            return std::unexpected(CsvError{line_,
                                            "a character after a closing quote; write a quote inside a "
                                            "quoted field as \"\""});
        }
        return field;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    std::size_t line_ = 1;
};

}  // namespace

std::expected<std::vector<CsvRecord>, CsvError> parse_csv(std::string_view text) {
    constexpr std::string_view bom = "\xEF\xBB\xBF";
    if (text.starts_with(bom)) text.remove_prefix(bom.size());
    if (const auto bad = first_invalid_utf8(text)) {
        const auto line = 1 + static_cast<std::size_t>(std::count(text.begin(), text.begin() + *bad, '\n'));
        return std::unexpected(CsvError{line, "not UTF-8 text; save the file as \"CSV UTF-8\""});
    }
    return Reader(text).records();
}

}  // namespace cardd::cardctl
