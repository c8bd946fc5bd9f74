#pragma once
// The page, scripts and styles of the console, built into the binary from
// tools/console/www/ (assets.cmake), so what is served is what was tested.

#include <map>
#include <string_view>

namespace cardd::console {

/// "/static/console.js" → its bytes; "/" is the page.
const std::map<std::string_view, std::string_view>& assets();

}  // namespace cardd::console
