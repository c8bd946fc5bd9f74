#pragma once
// What a name, a department, a staff number or a device name may hold: UTF-8
// without the code points that steer a terminal or the direction of text.
// Names are shown in `person list`, in the console and in logs: a C0 or C1
// control (U+009B starts an escape sequence on many terminals) or DEL can
// rewrite what an operator sees, and a bidirectional control (U+202E turns
// the rest of the line round) lets one name pass for another. Everything
// else, quotes and Chinese included, is data and kept verbatim.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace cardd::text {

struct Forbidden {
    std::size_t character = 0;  ///< 1-based position of the character (or of the bad byte)
    std::size_t byte = 0;       ///< 0-based offset of its first byte
    std::string what;           ///< "U+202E, a bidirectional control", or "a byte that is not UTF-8"
};

/// The first thing in `text` a name may not hold: invalid UTF-8 (overlong,
/// surrogate, above U+10FFFF, cut short), a C0 control, DEL, a C1 control,
/// or a bidirectional control (U+061C, U+200E, U+200F, U+202A..U+202E,
/// U+2066..U+2069).
std::optional<Forbidden> first_forbidden(std::string_view text);

/// "U+202E, a bidirectional control, at character 5 (byte 4)".
std::string describe(const Forbidden& forbidden);

}  // namespace cardd::text
