// Fuzzes the strict JSON parser against nlohmann's own: whatever it accepts
// nlohmann accepts with the same value, and its refusals are of JSON
// nlohmann refuses or of a key given twice.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tests/fuzz/fuzz_support.hpp"
#include "text/strict_json.hpp"

using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto strict = cardd::text::parse_strict_json(text);
    const nlohmann::json plain = nlohmann::json::parse(text, nullptr, false);
    if (strict) {
        require(!plain.is_discarded(), "strict accepted what nlohmann refuses");
        require(*strict == plain, "strict and nlohmann read different values");
        // Dumped, a value has no key twice, so it reads back the same.
        const auto again = cardd::text::parse_strict_json(strict->dump());
        require(again.has_value() && *again == *strict, "a dumped value does not read back");
        return 0;
    }
    if (strict.error().kind == cardd::text::JsonRefusal::Kind::invalid) {
        require(plain.is_discarded(), "strict called valid JSON invalid");
    } else {
        require(!plain.is_discarded(), "a duplicate key reported in invalid JSON");
        require(strict.error().key.size() <= 64, "the reported key is not cut");
    }
    return 0;
}
