// Fuzzes what a name may hold: the first forbidden thing found is really
// the first (nothing before it is refused), its position is inside the
// text, and text found clean decodes as UTF-8 without a control.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "tests/fuzz/fuzz_support.hpp"
#include "text/forbidden_code_points.hpp"

using cardd::fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const auto found = cardd::text::first_forbidden(text);
    if (!found) {
        for (const char c : text) {
            const auto byte = static_cast<unsigned char>(c);
            require(byte >= 0x20 && byte != 0x7F, "a C0 control or DEL passed");
            require(byte != 0xC0 && byte != 0xC1 && byte < 0xF5, "a byte that is never UTF-8 passed");
        }
        return 0;
    }
    require(found->byte < size, "the position is past the end");
    require(found->character >= 1 && found->character <= found->byte + 1, "the character position is off");
    require(!cardd::text::first_forbidden(text.substr(0, found->byte)).has_value(),
            "something before the first forbidden thing is forbidden");
    require(!cardd::text::describe(*found).empty(), "an empty description");
    return 0;
}
