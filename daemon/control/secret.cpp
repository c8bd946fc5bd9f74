#include "daemon/control/secret.hpp"

#include <openssl/crypto.h>

namespace cardd::daemon {

void wipe(std::string& text) noexcept {
    if (!text.empty()) OPENSSL_cleanse(text.data(), text.size());
}

void Secret::wipe() noexcept {
    daemon::wipe(text_);
    text_.clear();
}

Secret& Secret::operator=(const Secret& other) {
    if (this != &other) {
        wipe();
        text_ = other.text_;
    }
    return *this;
}

Secret& Secret::operator=(Secret&& other) {
    if (this != &other) {
        wipe();
        text_ = other.text_;
        other.wipe();
    }
    return *this;
}

void wipe_passwords(nlohmann::json& arguments) noexcept {
    if (arguments.is_object()) {
        for (auto entry = arguments.begin(); entry != arguments.end(); ++entry) {
            if (entry.key() == "password" && entry->is_string()) {
                wipe(entry->get_ref<std::string&>());
            } else {
                wipe_passwords(*entry);
            }
        }
    } else if (arguments.is_array()) {
        for (auto& value : arguments) wipe_passwords(value);
    }
}

}  // namespace cardd::daemon
