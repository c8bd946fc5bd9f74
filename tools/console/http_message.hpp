#pragma once
// A browser's request and the console's response as the API sees them: plain
// values, so the API is tested without a socket or TLS.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cardd::console {

struct HttpRequest {
    std::string method;  ///< "GET", "POST", ...
    std::string target;  ///< path and query, as sent
    std::string body;
    std::map<std::string, std::string, std::less<>> headers;  ///< names in lower case

    std::optional<std::string_view> header(std::string_view lower_case_name) const {
        const auto found = headers.find(lower_case_name);
        if (found == headers.end()) return std::nullopt;
        return std::string_view(found->second);
    }
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;  ///< beside the security headers
    bool cacheable = false;                                    ///< a static file: may be revalidated
    bool streamed = false;                                     ///< already written as an event stream
};

}  // namespace cardd::console
