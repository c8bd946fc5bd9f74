#pragma once
// A strict RFC 4180 CSV reader that keeps line numbers, so a broken row of a
// batch file is named by the line a person sees in their editor.
// (Debian's libcsv reports no line numbers and accepts malformed quoting.)

#include <cstddef>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

namespace cardd::cardctl {

struct CsvRecord {
    std::size_t line = 0;  ///< 1-based line on which the record starts
    std::vector<std::string> fields;
};

struct CsvError {
    std::size_t line = 0;
    std::string text;
};

/// Records separated by LF or CRLF, fields by commas. A quoted field may hold
/// commas, line breaks and doubled quotes (""). A UTF-8 byte-order mark is
/// skipped and empty lines are ignored. Refused: text that is not UTF-8, an
/// unterminated quote, a character after a closing quote, a quote inside an
/// unquoted field. Field counts are the caller's business.
std::expected<std::vector<CsvRecord>, CsvError> parse_csv(std::string_view text);

}  // namespace cardd::cardctl
