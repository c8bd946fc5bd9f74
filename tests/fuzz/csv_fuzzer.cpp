// Fuzzes the CSV reader of `cardctl card issue-batch`: what it reads, written
// out again with every field quoted, reads back the same; lines only grow;
// a refusal names a line inside the text.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_support.hpp"
#include "tools/cardctl/csv.hpp"

using cardd::fuzz::require;

namespace {

std::string quoted(const std::vector<cardd::cardctl::CsvRecord>& records) {
    std::string out;
    for (const auto& record : records) {
        for (std::size_t i = 0; i < record.fields.size(); ++i) {
            if (i > 0) out += ',';
            out += '"';
            for (const char c : record.fields[i]) out += c == '"' ? std::string("\"\"") : std::string(1, c);
            out += '"';
        }
        out += "\r\n";
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto records = cardd::cardctl::parse_csv(text);
    const std::size_t lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    if (!records) {
        require(records.error().line >= 1 && records.error().line <= lines, "a refusal names a line outside the text");
        require(!records.error().text.empty(), "a refusal without a reason");
        return 0;
    }
    std::size_t previous = 0;
    for (const auto& record : *records) {
        require(record.line > previous && record.line <= lines, "record lines out of order or past the end");
        require(!record.fields.empty(), "a record without fields");
        previous = record.line;
    }
    // An empty record (one empty field) is an empty line, which the reader skips.
    std::vector<cardd::cardctl::CsvRecord> kept;
    for (const auto& record : *records) {
        if (!(record.fields.size() == 1 && record.fields[0].empty())) kept.push_back(record);
    }
    const auto again = cardd::cardctl::parse_csv(quoted(kept));
    require(again.has_value(), "quoted records do not read back");
    require(again->size() == kept.size(), "quoted records read back as another number");
    for (std::size_t i = 0; i < kept.size(); ++i) {
        require((*again)[i].fields == kept[i].fields, "quoted fields read back differently");
    }
    return 0;
}
