#pragma once
// A password as cardd holds it. Its bytes are wiped (OPENSSL_cleanse) when it
// goes, in every copy and at every move, so a password read from a request
// does not linger in freed memory for a core dump or a later bug to show.
// What the JSON parser copied on its way is beyond reach; the control server
// wipes the request's line and arguments once they are answered.

#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace cardd::daemon {

class Secret {
public:
    Secret() = default;
    /// Copies `text` in; the caller wipes its own copy.
    explicit Secret(std::string_view text) : text_(text) {}
    Secret(const Secret& other) : text_(other.text_) {}
    // A moved std::string may leave its bytes in the source's small buffer,
    // so a move is a copy and a wipe.
    Secret(Secret&& other) : text_(other.text_) { other.wipe(); }
    Secret& operator=(const Secret& other);
    Secret& operator=(Secret&& other);
    ~Secret() { wipe(); }

    std::string_view view() const noexcept { return text_; }
    const char* data() const noexcept { return text_.data(); }
    std::size_t size() const noexcept { return text_.size(); }
    bool empty() const noexcept { return text_.empty(); }

    /// Zeroes the bytes and empties it.
    void wipe() noexcept;

private:
    std::string text_;
};

/// Zeroes a string's bytes in place (its length stays).
void wipe(std::string& text) noexcept;

/// Zeroes every string of `arguments` under the key "password", at any depth.
void wipe_passwords(nlohmann::json& arguments) noexcept;

}  // namespace cardd::daemon
