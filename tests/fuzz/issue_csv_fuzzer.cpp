// Fuzzes `cardctl card issue --csv`'s importer past the CSV reader: the
// columns and rows. A file is taken whole or refused whole: taken, every
// row has its line, in order, and a staff number given once; refused, the
// reason is a sentence.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "tests/fuzz/fuzz_support.hpp"
#include "tools/cardctl/issue_csv.hpp"

using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto batch = cardd::cardctl::parse_issue_csv(text);
    if (!batch) {
        require(!batch.error().empty(), "a refusal without a reason");
        return 0;
    }
    require(batch->rows.is_array() && !batch->rows.empty(), "a batch taken without rows");
    require(batch->rows.size() == batch->lines.size(), "rows and their lines differ in number");
    std::set<std::string> staff;
    std::size_t previous = 0;
    for (std::size_t i = 0; i < batch->rows.size(); ++i) {
        const auto& row = batch->rows[i];
        require(row.is_object() && row.contains("staff_no") && row["staff_no"].is_string(), "a row without staff_no");
        const std::string staff_no = row["staff_no"].get<std::string>();
        require(!staff_no.empty(), "an empty staff number taken");
        require(staff.insert(staff_no).second, "a staff number taken twice");
        require(batch->lines[i] > previous, "rows out of line order");
        previous = batch->lines[i];
    }
    return 0;
}
